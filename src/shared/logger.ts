import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * Structured JSON logs (pino). Child loggers carry `taskId`/`executionId` so one execution's lines can be
 * found in aggregated logs.
 */
export function createLogger(options: { level: string; name?: string } = { level: 'info' }): Logger {
  return pino({
    name: options.name ?? 'chronops',
    level: options.level,
    base: null,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

/** A logger that drops everything; for tests and benchmarks. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
