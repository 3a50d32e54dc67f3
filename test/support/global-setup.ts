import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDatabase, runMigrations } from '../../src/store/database.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../src/store/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a maintenance database on the test server (used to create and drop per-file databases). */
    pgAdminUrl: string;
    /** Name of the migrated template every test database is cloned from. */
    pgTemplate: string;
  }
}

let server: EmbeddedPostgres | undefined;

/**
 * One PostgreSQL for the whole run: TEST_DATABASE_URL when set, otherwise an embedded server in a temp
 * folder. Migrations run once into a template database; each test file clones it (CREATE DATABASE …
 * TEMPLATE …, a file copy taking milliseconds) so files are isolated and can run in parallel.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    server = await startEmbeddedPostgres({
      dataDir: mkdtempSync(join(tmpdir(), 'chronops-test-')),
      database: 'postgres',
      persistent: false,
      // Durability is irrelevant for throw-away test data; this makes the suite several times faster.
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
    });
    adminUrl = server.url;
  }
  const template = `chronops_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  await admin.end();

  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  const handle = createDatabase(templateUrl.toString(), { max: 1 });
  await runMigrations(handle.pool);
  await handle.close();

  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', template);

  return async () => {
    if (server) {
      await server.stop();
    } else {
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${template} with (force)`);
      await cleanup.end();
    }
  };
}
