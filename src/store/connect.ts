import type { Logger } from '../shared/logger.js';
import { createDatabase, type DatabaseHandle, runMigrations, waitForDatabase } from './database.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

/** What connecting needs, as plain values: the store does not read the app's configuration itself. */
export interface ConnectOptions {
  /** DATABASE_URL; undefined starts (or reuses) the embedded server. */
  readonly databaseUrl: string | undefined;
  /** Where the embedded server keeps its data. */
  readonly dataDir: string;
  /** Size of the scheduler's pool. */
  readonly poolMax: number;
  /** Shown in pg_stat_activity, so an operator can tell replicas apart. */
  readonly applicationName: string;
  /** How long to wait for the migration lock before giving up, naming its holder. */
  readonly migrationLockWaitMs?: number;
}

export interface ConnectedDatabase extends DatabaseHandle {
  readonly url: string;
  /** 'embedded' when this process found or started the embedded server. */
  readonly source: 'embedded' | 'url';
  /** Closes the pool, then stops the embedded server if this process started it. */
  shutdown(): Promise<void>;
}

/**
 * DATABASE_URL when set, otherwise the embedded PostgreSQL in the data folder; then migrations, under an
 * advisory lock so replicas starting together are safe.
 */
export async function connectDatabase(
  options: ConnectOptions,
  logger: Logger,
  sleep: (ms: number) => Promise<void>,
): Promise<ConnectedDatabase> {
  let url = options.databaseUrl;
  let stopEmbedded = async () => {};
  if (!url) {
    const embedded = await startEmbeddedPostgres({ dataDir: options.dataDir, logger });
    url = embedded.url;
    stopEmbedded = () => embedded.stop();
    logger.info(
      { dataDir: embedded.dataDir, port: embedded.port, reused: !embedded.owned },
      `embedded PostgreSQL on 127.0.0.1:${embedded.port} (data in ${embedded.dataDir})`,
    );
  }
  const handle = createDatabase(url, {
    max: options.poolMax,
    applicationName: options.applicationName,
  });
  try {
    await waitForDatabase(handle.pool, 30_000, sleep);
    await runMigrations(handle.pool, {
      ...(options.migrationLockWaitMs !== undefined ? { waitMs: options.migrationLockWaitMs } : {}),
      log: (message) => logger.warn(message),
    });
  } catch (error) {
    await handle.close().catch(() => {});
    await stopEmbedded();
    throw error;
  }
  return {
    ...handle,
    url,
    source: options.databaseUrl ? 'url' : 'embedded',
    shutdown: async () => {
      await handle.close();
      await stopEmbedded();
    },
  };
}
