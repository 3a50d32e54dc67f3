import type pg from 'pg';
import { AppError } from '../shared/errors.js';

/** Arbitrary constant shared by every replica: migrations run under this session advisory lock. */
export const MIGRATION_LOCK_KEY = 727_274_001;

/** How long a starting replica waits for the lock by default (MIGRATION_LOCK_WAIT_SECONDS). */
export const DEFAULT_MIGRATION_LOCK_WAIT_MS = 120_000;

export interface MigrationLockOptions {
  /** Gives up after this long, naming the holder. */
  readonly waitMs?: number;
  /** Between two "waiting for the migration lock…" lines. */
  readonly logEveryMs?: number;
  /** Between two attempts. */
  readonly pollMs?: number;
  readonly log?: (message: string) => void;
}

/** Who holds the lock, as pg_locks and pg_stat_activity tell it (null fields: not visible to this login). */
export interface LockHolder {
  readonly pid: number;
  readonly applicationName: string | null;
  readonly user: string | null;
  readonly state: string | null;
  readonly since: Date | null;
}

/**
 * Takes the migration lock on `client` (a session lock: the caller migrates and unlocks on the same
 * connection). `pg_try_advisory_lock` is polled instead of waiting in `pg_advisory_lock`, because that
 * wait has no bound: a session that took the key and stayed open (a stuck replica, someone's psql, a
 * script) would hold every starting replica forever, silently. Each `logEveryMs` says who holds it;
 * after `waitMs` it throws an AppError naming the holder and what to do.
 */
export async function acquireMigrationLock(
  client: pg.ClientBase,
  options: MigrationLockOptions = {},
): Promise<void> {
  const waitMs = options.waitMs ?? DEFAULT_MIGRATION_LOCK_WAIT_MS;
  const logEveryMs = options.logEveryMs ?? 5000;
  const pollMs = options.pollMs ?? 250;
  const started = performance.now();
  let loggedAt = started;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [
      MIGRATION_LOCK_KEY,
    ]);
    if (rows[0]?.locked) return;
    const now = performance.now();
    if (now - started >= waitMs) {
      throw migrationLockTimeout(await findHolder(client), waitMs);
    }
    if (now - loggedAt >= logEveryMs) {
      loggedAt = now;
      const holder = await findHolder(client);
      options.log?.(
        `waiting for the migration lock held by ${describeHolder(holder)} (${seconds(now - started)} s of ${seconds(waitMs)} s)`,
      );
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(pollMs, Math.max(1, waitMs - (now - started)))),
    );
  }
}

/** The backend holding the migration lock in this database, if any still does. */
export async function findHolder(client: pg.ClientBase): Promise<LockHolder | undefined> {
  // A bigint advisory key is stored as classid (high 32 bits), objid (low 32 bits), objsubid 1.
  const { rows } = await client.query<{
    pid: number;
    application_name: string | null;
    usename: string | null;
    state: string | null;
    since: Date | null;
  }>(
    `select l.pid, a.application_name, a.usename::text as usename, a.state, a.backend_start as since
       from pg_locks l left join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.objsubid = 1
        and l.database = (select oid from pg_database where datname = current_database())
        and l.classid = (($1::int8 >> 32) & 4294967295)::oid and l.objid = ($1::int8 & 4294967295)::oid
        and l.pid <> pg_backend_pid()
      limit 1`,
    [MIGRATION_LOCK_KEY],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    pid: row.pid,
    applicationName: row.application_name,
    user: row.usename,
    state: row.state,
    since: row.since,
  };
}

/** "pid 4242 (application_name "psql", user ops, idle, connected since …)" */
export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'a session that has just let it go';
  const details = [
    `application_name ${JSON.stringify(holder.applicationName ?? '')}`,
    ...(holder.user ? [`user ${holder.user}`] : []),
    ...(holder.state ? [holder.state] : []),
    ...(holder.since ? [`connected since ${holder.since.toISOString()}`] : []),
  ];
  return `pid ${holder.pid} (${details.join(', ')})`;
}

function migrationLockTimeout(holder: LockHolder | undefined, waitMs: number): AppError {
  const pid = holder ? String(holder.pid) : 'N';
  return new AppError(
    'migration_lock_timeout',
    `Gave up after ${seconds(waitMs)} s waiting for the migration lock (advisory lock ${MIGRATION_LOCK_KEY}) held by ${describeHolder(holder)}. ` +
      `If that is another chronops replica still migrating, wait and start again, or raise MIGRATION_LOCK_WAIT_SECONDS; ` +
      `otherwise that session took the key and kept it: end it with select pg_terminate_backend(${pid}) and start again.`,
    'MIGRATION_LOCK_WAIT_SECONDS',
  );
}

const seconds = (ms: number) => Number((ms / 1000).toFixed(1));
