// The backup executor's decisions, as pure functions: archive names, what retention deletes, which
// leftover `.partial` files are safe to remove, and how much space a dump needs.
import type { OverlapPolicy } from '../domain/task-types.js';

/** How much a database may grow between two runs before the free-space check lets a dump start short. */
export const ARCHIVE_GROWTH_FACTOR = 1.5;

/** `2026-11-28T10:00:05.123Z` → `20261128T100005Z`. */
export function compactTimestamp(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/** The database name as a file-name prefix: anything but letters, digits, `_`, `.` and `-` becomes `_`. */
export function archivePrefix(database: string): string {
  return database.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** `<prefix>-YYYYMMDDTHHmmssZ.dump`, the instant in UTC. */
export function archiveName(prefix: string, at: Date): string {
  return `${prefix}-${compactTimestamp(at)}.dump`;
}

/**
 * The folder of one task's archives, under BACKUP_DIR: its id, which never changes (a name does, and
 * a renamed task would lose track of its archives). Ids are UUIDs; anything else is refused rather
 * than joined into a path.
 */
export function taskFolderName(taskId: string): string {
  if (!/^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$/.test(taskId)) {
    throw new Error(`not a task id: ${JSON.stringify(taskId)}`);
  }
  return taskId.toLowerCase();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

function archivePattern(prefix: string, suffix: string): RegExp {
  return new RegExp(`^${escapeRegExp(prefix)}-\\d{8}T\\d{6}Z\\.dump${escapeRegExp(suffix)}$`);
}

/** A finished archive of this prefix (`<prefix>-<stamp>.dump`); any other name is not ours to touch. */
export function isArchiveOf(name: string, prefix: string): boolean {
  return archivePattern(prefix, '').test(name);
}

/** A dump in progress, or left by a crashed one, of this prefix (`<prefix>-<stamp>.dump.partial`). */
export function isPartialOf(name: string, prefix: string): boolean {
  return archivePattern(prefix, '.partial').test(name);
}

/**
 * Retention: the newest `keep` archives of this prefix are kept (names sort by time), older ones
 * deleted. Names that are not archives of this prefix are neither kept nor deleted: they are not ours.
 */
export function selectRetention(
  names: readonly string[],
  prefix: string,
  keep: number,
): { kept: string[]; doomed: string[] } {
  const archives = names
    .filter((name) => isArchiveOf(name, prefix))
    .sort()
    .reverse();
  return { kept: archives.slice(0, keep), doomed: archives.slice(keep) };
}

export interface PartialFile {
  name: string;
  /** Last modification, in ms since the epoch, on the file system's clock. */
  modifiedAtMs: number;
}

/**
 * Which `.partial` files in a task's folder are left over from a dump that will never finish.
 *
 * - `skip` and `queue`: the engine never runs two executions of a task at once, so any partial but this
 *   run's own is a leftover (a crash, a kill -9, a lost replica).
 * - `allow`: another run of this task may be dumping right now. A live run is aborted at the task's
 *   timeout, and its partial was created after it started, so only a partial untouched for longer than
 *   the timeout is surely a leftover; younger ones are kept (and removed by a later run).
 *
 * `nowMs` must be on the file system's clock (the mtime of a file just created there), so a clock
 * difference between this host, the database and a network file system cannot make a live file look old.
 */
export function selectLeftoverPartials(
  partials: readonly PartialFile[],
  options: { overlapPolicy: OverlapPolicy; timeoutSeconds: number; nowMs: number },
): { leftover: string[]; young: string[] } {
  const leftover: string[] = [];
  const young: string[] = [];
  for (const partial of partials) {
    const ageMs = options.nowMs - partial.modifiedAtMs;
    if (options.overlapPolicy !== 'allow' || ageMs > options.timeoutSeconds * 1000)
      leftover.push(partial.name);
    else young.push(partial.name);
  }
  return { leftover: leftover.sort(), young: young.sort() };
}

/**
 * Bytes a new archive is expected to take, for the free-space check before a dump.
 *
 * - With an earlier archive of this database: its size × ARCHIVE_GROWTH_FACTOR. Same database, same
 *   format and compression: the best predictor there is, with room for growth between two runs.
 * - First run: the size of the data pg_dump will read — tables with their TOAST, and large objects —
 *   without indexes (an archive holds their definitions, not their pages) nor system catalogs. Measured
 *   with pg_dump 15, `--compress=6`: the demo database's archive is 21 % of that figure, 200,000 rows of
 *   text 7 %, random bytea (incompressible) 100.1 %. A first run may thus ask for several times the room
 *   it uses, rarely less; the next runs go by the real archive.
 */
export function estimateArchiveBytes(input: { lastArchiveBytes: number | undefined; tableBytes: number }): {
  bytes: number;
  basis: 'last_archive' | 'table_data';
} {
  if (input.lastArchiveBytes !== undefined && input.lastArchiveBytes > 0) {
    return { bytes: Math.ceil(input.lastArchiveBytes * ARCHIVE_GROWTH_FACTOR), basis: 'last_archive' };
  }
  return { bytes: Math.max(0, input.tableBytes), basis: 'table_data' };
}

/** Bytes as megabytes (10⁶ bytes) for messages: two decimals below 1 MB, one below 10 MB, whole above. */
export function formatMegabytes(bytes: number): string {
  const megabytes = bytes / 1_000_000;
  if (megabytes < 1) return `${megabytes.toFixed(2)} MB`;
  if (megabytes < 10) return `${megabytes.toFixed(1)} MB`;
  return `${Math.round(megabytes).toLocaleString('en-US')} MB`;
}
