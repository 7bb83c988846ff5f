// Vitest for mutation testing (stryker.config.mjs): only the tests of the pure rules, no database.
// rules-equivalence is left out: it compares with an older copy (a rule wrong in both copies passes)
// and its property runs cost ~30 s per mutant.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/unit/rules/**/*.test.ts", "tests/unit/cli-rules.test.ts", "tests/unit/membership-rules.test.ts"],
    exclude: ["tests/unit/rules/rules-equivalence.test.ts"],
    testTimeout: 60_000,
    pool: "forks",
    maxWorkers: 1,
    // The rules tests are pure and Stryker switches mutants at run time: evaluating the rules once per
    // worker instead of once per test file makes each mutant run several times faster.
    isolate: false,
    env: { TZ: "Europe/Paris", FC_RUNS: "100" },
  },
});
