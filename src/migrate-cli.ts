import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, databaseConnectOptions, loadConfig } from './config.js';
import { toError } from './shared/errors.js';
import { createLogger } from './shared/logger.js';
import { connectDatabase } from './store/connect.js';

// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database) and exits.
try {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const database = await connectDatabase(databaseConnectOptions(config), logger, (ms) => sleep(ms));
  logger.info('migrations applied');
  await database.shutdown();
} catch (error) {
  process.stderr.write(
    `chronops: ${error instanceof ConfigError ? error.message : toError(error).message}\n`,
  );
  process.exit(1);
}
