import { pathToFileURL } from 'node:url';
import { type Config, ConfigError, loadConfig } from './config.js';
import { configSecrets, type RunningService, startService } from './service/start-service.js';
import { toError } from './shared/errors.js';
import { createLogger } from './shared/logger.js';
import { createSecretSet } from './shared/redact.js';

/**
 * The entry point (`npm start`): reads the configuration, starts the service (src/service/
 * start-service.ts, the composition root) and stops it gracefully on SIGINT or SIGTERM.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`chronops: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const secrets = createSecretSet(configSecrets(config));
  const logger = createLogger({ level: config.logLevel, redact: secrets.redact });
  let service: RunningService;
  try {
    service = await startService(config, logger, secrets);
  } catch (error) {
    logger.fatal({ err: toError(error) }, `chronops could not start: ${toError(error).message}`);
    process.exit(1);
  }
  // The sandbox cannot be opened without its printed URL: say it even when LOG_LEVEL hides info lines.
  if (service.sandbox && !logger.isLevelEnabled('info'))
    process.stderr.write(`chronops: open ${service.sandbox.pageUrlWithToken} for the sandbox workspace\n`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(
      { signal, graceSeconds: config.scheduler.shutdownGraceSeconds },
      `shutting down: no new claims; waiting up to ${config.scheduler.shutdownGraceSeconds} s for running executions, alert deliveries and Slack requests`,
    );
    service
      .stop()
      .then(() => {
        logger.info('stopped cleanly');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: toError(error) }, 'error while stopping');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main();
}
