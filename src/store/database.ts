import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { AppError } from '../shared/errors.js';
import { acquireMigrationLock, MIGRATION_LOCK_KEY, type MigrationLockOptions } from './migration-lock.js';
import * as schema from './schema.js';

export type Database = NodePgDatabase<typeof schema> & { $client: pg.Pool };
/** A database or a transaction: every query function takes one of these first. */
export type Queryable = Pick<Database, 'select' | 'insert' | 'update' | 'delete' | 'execute' | 'transaction'>;

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

export { MIGRATION_LOCK_KEY } from './migration-lock.js';

export interface DatabaseHandle {
  readonly db: Database;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

/** Postgres returns bigint counts (int8) as strings; make them numbers (counts here never near 2^53). */
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

export function createDatabase(
  url: string,
  options: { max?: number; applicationName?: string; connectionTimeoutMs?: number } = {},
): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'chronops',
    // Fail fast when the server is gone instead of queueing forever; callers retry at their own pace.
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool
  // replaces it on next checkout.
  pool.on('error', () => {});
  // Neither may a checked-out one between two queries (in a transaction, awaiting other work): pg emits
  // 'error' on the client itself then, and with no listener Node ends the process. The query in flight,
  // or the next one, still fails, which is where the caller learns of it. (Seen in the PostgreSQL-
  // restart chaos test: a replica died with "Connection terminated unexpectedly".)
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const db = drizzle(pool, { schema }) as Database;
  return { db, pool, close: () => pool.end() };
}

/**
 * Applies pending migrations. Several replicas starting together serialise on an advisory lock, so
 * exactly one applies each migration and the others find nothing left to do. The wait for that lock is
 * bounded (migration-lock.ts): past `lock.waitMs` this throws, naming the session that holds it.
 */
export async function runMigrations(pool: pg.Pool, lock: MigrationLockOptions = {}): Promise<void> {
  const client = await pool.connect();
  try {
    // A session lock: taken, used and let go on this one connection.
    await acquireMigrationLock(client, lock);
    try {
      await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    // Closed, not handed back: whatever befell the unlock, the session and its lock end here.
    client.release(true);
  }
}

/** Waits until the database answers, with a readable error naming the host when it never does. */
export async function waitForDatabase(
  pool: pg.Pool,
  timeoutMs: number,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  while (performance.now() < deadline) {
    try {
      await pool.query('select 1');
      return;
    } catch (error) {
      lastError = error;
      await sleep(250);
    }
  }
  throw new AppError(
    'database_unavailable',
    `PostgreSQL did not answer within ${Math.round(timeoutMs / 1000)} s: ${
      lastError instanceof Error ? lastError.message : String(lastError)
    }`,
    'DATABASE_URL',
    { cause: lastError },
  );
}
