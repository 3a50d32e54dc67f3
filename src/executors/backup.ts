import { existsSync } from 'node:fs';
import { chmod, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type pg from 'pg';
import { requireTaskParams } from '../domain/task-params.js';
import { AppError } from '../shared/errors.js';
import { abortError, throwIfAborted } from './abort.js';
import {
  ARCHIVE_MODE,
  applyRetention,
  createPrivateFile,
  ensurePrivateFolder,
  newestArchiveBytes,
  readFreeBytes,
  removeLeftoverPartials,
} from './backup-files.js';
import {
  ARCHIVE_GROWTH_FACTOR,
  archiveName,
  archivePrefix,
  estimateArchiveBytes,
  formatMegabytes,
  taskFolderName,
} from './backup-policy.js';
import { type ChildRunResult, runChildProcess } from './child-process.js';
import type { ExecutorDeps } from './deps.js';
import { splitConnectionUrl } from './target-database.js';
import type { ExecutionContext, ExecutionResult, Executor } from './types.js';

/** PATH for pg_dump/pg_restore when they are looked up by name; nothing else is inherited. */
const TOOL_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * backup: `pg_dump --format=custom --compress=6` of the target database into the task's own folder,
 * `BACKUP_DIR/<task id>/<db>-YYYYMMDDTHHmmssZ.dump` (UTC, from the context clock), verified with
 * `pg_restore --list` before it gets its final name; then the archives of that database in that folder
 * beyond the last `keep` are deleted. A task only ever lists, prunes or cleans its own folder, so two
 * backup tasks of one database never delete each other's archives, and files of any other name
 * (archives from before per-task folders included) are never touched.
 *
 * - Private: BACKUP_DIR and the task's folder are 0700 (created so, or tightened with a warning), the
 *   archive 0600 from its first byte.
 * - The dump is written to `<name>.partial` first, so a failed or aborted run never leaves a file that
 *   looks like a good backup, nor deletes an old one. Partials a crashed run left in the task's folder
 *   are removed at the start of the next run (with `overlap: allow`, only those untouched for longer
 *   than the task's timeout: a younger one may be another run's dump in progress).
 * - Before dumping, the free space of BACKUP_DIR's file system is compared with the expected archive
 *   size (backup-policy.ts `estimateArchiveBytes`); short of it, the run fails without writing anything.
 *   The default BACKUP_DIR shares a disk with the embedded database, which stops when that disk fills.
 *
 * Result data: { file, bytes, durationMs, kept, deleted, removedPartials, neededBytes, freeBytes,
 * entries, pgDump }.
 *
 * Stays whole: it only builds the executor it returns, whose comment says why that is long.
 */
export function createBackupExecutor(deps: ExecutorDeps): Executor {
  // Stays whole: the backup's steps in order (check space, dump, verify, prune), sharing the run's files.
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
    await ensurePrivateFolder(deps.backupDir, 'BACKUP_DIR', context.log);
    const taskDir = join(deps.backupDir, taskFolderName(context.task.id));
    await ensurePrivateFolder(taskDir, 'The task backup folder', context.log);
    const prefix = archivePrefix(target.database);
    const fileName = archiveName(prefix, context.now());
    const finalPath = join(taskDir, fileName);
    const partialPath = `${finalPath}.partial`;

    // Created before anything else is written, so its mtime is "now" on the folder's own clock.
    const nowMs = await createPrivateFile(partialPath);
    let entries: number;
    let removedPartials: string[];
    let space: { neededBytes: number; freeBytes: number };
    try {
      const leftovers = await removeLeftoverPartials(taskDir, prefix, basename(partialPath), {
        overlapPolicy: context.task.overlapPolicy,
        timeoutSeconds: context.task.timeoutSeconds,
        nowMs,
      });
      removedPartials = leftovers.removed;
      for (const name of removedPartials) {
        context.log.warn(`removed ${name}, left behind by a dump that did not finish`);
      }
      if (leftovers.young.length > 0) {
        context.log.info(
          `kept ${leftovers.young.length} partial file(s) younger than the task timeout: another run of this task (overlap: allow) may be writing them`,
        );
      }
      space = await checkFreeSpace(deps, taskDir, prefix, context);

      context.log.info(
        `pg_dump ${clientVersion} of "${target.database}" (PostgreSQL ${serverMajor}) to ${finalPath}`,
      );
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
      // pg_dump kept the mode of the file it was given; a wrapper set as PG_DUMP_PATH might not have.
      await chmod(partialPath, ARCHIVE_MODE);
      await rename(partialPath, finalPath);
    } catch (error) {
      await rm(partialPath, { force: true });
      throw error;
    }
    const { size: bytes } = await stat(finalPath);
    const { kept, deleted } = await applyRetention(taskDir, prefix, params.keep);
    for (const name of deleted) context.log.info(`deleted old backup ${name}`);
    const durationMs = Math.round(performance.now() - started);
    const removedText =
      removedPartials.length === 0
        ? ''
        : `; removed ${removedPartials.length} partial file${removedPartials.length === 1 ? '' : 's'} of an unfinished dump`;
    return {
      summary: `backed up ${target.database} to ${fileName} (${formatBytes(bytes)}) in ${(durationMs / 1000).toFixed(1)} s; kept ${kept}, deleted ${deleted.length}${removedText}`,
      data: {
        file: finalPath,
        bytes,
        durationMs,
        kept,
        deleted,
        removedPartials,
        neededBytes: space.neededBytes,
        freeBytes: space.freeBytes,
        entries,
        pgDump: clientVersion,
      },
    } satisfies ExecutionResult;
  };
}

