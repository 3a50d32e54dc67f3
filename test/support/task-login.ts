import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { DEMO_TABLES } from '../../src/store/demo-schema.js';
import { ensureTaskLogin } from '../../src/store/task-login.js';

export interface TestTaskLogin {
  /** TASK_DATABASE_URL for this test database: a restricted login of its own. */
  readonly url: string;
  readonly role: string;
  /** Grants the demo tables again (call after creating them). */
  grant(): Promise<void>;
  /** Drops the role; call after the database is dropped (roles outlive databases). */
  drop(): Promise<void>;
}

/**
 * A restricted task login on a test database, made by the same code as the embedded database's
 * (src/store/task-login.ts), under a name of its own: roles are shared by every database of the
 * test server, and test files run in parallel.
 */
export async function createTestTaskLogin(database: {
  readonly pool: pg.Pool;
  readonly url: string;
}): Promise<TestTaskLogin> {
  const role = `chronops_task_${randomBytes(5).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'chronops-task-login-'));
  const options = {
    serviceUrl: database.url,
    passwordFile: join(dir, 'task-password'),
    grantTables: DEMO_TABLES,
    role,
  };
  const url = await ensureTaskLogin(database.pool, options);
  return {
    url,
    role,
    grant: async () => {
      await ensureTaskLogin(database.pool, options);
    },
    drop: async () => {
      await dropRole(role);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Drops a role once the databases holding its grants are gone. */
export async function dropRole(role: string): Promise<void> {
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  try {
    await admin.query(`drop role if exists ${pg.escapeIdentifier(role)}`);
  } finally {
    await admin.end();
  }
}
