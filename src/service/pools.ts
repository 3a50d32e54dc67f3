import type { Config } from '../config.js';
import { createDatabase, type DatabaseHandle } from '../store/database.js';

/**
 * One bounded pool per role (docs/ENGINE.md, "Connections"): the scheduler's claims, heartbeats and
 * settlements keep the service pool to themselves, so executors holding every connection of theirs (a
 * clean-up blocked on a lock, a long report) cannot delay a heartbeat past the lease.
 */
export interface RolePools {
  /** The Slack side: a burst of clicks queues there (up to 30 s) instead of failing. */
  slack: DatabaseHandle;
  outbox: DatabaseHandle;
  http: DatabaseHandle;
  /** The executors' target database; they wait for a connection up to their own timeout. */
  executors: DatabaseHandle;
  /** chronops's own tables for the executors when the target is another database. */
  executorService: DatabaseHandle | undefined;
  close(): Promise<void>;
}

export function createRolePools(config: Config, serviceUrl: string): RolePools {
  const sizes = config.pools;
  const slack = createDatabase(serviceUrl, {
    max: sizes.slack,
    applicationName: 'chronops:slack',
    connectionTimeoutMs: 30_000,
  });
  const outbox = createDatabase(serviceUrl, { max: sizes.outbox, applicationName: 'chronops:outbox' });
  const http = createDatabase(serviceUrl, { max: sizes.http, applicationName: 'chronops:http' });
  const executors = createDatabase(config.targetDatabaseUrl ?? serviceUrl, {
    max: sizes.executors,
    applicationName: 'chronops:tasks',
    connectionTimeoutMs: 60_000,
  });
  const executorService = config.targetDatabaseUrl
    ? createDatabase(serviceUrl, {
        max: 2,
        applicationName: 'chronops:tasks-service',
        connectionTimeoutMs: 60_000,
      })
    : undefined;
  return {
    slack,
    outbox,
    http,
    executors,
    executorService,
    close: async () => {
      await executors.close();
      await executorService?.close();
      await outbox.close();
      await http.close();
      await slack.close();
    },
  };
}