/**
 * Fails, before pg_dump writes a byte, when the file system of the task's folder has less room than
 * the archive is expected to take. A best effort, not a reservation: a dump that still runs out of
 * space fails on ENOSPC and its partial file is removed.
 */
async function checkFreeSpace(
  deps: ExecutorDeps,
  taskDir: string,
  prefix: string,
  context: ExecutionContext,
): Promise<{ neededBytes: number; freeBytes: number }> {
  // A task's first run after the upgrade to per-task folders goes by the archives of the same database
  // written before it, at BACKUP_DIR's top level: the table data over-estimates several times
  // (measured in backup-policy.ts).
  const lastArchiveBytes =
    (await newestArchiveBytes(taskDir, prefix)) ?? (await newestArchiveBytes(deps.backupDir, prefix));
  const tableBytes = lastArchiveBytes === undefined ? await readTableDataBytes(deps.targetPool) : 0;
  const estimate = estimateArchiveBytes({ lastArchiveBytes, tableBytes });
  throwIfAborted(context.signal);
  const freeBytes = await (deps.readFreeBytes ?? readFreeBytes)(taskDir);
  const basis =
    estimate.basis === 'last_archive'
      ? `${ARCHIVE_GROWTH_FACTOR} × the last archive`
      : 'the size of the table data, first backup of this task';
  if (estimate.bytes > freeBytes) {
    throw new AppError(
      'executor_failed',
      `not enough free space in BACKUP_DIR (${deps.backupDir}): need about ${formatMegabytes(estimate.bytes)}, ${formatMegabytes(freeBytes)} free (estimate: ${basis}). Free some space or point BACKUP_DIR at a larger disk.`,
      'BACKUP_DIR',
    );
  }
  context.log.info(
    `free space: need about ${formatMegabytes(estimate.bytes)} (${basis}), ${formatMegabytes(freeBytes)} free`,
  );
  return { neededBytes: estimate.bytes, freeBytes };
}

/**
 * What pg_dump will read: every ordinary table with its TOAST (not its indexes), temporary tables of
 * other sessions and system catalogs aside, plus large objects (pg_dump includes them).
 */
async function readTableDataBytes(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ bytes: number }>(
    `select (coalesce(sum(pg_table_size(c.oid)), 0) + pg_table_size('pg_catalog.pg_largeobject'))::float8 as bytes
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and c.relpersistence <> 't'
        and n.nspname not in ('pg_catalog', 'information_schema')`,
  );
  return rows[0]?.bytes ?? 0;
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

function lastLines(text: string, count = 5): string {
  return text.trim().split('\n').slice(-count).join(' | ').slice(0, 1000);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
