import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { requireTaskParams } from '../domain/task-params.js';
import { AppError } from '../shared/errors.js';
import { abortError, throwIfAborted } from './abort.js';
import { type ChildRunResult, runChildProcess } from './child-process.js';
import type { ExecutorDeps } from './deps.js';
import { splitConnectionUrl } from './target-database.js';
import type { ExecutionContext, ExecutionResult, Executor } from './types.js';

/** PATH for pg_dump/pg_restore when they are looked up by name; nothing else is inherited. */
const TOOL_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * backup: `pg_dump --format=custom --compress=6` of the target database into BACKUP_DIR as
 * `<db>-YYYYMMDDTHHmmssZ.dump` (UTC, from the context clock), verified with `pg_restore --list` before it
 * gets its final name, then the archives of that database beyond the last `keep` are deleted (never
 * files of another prefix). The dump is written to `<name>.partial` first, so a failed or aborted run
 * never leaves a file that looks like a good backup, nor deletes an old one.
 *
 * Result data: { file, bytes, durationMs, kept, deleted, entries, pgDump }.
 */
export function createBackupExecutor(deps: ExecutorDeps): Executor {
  return async (context) => {
    const params = requireTaskParams('backup', context.task.template, context.task.params);
    const started = performance.now();
    const target = splitConnectionUrl(deps.targetDatabaseUrl);
    const serverMajor = await readServerMajor(deps);
    const pgDump = locatePgDump(deps.pgDumpPath, serverMajor);
    const env: Record<string, string> = {
      PATH: TOOL_PATH,
      PGAPPNAME: 'chronops-backup',
      PGCONNECT_TIMEOUT: '10',
    };
    if (target.password !== undefined) env.PGPASSWORD = target.password;

    const clientVersion = await checkPgDumpVersion(pgDump, serverMajor, env, context);
    await mkdir(deps.backupDir, { recursive: true });
    const prefix = target.database.replace(/[^A-Za-z0-9_.-]/g, '_');
    const fileName = `${prefix}-${compactTimestamp(context.now())}.dump`;
    const finalPath = join(deps.backupDir, fileName);
    const partialPath = `${finalPath}.partial`;

    context.log.info(
      `pg_dump ${clientVersion} of "${target.database}" (PostgreSQL ${serverMajor}) to ${finalPath}`,
    );
    let entries: number;
    try {
      const dump = await runChildProcess({
        file: pgDump,
        args: [
          '--format=custom',
          '--compress=6',
          '--no-password',
          `--file=${partialPath}`,
          `--dbname=${target.urlWithoutPassword}`,
        ],
        env,
        signal: context.signal,
        onLine: (_stream, line) => {
          if (line.trim() !== '') context.log.warn(`pg_dump: ${line}`);
        },
      });
      if (dump.aborted) throw abortError(context.signal);
      if (dump.exitCode !== 0) throw pgDumpFailure(dump, serverMajor);
      entries = await verifyArchive(locatePgRestore(pgDump), partialPath, env, context);
      await rename(partialPath, finalPath);
    } catch (error) {
      await rm(partialPath, { force: true });
      throw error;
    }
    const { size: bytes } = await stat(finalPath);
    const { kept, deleted } = await applyRetention(deps.backupDir, prefix, params.keep);
    for (const name of deleted) context.log.info(`deleted old backup ${name}`);
    const durationMs = Math.round(performance.now() - started);
    return {
      summary: `backed up ${target.database} to ${fileName} (${formatBytes(bytes)}) in ${(durationMs / 1000).toFixed(1)} s; kept ${kept}, deleted ${deleted.length}`,
      data: { file: finalPath, bytes, durationMs, kept, deleted, entries, pgDump: clientVersion },
    } satisfies ExecutionResult;
  };
}

async function readServerMajor(deps: ExecutorDeps): Promise<number> {
  const { rows } = await deps.targetPool.query<{ num: number }>(
    "select current_setting('server_version_num')::int4 as num",
  );
  return Math.floor((rows[0]?.num ?? 0) / 10_000);
}

/** PG_DUMP_PATH, else Debian's per-major binary matching the server, else `pg_dump` on PATH. */
export function locatePgDump(configured: string | undefined, serverMajor: number): string {
  if (configured) return configured;
  const versioned = `/usr/lib/postgresql/${serverMajor}/bin/pg_dump`;
  return existsSync(versioned) ? versioned : 'pg_dump';
}

