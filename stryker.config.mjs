// Mutation testing of the pure rules (src/rules): `npm run test:mutation` (outside CI; a full run takes
// ~35 minutes on 2 cores). One file: `npm run test:mutation -- --mutate src/rules/calendar.ts`.
// Equivalent mutants are marked in the source with `// Stryker disable next-line <mutator>: <reason>`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts" },
  plugins: ["@stryker-mutator/vitest-runner"],
  mutate: ["src/rules/**/*.ts"],
  coverageAnalysis: "perTest",
  concurrency: 2,
  ignoreStatic: true,
  reporters: ["clear-text", "progress", "html"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  tempDirName: ".stryker-tmp",
  thresholds: { high: 90, low: 80, break: null },
};
