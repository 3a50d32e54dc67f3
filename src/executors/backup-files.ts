// The backup executor's file-system side: private folders and files, leftover partials, retention and
// free space. The decisions themselves are in backup-policy.ts.
import { chmod, lstat, mkdir, open, readdir, rm, stat, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { OverlapPolicy } from '../domain/task-types.js';
import { AppError } from '../shared/errors.js';
import { isPartialOf, type PartialFile, selectLeftoverPartials, selectRetention } from './backup-policy.js';
import type { ExecutionLog } from './types.js';

/** Archives and partials: read and written by their owner only (they hold the whole database). */
export const ARCHIVE_MODE = 0o600;
/** BACKUP_DIR and each task's folder in it. */
export const FOLDER_MODE = 0o700;

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/**
 * Makes `path` a folder only its owner can enter. A missing one is created 0700 (its parents are
 * created with the default mode: the data folder above the default BACKUP_DIR has an owner and mode of
 * its own, see store/embedded-cluster.ts). An existing one open to group or others is tightened to
 * 0700, with a warning in the execution log: the archives in it are 0600 anyway, so no reader loses
 * anything it could use, and nobody else can delete, swap or plant an archive any more.
 *
 * Refused, with what to do, when it cannot be tightened: chmod fails only for a folder of another
 * user, which chronops could write to only through group or other write access — the very access that
 * lets someone replace an archive with a crafted one that runs SQL when restored.
 */
export async function ensurePrivateFolder(path: string, label: string, log: ExecutionLog): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  try {
    await mkdir(path, { mode: FOLDER_MODE });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const info = await stat(path);
  if (!info.isDirectory()) {
    throw new AppError('executor_failed', `${label} ${path} exists but is not a folder.`, 'BACKUP_DIR');
  }
  const mode = info.mode & 0o777;
  if ((mode & 0o077) === 0) return;
  try {
    await chmod(path, FOLDER_MODE);
  } catch (error) {
    throw new AppError(
      'executor_failed',
      `${label} ${path} is open to other users (mode ${octal(mode)}) and chronops cannot make it private (${(error as NodeJS.ErrnoException).code ?? String(error)}): make it mode 0700, owned by the user chronops runs as, or point BACKUP_DIR at a folder of its own.`,
      'BACKUP_DIR',
      { cause: error },
    );
  }
  log.warn(
    `${label} ${path} was open to other users (mode ${octal(mode)}): made it 0700, so only its owner can read, delete or replace backups`,
  );
}

/**
 * Creates this run's `.partial` file, mode 0600, before pg_dump opens it: pg_dump truncates an existing
 * file and keeps its mode, whereas a file it creates itself gets 0644 under the usual umask (checked
 * with pg_dump 15). `wx` refuses a file already there, symlinks included. Returns the file's mtime:
 * "now" on the file system's own clock.
 */
export async function createPrivateFile(path: string): Promise<number> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', ARCHIVE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new AppError(
      'executor_failed',
      `${path} already exists: another run of this task started in the same second is writing it.`,
      undefined,
      { cause: error },
    );
  }
  try {
    // The umask may only have removed bits; state the mode exactly.
    await handle.chmod(ARCHIVE_MODE);
    return (await handle.stat()).mtimeMs;
  } finally {
    await handle.close();
  }
}

/**
 * Removes the `.partial` files of this prefix in a task's folder that no run will finish (see
 * selectLeftoverPartials), never `ownName` and never a name of another pattern. `nowMs` is on the
 * file system's clock.
 */
export async function removeLeftoverPartials(
  dir: string,
  prefix: string,
  ownName: string,
  options: { overlapPolicy: OverlapPolicy; timeoutSeconds: number; nowMs: number },
): Promise<{ removed: string[]; young: string[] }> {
  const partials: PartialFile[] = [];
  for (const name of await readdir(dir)) {
    if (name === ownName || !isPartialOf(name, prefix)) continue;
    const info = await lstat(join(dir, name)).catch(() => undefined);
    if (info?.isFile()) partials.push({ name, modifiedAtMs: info.mtimeMs });
  }
  const { leftover, young } = selectLeftoverPartials(partials, options);
  for (const name of leftover) await rm(join(dir, name), { force: true });
  return { removed: leftover, young };
}

/** Deletes the archives of this prefix in `dir` beyond the newest `keep`; other names are left alone. */
export async function applyRetention(
  dir: string,
  prefix: string,
  keep: number,
): Promise<{ kept: number; deleted: string[] }> {
  const { kept, doomed } = selectRetention(await readdir(dir), prefix, keep);
  for (const name of doomed) await rm(join(dir, name), { force: true });
  return { kept: kept.length, deleted: doomed };
}

/** Size in bytes of the newest archive of this prefix in `dir`; undefined when there is none. */
export async function newestArchiveBytes(dir: string, prefix: string): Promise<number | undefined> {
  const [newest] = selectRetention(await readdir(dir), prefix, 1).kept;
  if (newest === undefined) return undefined;
  return (await stat(join(dir, newest))).size;
}

/**
 * Bytes an unprivileged writer may still use on the file system holding `dir` (statfs `bavail`, not
 * `bfree`: a service running as root could dip into the blocks reserved for root, but should not).
 */
export async function readFreeBytes(dir: string): Promise<number> {
  const info = await statfs(dir);
  return info.bavail * info.bsize;
}