function locatePgRestore(pgDump: string): string {
  if (!pgDump.includes('/')) return 'pg_restore';
  const sibling = join(dirname(pgDump), 'pg_restore');
  return existsSync(sibling) ? sibling : 'pg_restore';
}

function installHint(serverMajor: number): string {
  return `Install the PostgreSQL ${serverMajor} client tools (Debian/Ubuntu: apt-get install postgresql-client-${serverMajor}) or set PG_DUMP_PATH to a pg_dump of version ${serverMajor} or newer.`;
}

/** Fails early, with what to install, when pg_dump is missing or older than the server. */
async function checkPgDumpVersion(
  pgDump: string,
  serverMajor: number,
  env: Record<string, string>,
  context: ExecutionContext,
): Promise<string> {
  let result: ChildRunResult;
  try {
    result = await runChildProcess({ file: pgDump, args: ['--version'], env, signal: context.signal });
  } catch (error) {
    throwIfAborted(context.signal);
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError(
      'executor_failed',
      `pg_dump could not be started (${pgDump}: ${code ?? 'error'}). ${installHint(serverMajor)}`,
      'PG_DUMP_PATH',
      { cause: error },
    );
  }
  if (result.aborted) throw abortError(context.signal);
  const match = /(\d+)(?:\.(\d+))?/.exec(result.stdout);
  const clientMajor = match ? Number(match[1]) : Number.NaN;
  if (result.exitCode !== 0 || Number.isNaN(clientMajor)) {
    throw new AppError(
      'executor_failed',
      `${pgDump} --version failed: ${result.stderr.trim()}. ${installHint(serverMajor)}`,
      'PG_DUMP_PATH',
    );
  }
  if (clientMajor < serverMajor) {
    throw new AppError(
      'executor_failed',
      `pg_dump ${match?.[0]} (${pgDump}) is older than the server (PostgreSQL ${serverMajor}) and would refuse it with "server version mismatch". ${installHint(serverMajor)}`,
      'PG_DUMP_PATH',
    );
  }
  return match?.[0] ?? String(clientMajor);
}

function pgDumpFailure(result: ChildRunResult, serverMajor: number): AppError {
  const stderr = result.stderr.trim();
  if (stderr.includes('server version mismatch')) {
    return new AppError(
      'executor_failed',
      `pg_dump refused the server: ${lastLines(stderr)} ${installHint(serverMajor)}`,
      'PG_DUMP_PATH',
    );
  }
  return new AppError(
    'executor_failed',
    `pg_dump exited with ${result.exitCode ?? result.exitSignal}: ${lastLines(stderr) || 'no error output'}`,
  );
}

/** `pg_restore --list` reads the whole table of contents: a truncated or corrupt archive fails here. */
async function verifyArchive(
  pgRestore: string,
  path: string,
  env: Record<string, string>,
  context: ExecutionContext,
): Promise<number> {
  const result = await runChildProcess({
    file: pgRestore,
    args: ['--list', path],
    env,
    signal: context.signal,
  }).catch((error: unknown) => {
    throwIfAborted(context.signal);
    throw new AppError(
      'executor_failed',
      `pg_restore could not be started to verify the archive: ${String(error)}`,
      undefined,
      {
        cause: error,
      },
    );
  });
  if (result.aborted) throw abortError(context.signal);
  if (result.exitCode !== 0) {
    throw new AppError(
      'executor_failed',
      `the archive failed verification (pg_restore --list): ${lastLines(result.stderr)}`,
    );
  }
  const entries = result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith(';')).length;
  context.log.info(`verified: pg_restore --list reads ${entries} entries`);
  return entries;
}

/** Keeps the newest `keep` archives of this prefix (names sort by time) and deletes the rest. */
async function applyRetention(
  dir: string,
  prefix: string,
  keep: number,
): Promise<{ kept: number; deleted: string[] }> {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}-\\d{8}T\\d{6}Z\\.dump$`);
  const archives = (await readdir(dir))
    .filter((name) => pattern.test(name))
    .sort()
    .reverse();
  const doomed = archives.slice(keep);
  for (const name of doomed) await rm(join(dir, name), { force: true });
  return { kept: archives.length - doomed.length, deleted: doomed };
}

/** `2026-11-28T10:00:05.123Z` → `20261128T100005Z`. */
export function compactTimestamp(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

function lastLines(text: string, count = 5): string {
  return text.trim().split('\n').slice(-count).join(' | ').slice(0, 1000);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
