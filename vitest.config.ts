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
    // expect.poll waits for what must come (a Slack answer, a REST call): it returns as soon as it holds, and
    // vitest's 1 s default is too short on a loaded CI machine (2 cores at load 6-17)
    expect: { poll: { timeout: 30_000 } },
  },
});
