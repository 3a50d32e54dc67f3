import { IANAZone } from 'luxon';
import { z } from 'zod';

/**
 * Every variable the service reads, with its type, range and default (zod). Cross-variable rules are
 * in problems.ts; README.md and .env.example document them.
 */

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/**
 * A credential or connection string: unset is fine, but set to an empty or blank value is a mistake
 * (an emptied secret in a deployment file), never read as "unset" — an empty DATABASE_URL would
 * otherwise start the embedded database and the sandbox, an empty token would start the sandbox.
 */
const nonEmptyIfSet = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    if (trimmed === '') {
      ctx.addIssue({ code: 'custom', message: 'is set but empty: remove it or give it a value' });
      return z.NEVER;
    }
    return trimmed;
  });

const intInRange = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      if (!/^-?\d+$/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number between ${min} and ${max}` });
        return z.NEVER;
      }
      const parsed = Number(value);
      if (parsed < min || parsed > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number between ${min} and ${max}` });
        return z.NEVER;
      }
      return parsed;
    });

/** Unset or empty means "use the default"; any other value must say true or false. */
const optionalBooleanFlag = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === '') return undefined;
    const lowered = value.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(lowered)) return true;
    if (['0', 'false', 'no', 'off'].includes(lowered)) return false;
    ctx.addIssue({ code: 'custom', message: 'must be true or false' });
    return z.NEVER;
  });

const booleanFlag = (fallback: boolean) => optionalBooleanFlag.transform((value) => value ?? fallback);

const postgresUrl = nonEmptyIfSet.refine(
  (value) => value === undefined || /^postgres(ql)?:\/\//.test(value),
  'must be a PostgreSQL URL such as postgres://user:password@host:5432/database',
);

const idList = optionalText.transform((value) =>
  value === undefined
    ? []
    : value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
);

const slackIdList = idList.refine(
  (ids) => ids.every((id) => /^[USWG][A-Z0-9]{2,}$/.test(id)),
  'must be a comma-separated list of Slack user ids (U…/W…) or user-group ids (S…)',
);

export const envSchema = z.object({
  PORT: intInRange(0, 65_535, 3000),
  HOST: optionalText,
  HTTP_MAX_CONNECTIONS: intInRange(1, 100_000, 512),
  HTTP_HEADERS_TIMEOUT_SECONDS: intInRange(1, 600, 10),
  HTTP_REQUEST_TIMEOUT_SECONDS: intInRange(1, 3600, 30),
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: intInRange(1, 600, 5),
  LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
      error: 'must be one of trace, debug, info, warn, error, fatal, silent',
    })
    .default('info'),
  LOCALE: z.enum(['en', 'fr'], { error: 'must be en or fr' }).default('en'),
  DEFAULT_TIMEZONE: z
    .string()
    .default('Europe/Paris')
    .refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as Europe/Paris'),

  DATABASE_URL: postgresUrl,
  TARGET_DATABASE_URL: postgresUrl,
  TASK_DATABASE_URL: postgresUrl,
  CHRONOPS_DATA_DIR: optionalText,
  DEMO_DATA: booleanFlag(true),

  SLACK_BOT_TOKEN: nonEmptyIfSet.refine(
    (value) => value === undefined || value.startsWith('xoxb-'),
    'must be a bot token starting with xoxb-',
  ),
  SLACK_SIGNING_SECRET: nonEmptyIfSet,
  SLACK_APP_TOKEN: nonEmptyIfSet.refine(
    (value) => value === undefined || value.startsWith('xapp-'),
    'must be an app-level token starting with xapp-',
  ),
  SLACK_API_URL: optionalText.refine(
    (value) => value === undefined || /^https?:\/\/.+\/$/.test(value),
    'must be an http(s) URL ending with a slash, such as https://slack.com/api/',
  ),
  ALERT_CHANNEL: optionalText,
  ALERT_RETRY_FOR_MINUTES: intInRange(1, 10_080, 60),
  CHRONOPS_SANDBOX: optionalBooleanFlag,
  SLACK_ADMINS: slackIdList,
  SLACK_OPERATORS: slackIdList,

  WORKER_ID: optionalText,
  LEASE_SECONDS: intInRange(5, 3600, 12),
  HEARTBEAT_SECONDS: intInRange(1, 600, 3),
  WORKER_LIVENESS: booleanFlag(true),
  POLL_INTERVAL_MS: intInRange(50, 600_000, 30_000),
  CLAIM_BATCH_SIZE: intInRange(1, 10_000, 100),
  MAX_CONCURRENT_EXECUTIONS: intInRange(1, 100_000, 50),
  SCHEDULER_POOL_SIZE: intInRange(2, 1000, 10),
  EXECUTOR_POOL_SIZE: intInRange(1, 1000, 10),
  OUTBOX_POOL_SIZE: intInRange(1, 100, 3),
  HTTP_POOL_SIZE: intInRange(1, 100, 2),
  SLACK_POOL_SIZE: intInRange(1, 1000, 10),
  SHUTDOWN_GRACE_SECONDS: intInRange(0, 3600, 30),
  MIGRATION_LOCK_WAIT_SECONDS: intInRange(1, 86_400, 120),
  CATCHUP_WINDOW_SECONDS: intInRange(0, 30 * 86_400, 86_400),
  MAX_CATCHUP_RUNS: intInRange(1, 1000, 10),
  MISFIRE_THRESHOLD_SECONDS: intInRange(1, 86_400, 60),
  RETRY_BACKOFF_SECONDS: intInRange(1, 86_400, 30),
  RETRY_BACKOFF_MAX_SECONDS: intInRange(1, 86_400, 900),
  RETENTION_SUCCESS_DAYS: intInRange(1, 3650, 30),
  RETENTION_FAILURE_DAYS: intInRange(1, 3650, 90),

  BACKUP_DIR: optionalText,
  PG_DUMP_PATH: optionalText,
  SCRIPTS_DIR: optionalText,
  TASK_DB_ROLE: optionalText,
  CUSTOM_RESULT_MAX_ROWS: intInRange(1, 1_000_000, 1000),
  CUSTOM_RESULT_MAX_BYTES: intInRange(1024, 1024 * 1024 * 1024, 1024 * 1024),
  HEARTBEAT_URL: optionalText.refine(
    (value) => value === undefined || /^https?:\/\//.test(value),
    'must be an http(s) URL',
  ),
});

export type Env = z.infer<typeof envSchema>;
