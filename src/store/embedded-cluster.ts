import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { canAccess, type RunAs, SUPERUSER, safeEnv } from './embedded-os-user.js';

/**
 * The embedded server's data folder and its cluster (docs/RELIABILITY.md, the embedded data folder):
 * where `pgdata` lives, and its initialisation by initdb. The folder is never wiped: only an absent or
 * empty `pgdata` is initialised.
 */

/** `requested/pgdata`, or a folder under /var/lib/chronops when the server's user cannot reach it. */
export function resolveDataDir(
  requested: string,
  runAs: RunAs | undefined,
  logger: Logger | undefined,
): string {
  mkdirSync(requested, { recursive: true, mode: 0o700 });
  const dataDir = join(requested, 'pgdata');
  if (!runAs) return dataDir;
  // The server process (user postgres) owns its folder and must traverse every parent of it.
  chownSync(requested, runAs.uid, runAs.gid);
  if (canAccess(requested, runAs, '-w')) return dataDir;
  const fallback = join(
    '/var/lib/chronops',
    `data-${createHash('sha256').update(requested).digest('hex').slice(0, 12)}`,
  );
  logger?.warn(
    { requested, fallback },
    'the postgres OS user cannot reach the data folder; using a folder under /var/lib/chronops instead',
  );
  mkdirSync('/var/lib/chronops', { recursive: true, mode: 0o755 });
  mkdirSync(fallback, { recursive: true, mode: 0o700 });
  chownSync(fallback, runAs.uid, runAs.gid);
  return join(fallback, 'pgdata');
}

/** initdb into an absent or empty `dataDir`, with a new random superuser password in `passwordFile`. */
export function initialiseCluster(
  binDir: string,
  dataDir: string,
  passwordFile: string,
  runAs: RunAs | undefined,
): void {
  // Never wipe: a folder without PG_VERSION may be a restore in progress or a damaged cluster someone
  // still needs. Only an absent or empty folder is initialised.
  const existed = existsSync(dataDir);
  if (existed && !isEmptyFolder(dataDir)) {
    throw new AppError(
      'database_unavailable',
      `The embedded database folder ${dataDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION): move its contents away or point CHRONOPS_DATA_DIR at an empty folder.`,
    );
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (runAs) chownSync(dataDir, runAs.uid, runAs.gid);
  const password = randomBytes(18).toString('base64url');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (runAs) chownSync(passwordFile, runAs.uid, runAs.gid);
  try {
    execFileSync(
      join(binDir, 'initdb'),
      [
        `--pgdata=${dataDir}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ],
      { stdio: 'pipe', ...(runAs ?? {}), env: { ...safeEnv(), LC_ALL: 'C' } },
    );
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    // The folder was empty or absent before initdb: what is in it now is initdb's half-made cluster.
    if (existed) {
      for (const entry of readdirSync(dataDir))
        rmSync(join(dataDir, entry), { recursive: true, force: true });
    } else rmSync(dataDir, { recursive: true, force: true });
    throw new AppError(
      'database_unavailable',
      `initdb failed for ${dataDir}: ${stderr.trim() || (error as Error).message}`,
      undefined,
      { cause: error },
    );
  }
}

/** True for an empty folder; throws a sentence when the path is a file. */
function isEmptyFolder(path: string): boolean {
  if (!statSync(path).isDirectory()) {
    throw new AppError(
      'database_unavailable',
      `The embedded database folder ${path} is a file, not a folder: move it away or point CHRONOPS_DATA_DIR elsewhere.`,
    );
  }
  return readdirSync(path).length === 0;
}
