import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // 2 cores: more workers only make the real-database and browser tests fight for them
    maxWorkers: 2,
    env: { TZ: "Europe/Paris" },
  },
});
