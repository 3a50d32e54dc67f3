import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHRONOPS_TABLES } from '../../../src/store/chronops-tables.js';
import { DEMO_TABLES, ensureDemoSchema } from '../../../src/store/demo-schema.js';
import { ensureTaskLogin } from '../../../src/store/task-login.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { T0 } from '../../support/fixtures.js';
import { dropRole } from '../../support/task-login.js';

let database: TestDatabase;
let dir: string;
const role = `chronops_task_${randomBytes(5).toString('hex')}`;
const options = () => ({
  serviceUrl: database.url,
  passwordFile: join(dir, 'task-password'),
  grantTables: DEMO_TABLES,
  role,
});

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'chronops-task-login-'));
  await ensureDemoSchema(database.pool, { now: T0 });
});
afterAll(async () => {
  await database.drop();
  await dropRole(role);
  rmSync(dir, { recursive: true, force: true });
});

async function asLogin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('the embedded task login', () => {
  it('is a login with no power beyond its grants, its password in a 0600 file', async () => {
    const url = await ensureTaskLogin(database.pool, options());
    const { rows } = await database.pool.query('select * from pg_roles where rolname = $1', [role]);
    expect(rows[0]).toMatchObject({
      rolcanlogin: true,
      rolsuper: false,
      rolcreaterole: false,
      rolcreatedb: false,
      rolinherit: false,
      rolreplication: false,
      rolbypassrls: false,
    });
    expect(statSync(join(dir, 'task-password')).mode & 0o777).toBe(0o600);
    const password = readFileSync(join(dir, 'task-password'), 'utf8').trim();
    expect(decodeURIComponent(new URL(url).password)).toBe(password);
    expect(new URL(url).username).toBe(role);
    expect(
      await asLogin(url, async (client) => (await client.query('select current_user::text as u')).rows[0].u),
    ).toBe(role);
  });

  it('may read and write the demo tables, and nothing of chronops', async () => {
    const url = await ensureTaskLogin(database.pool, options());
    await asLogin(url, async (client) => {
      await client.query('begin');
      await client.query("insert into logs (level, message) values ('info', 'by the task login')");
      await client.query("update users set quota = quota where email like 'user1@%'");
      await client.query('rollback');
      for (const table of CHRONOPS_TABLES) {
        await expect(client.query(`select 1 from ${table} limit 1`), table).rejects.toThrow(
          /permission denied/,
        );
      }
      await expect(client.query('create table planted (id int)')).rejects.toThrow(/permission denied/);
    });
  });

  it('is idempotent, and a start repairs a password the login changed itself', async () => {
    const first = await ensureTaskLogin(database.pool, options());
    // A role may change its own password: a task could lock chronops out until the next start.
    await asLogin(first, (client) => client.query("alter role current_user password 'changed-by-a-task'"));
    await expect(asLogin(first, (client) => client.query('select 1'))).rejects.toThrow(
      /password authentication failed/,
    );
    const second = await ensureTaskLogin(database.pool, options());
    expect(second).toBe(first);
    await expect(asLogin(second, (client) => client.query('select 1'))).resolves.toBeDefined();
  });

  it('takes back any right an operator granted it on chronops’s tables', async () => {
    await database.pool.query(`grant select on scheduled_tasks to ${pg.escapeIdentifier(role)}`);
    const url = await ensureTaskLogin(database.pool, options());
    await asLogin(url, async (client) => {
      await expect(client.query('select 1 from scheduled_tasks')).rejects.toThrow(/permission denied/);
    });
  });

  it('survives processes creating it at the same time', async () => {
    const racing = `${role}_race`;
    try {
      const urls = await Promise.all(
        [1, 2, 3].map(() =>
          ensureTaskLogin(database.pool, { ...options(), role: racing, passwordFile: join(dir, 'race') }),
        ),
      );
      expect(new Set(urls).size).toBe(1);
    } finally {
      await database.pool.query(`drop owned by ${pg.escapeIdentifier(racing)}`);
      await dropRole(racing);
    }
  });
});
