import { existsSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * What the data folder's `postmaster.pid` (PostgreSQL's lock file) says. Line 1 is the server's pid,
 * line 4 its port. After a container restart the file survives but pids start again from 1, so its pid
 * may now belong to any other process; PostgreSQL refuses to start while that pid is alive (as the same
 * OS user), and a service restarted by its supervisor would crash-loop. We only trust the file when its
 * pid is a postgres serving this very folder.
 */
export type PostmasterPid =
  | { readonly kind: 'absent' }
  /** Empty or half-written (a server writing it right now): leave it to PostgreSQL. */
  | { readonly kind: 'unreadable' }
  | { readonly kind: 'running'; readonly pid: number; readonly port: number }
  | { readonly kind: 'stale'; readonly pid: number; readonly reason: string; readonly content: string };

/** Reads `<dataDir>/postmaster.pid` and decides whether a server of this folder is alive. */
export function inspectPostmasterPid(dataDir: string): PostmasterPid {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return { kind: 'absent' };
  const content = readFileSync(file, 'utf8');
  const lines = content.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return { kind: 'unreadable' };
  if (!isAlive(pid)) return { kind: 'stale', pid, reason: 'no process has that pid', content };
  const owner = servesDataDir(pid, dataDir);
  if (owner === false) {
    return {
      kind: 'stale',
      pid,
      reason: 'that pid belongs to another process (not a postgres of this data folder)',
      content,
    };
  }
  // owner === undefined: no /proc to ask (not Linux); a live pid is all we can know.
  return { kind: 'running', pid, port };
}

/**
 * Removes a stale lock file, unless it changed since it was inspected (a server starting right now
 * rewrote it: that file is not stale). Returns whether it was removed.
 */
export function removeStalePostmasterPid(dataDir: string, stale: { content: string }): boolean {
  const file = join(dataDir, 'postmaster.pid');
  try {
    if (readFileSync(file, 'utf8') !== stale.content) return false;
    rmSync(file);
    return true;
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Linux: true when `pid` runs a `postgres` (or `postmaster`) binary whose command line names this data
 * folder, or whose working directory is it (the postmaster chdirs into its data folder); false when
 * it does not; undefined when /proc cannot tell (another system).
 */
export function servesDataDir(pid: number, dataDir: string): boolean | undefined {
  if (!existsSync('/proc/self/cmdline')) return undefined;
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\u0000').filter(Boolean);
  } catch {
    // The process ended between the two looks, or hides its command line: not a server we can trust.
    return false;
  }
  const program = basename(argv[0] ?? '');
  if (!/^(postgres|postmaster)$/.test(program)) return false;
  const folders = new Set([dataDir, realPath(dataDir)]);
  if (argv.some((arg) => folders.has(arg))) return true;
  try {
    return folders.has(readlinkSync(`/proc/${pid}/cwd`));
  } catch {
    // Another user's process and we are not root: its cwd is hidden, and its command line did not match.
    return false;
  }
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
