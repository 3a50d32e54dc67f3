import type { IncomingMessage, ServerResponse } from 'node:http';
import { toError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

/** Socket Mode's connection as /healthz reports it (src/slack/app.ts). */
export type SlackState = 'connecting' | 'connected' | 'disconnected';

export interface HealthDeps {
  /** Reads the database (a `select 1` and the outbox backlog); rejects when it cannot be reached. */
  readDatabase(): Promise<{ outboxBacklog: number }>;
  readonly scheduler: {
    lastTickAt(): Date | null;
    nextWakeAt(): Date | null;
    runningCount(): number;
  };
  nowMs(): number;
  /** The scheduler's safety poll: an idle loop ticks at least this often. */
  readonly pollIntervalMs: number;
  /** Socket Mode's connection; undefined over HTTP and in the sandbox (nothing to connect to). */
  slackState?: () => SlackState | undefined;
  readonly logger: Logger;
}

/** A failing database is logged once, then at most once a minute while it keeps failing. */
const FAILURE_LOG_INTERVAL_MS = 60_000;

/**
 * GET /healthz (README, "Operations"). 200 while the scheduler loop is alive and the database answers;
 * 503 otherwise. Slack's state is reported, never counted: the scheduler keeps running during a Slack
 * outage, and a restart would not bring Slack back. On a database failure the body says only
 * `"database": "down"`: the driver's message names hosts, users and databases, which the probe's
 * caller has no need to know; the log line has it.
 */
export function createHealthEndpoint(deps: HealthDeps) {
  let lastFailureLoggedAt: number | undefined;
  let failuresSinceLog = 0;
  const send = (response: ServerResponse, status: number, body: Record<string, unknown>) => {
    response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify(body));
  };
  return (_request: IncomingMessage, response: ServerResponse): void => {
    const lastTick = deps.scheduler.lastTickAt();
    const tickAgeMs = lastTick ? Math.round(deps.nowMs() - lastTick.getTime()) : null;
    // An idle loop sleeps up to the poll interval between ticks: alive while it ticked within that and a
    // margin, or while it is sleeping towards a wake-up that is not overdue.
    const nextWake = deps.scheduler.nextWakeAt();
    const loopAlive =
      tickAgeMs !== null &&
      (tickAgeMs < deps.pollIntervalMs + 10_000 ||
        (nextWake !== null && nextWake.getTime() > deps.nowMs() - 10_000));
    const slack = deps.slackState?.();
    const slackField = slack === undefined ? {} : { slack };
    deps.readDatabase().then(
      ({ outboxBacklog }) => {
        if (lastFailureLoggedAt !== undefined) {
          deps.logger.info('the database answers /healthz again');
          lastFailureLoggedAt = undefined;
          failuresSinceLog = 0;
        }
        send(response, loopAlive ? 200 : 503, {
          status: loopAlive ? 'ok' : 'degraded',
          database: 'up',
          scheduler: loopAlive ? 'alive' : 'stalled',
          lastTickAgeMs: tickAgeMs,
          running: deps.scheduler.runningCount(),
          outboxBacklog,
          ...slackField,
        });
      },
      (error: unknown) => {
        failuresSinceLog += 1;
        const now = deps.nowMs();
        if (lastFailureLoggedAt === undefined || now - lastFailureLoggedAt >= FAILURE_LOG_INTERVAL_MS) {
          deps.logger.warn(
            { err: toError(error), failedChecks: failuresSinceLog },
            `/healthz: the database does not answer: ${toError(error).message}`,
          );
          lastFailureLoggedAt = now;
          failuresSinceLog = 0;
        }
        send(response, 503, {
          status: 'down',
          database: 'down',
          scheduler: loopAlive ? 'alive' : 'stalled',
          lastTickAgeMs: tickAgeMs,
          ...slackField,
        });
      },
    );
  };
}

/**
 * GET /metrics: the registry's text, or 500 with a fixed sentence (a failing collector's message may
 * name the database, as above), the error in the log.
 */
export function createMetricsEndpoint(deps: {
  collect(): Promise<string>;
  readonly contentType: string;
  readonly logger: Logger;
}) {
  return (_request: IncomingMessage, response: ServerResponse): void => {
    deps.collect().then(
      (text) => {
        response.writeHead(200, { 'content-type': deps.contentType });
        response.end(text);
      },
      (error: unknown) => {
        deps.logger.warn({ err: toError(error) }, `/metrics: could not collect: ${toError(error).message}`);
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('metrics unavailable: see the service log\n');
      },
    );
  };
}
