import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One embedded PostgreSQL for the whole run (unless TEST_DATABASE_URL is set); every integration
    // test file clones its own database from a migrated template (see test/support/database.ts).
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default on this 2-core machine is one file at a time (CPUs - 1), yet most test files
    // wait on PostgreSQL and on child processes, not on the CPU. Three at once: the main part took
    // 123 s and 143 s instead of 311 s, all green (docs/BENCHMARKS.md, "Test suite"). The chaos part
    // runs one file at a time (--no-file-parallelism in package.json).
    maxWorkers: 3,
    restoreMocks: true,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
