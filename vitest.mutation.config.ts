// Vitest for mutation testing (stryker.config.mjs): only the tests of the pure rules, no database.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/unit/rules/**/*.test.ts", "tests/unit/cli-rules.test.ts"],
    testTimeout: 60_000,
    pool: "forks",
    maxWorkers: 1,
    env: { TZ: "Europe/Paris", FC_RUNS: "100" },
  },
});
