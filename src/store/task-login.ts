import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { CHRONOPS_TABLES } from './chronops-tables.js';

/**
 * The restricted login that user SQL (custom SQL tasks, custom notification queries) runs as on the
 * embedded database (docs/SECURITY.md, "Where SQL runs and as whom").
 *
 * Why a login and not `SET ROLE`: a role set inside a session is undone by the session's own
 * `RESET ROLE`, `SET ROLE` or `COMMIT`, so SQL written by a person would regain chronops's own
 * privileges (superuser on the embedded database). A session that *logs in* as a restricted role has
 * nothing to go back to.
 *
 * The role is NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS, may connect to
 * this database and use its public schema, may read and write the demo application's tables, and has
 * no right on chronops's own tables. Its password is random, kept in a 0600 file of the data folder,
 * and written again at every start, so a task that changed it (a role may change its own password)
 * is repaired by a restart.
 */
export const TASK_LOGIN_ROLE = 'chronops_task';

/** Serialises processes creating or repairing the login (next to the other locks' 727_274_00x). */
const TASK_LOGIN_LOCK_KEY = 727_274_004;

export interface TaskLoginOptions {
  /** The service's own URL (a superuser or the database owner): the task URL is derived from it. */
  serviceUrl: string;
  /** Where the login's password is kept (created 0600 when missing). */
  passwordFile: string;
  /** Tables the login may read and write (the demo application's); missing ones are ignored. */
  grantTables: readonly string[];
  /** The role's name (tests use their own: roles are shared by every database of a cluster). */
  role?: string;
}

/**
 * Creates or repairs the restricted task login and returns the URL that logs in as it. Safe to call at
 * every start and from processes starting together (they take turns on an advisory lock).
 */
export async function ensureTaskLogin(pool: pg.Pool, options: TaskLoginOptions): Promise<string> {
  const role = options.role ?? TASK_LOGIN_ROLE;
  const password = readOrCreatePassword(options.passwordFile);
  const quotedRole = pg.escapeIdentifier(role);
  const attributes = `login nosuperuser nocreatedb nocreaterole noinherit noreplication nobypassrls password ${pg.escapeLiteral(password)}`;
  const client = await pool.connect();
  try {
    await client.query('begin');
    // Role and grant changes of two processes at once fail with "tuple concurrently updated".
    await client.query('select pg_advisory_xact_lock($1)', [TASK_LOGIN_LOCK_KEY]);
    const { rows } = await client.query<{ exists: boolean; database: string }>(
      'select exists (select 1 from pg_roles where rolname = $1) as exists, current_database() as database',
      [role],
    );
    await client.query(`${rows[0]?.exists ? 'alter' : 'create'} role ${quotedRole} ${attributes}`);
    await client.query(
      `grant connect on database ${pg.escapeIdentifier(rows[0]!.database)} to ${quotedRole}`,
    );
    await client.query(`grant usage on schema public to ${quotedRole}`);
    const { rows: present } = await client.query<{ name: string; sequences: string[] }>(
      `select c.oid::regclass::text as name,
              array(select s.seq::regclass::text
                      from (select pg_get_serial_sequence(c.oid::regclass::text, a.attname) as seq
                              from pg_attribute a
                             where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) s
                     where s.seq is not null) as sequences
         from pg_class c
        where c.oid = any (array(select to_regclass(name) from unnest($1::text[]) as name))`,
      [options.grantTables],
    );
    for (const table of present) {
      await client.query(`grant select, insert, update, delete on ${table.name} to ${quotedRole}`);
      for (const sequence of table.sequences)
        await client.query(`grant usage, select on sequence ${sequence} to ${quotedRole}`);
    }
    // Defensive: whatever an operator granted by hand, the task login keeps no right on chronops's data.
    const { rows: own } = await client.query<{ name: string }>(
      `select c.oid::regclass::text as name from pg_class c
        where c.oid = any (array(select to_regclass(name) from unnest($1::text[]) as name))`,
      [CHRONOPS_TABLES],
    );
    for (const table of own) await client.query(`revoke all on ${table.name} from ${quotedRole}`);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  const url = new URL(options.serviceUrl);
  url.username = encodeURIComponent(role);
  url.password = encodeURIComponent(password);
  return url.toString();
}

function readOrCreatePassword(file: string): string {
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{32,}$/.test(stored)) return stored;
  }
  // Hex only, so it needs no quoting anywhere (URL, SQL literal).
  const password = randomBytes(24).toString('hex');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}
