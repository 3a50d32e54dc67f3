import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../shared/logger.js';
import type { ConnectedDatabase } from '../store/connect.js';
import { DEMO_TABLES } from '../store/demo-schema.js';
import { ensureTaskLogin } from '../store/task-login.js';

/**
 * The restricted login user SQL runs as (docs/SECURITY.md): TASK_DATABASE_URL when set; on the embedded
 * database with no other target, the one chronops creates and keeps; otherwise none, and tasks carrying
 * SQL are refused with a sentence saying how to set one up.
 */
export async function resolveTaskLogin(
  config: Config,
  database: ConnectedDatabase,
  logger: Logger,
): Promise<string | undefined> {
  if (config.taskDatabaseUrl) return config.taskDatabaseUrl;
  if (database.source === 'embedded' && !config.targetDatabaseUrl) {
    return ensureTaskLogin(database.pool, {
      serviceUrl: database.url,
      passwordFile: join(config.dataDir, 'task-password'),
      grantTables: DEMO_TABLES,
    });
  }
  logger.warn(
    'TASK_DATABASE_URL is not set: tasks that run SQL written by a person (custom SQL, custom notification queries) are refused until it names a restricted login (README, "The restricted task login")',
  );
  return undefined;
}
