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
    restoreMocks: true,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
