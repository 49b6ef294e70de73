import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    // One migrated embedded database for the run, copied into each test's fresh store.
    globalSetup: ["packages/server/test/support/pglite-template.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default is one worker on a two-core machine; most files wait on HTTP, child
    // processes and timers rather than the CPU, so two halve the suite's time there.
    maxWorkers: 2,
  },
});
