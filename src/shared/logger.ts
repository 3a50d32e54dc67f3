import { type Logger, pino } from 'pino';
import { REDACTED, type Redactor, redactDeep } from './redact.js';

export type { Logger };

/**
 * Fields that hold a secret whatever their value: censored by pino's own redaction, at the top level
 * and one object down (`{ config: { botToken } }`).
 */
const SECRET_KEYS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'password',
  'secret',
  'authorization',
  'PGPASSWORD',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
];
const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
];

/**
 * Structured JSON logs (pino). Child loggers carry `taskId`/`executionId` so one execution's lines can be
 * found in aggregated logs. With `redact`, no line carries a known secret or a URL password: secret
 * fields are censored by path, and every string (message, fields, serialized errors) goes through
 * `redact` (docs/SECURITY.md).
 */
export function createLogger(
  options: { level: string; name?: string; redact?: Redactor } = { level: 'info' },
  destination?: pino.DestinationStream,
): Logger {
  const { redact } = options;
  const settings: pino.LoggerOptions = {
    name: options.name ?? 'chronops',
    level: options.level,
    base: null,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    formatters: {
      level: (label) => ({ level: label }),
      ...(redact ? { log: (object: Record<string, unknown>) => redactDeep(object, redact) } : {}),
    },
    hooks: redact
      ? {
          logMethod(args, method) {
            method.apply(
              this,
              args.map((arg) => (typeof arg === 'string' ? redact(arg) : arg)) as Parameters<typeof method>,
            );
          },
        }
      : {},
  };
  return destination ? pino(settings, destination) : pino(settings);
}

/** A logger that drops everything; for tests and benchmarks. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
