import { isLoopbackHost } from '../shared/loopback.js';
import { SERVICE_SECRET_VARIABLES } from '../shared/service-secrets.js';
import type { Env } from './env-schema.js';

/**
 * The rules that involve several variables, checked once each variable is valid on its own: one
 * sentence per problem, naming what to set.
 */
export function configProblems(e: Env): string[] {
  const problems: string[] = [];
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    problems.push(
      'SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN for HTTP mode (or set SLACK_APP_TOKEN for Socket Mode).',
    );
  }
  if (!e.SLACK_BOT_TOKEN && (e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN)) {
    problems.push('SLACK_BOT_TOKEN is required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set.');
  }
  if (e.TASK_DB_ROLE) {
    // SET ROLE is undone by the task's own RESET ROLE or COMMIT: it was never a boundary.
    problems.push(
      'TASK_DB_ROLE is no longer supported, because SQL can undo SET ROLE itself: create a restricted login and set TASK_DATABASE_URL to it instead (README, "The restricted task login").',
    );
  }
  for (const [name, url] of [
    ['DATABASE_URL', e.DATABASE_URL],
    ['TARGET_DATABASE_URL', e.TARGET_DATABASE_URL],
  ] as const) {
    if (e.TASK_DATABASE_URL && url && sameLogin(e.TASK_DATABASE_URL, url)) {
      problems.push(
        `TASK_DATABASE_URL must log in as a restricted role, not as ${name}'s own user (README, "The restricted task login").`,
      );
    }
  }
  problems.push(...slackModeProblems(e));
  if (e.SLACK_API_URL && !isHttpsOrLoopback(e.SLACK_API_URL)) {
    problems.push(
      `SLACK_API_URL must be an https:// URL: every call carries the bot token, which plain http:// would send in clear; http:// is accepted only for a loopback host (localhost, 127.0.0.0/8, ::1), such as a local stand-in for Slack (got "${truncate(e.SLACK_API_URL)}").`,
    );
  }
  if (e.HTTP_HEADERS_TIMEOUT_SECONDS > e.HTTP_REQUEST_TIMEOUT_SECONDS) {
    problems.push(
      `HTTP_HEADERS_TIMEOUT_SECONDS must be at most HTTP_REQUEST_TIMEOUT_SECONDS (${e.HTTP_REQUEST_TIMEOUT_SECONDS}): the headers are part of the request.`,
    );
  }
  if (e.HEARTBEAT_SECONDS * 2 > e.LEASE_SECONDS) {
    problems.push(
      `HEARTBEAT_SECONDS must be at most half of LEASE_SECONDS (${e.LEASE_SECONDS}), so one missed heartbeat does not lose the lease.`,
    );
  }
  if (e.RETRY_BACKOFF_MAX_SECONDS < e.RETRY_BACKOFF_SECONDS) {
    problems.push('RETRY_BACKOFF_MAX_SECONDS must be at least RETRY_BACKOFF_SECONDS.');
  }
  if (e.RETENTION_FAILURE_DAYS < e.RETENTION_SUCCESS_DAYS) {
    problems.push(
      'RETENTION_FAILURE_DAYS must be at least RETENTION_SUCCESS_DAYS (failures are kept longer).',
    );
  }
  return problems;
}

const SET_SLACK_TOKENS =
  'set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP) or SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode)';

/**
 * When the sandbox may run (docs/SANDBOX.md). Its page acts as two admins for whoever opens it, so it
 * never starts by accident next to a real database: only for the embedded demo (no DATABASE_URL, no
 * Slack tokens) or when CHRONOPS_SANDBOX=true asks for it, and never on a network interface unless
 * CHRONOPS_SANDBOX=true accepts that too. One sentence per problem, naming what to set.
 */
function slackModeProblems(e: Env): string[] {
  const anySlackToken = Boolean(e.SLACK_BOT_TOKEN || e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN);
  if (anySlackToken) {
    return e.CHRONOPS_SANDBOX === true
      ? [
          'CHRONOPS_SANDBOX=true contradicts the Slack tokens that are set: remove CHRONOPS_SANDBOX to use Slack, or remove SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_APP_TOKEN to use the local sandbox.',
        ]
      : [];
  }
  if (e.CHRONOPS_SANDBOX === false)
    return [
      `CHRONOPS_SANDBOX=false refuses the local sandbox, but no Slack tokens are set: ${SET_SLACK_TOKENS}.`,
    ];
  if (e.CHRONOPS_SANDBOX === undefined && e.DATABASE_URL !== undefined)
    return [
      `Slack tokens are missing: ${SET_SLACK_TOKENS}; or set CHRONOPS_SANDBOX=true to use the local sandbox against this database.`,
    ];
  if (e.HOST !== undefined && !isLoopbackHost(e.HOST) && e.CHRONOPS_SANDBOX !== true)
    return [
      `HOST=${truncate(e.HOST)} would open the sandbox to the network, and whoever reaches it acts as its admins: use 127.0.0.1 (the default), or set CHRONOPS_SANDBOX=true to accept that.`,
    ];
  return [];
}

/** Never echoed back in error messages: they may hold credentials. */
export const SECRET_VARIABLES = new Set(SERVICE_SECRET_VARIABLES);

/**
 * SLACK_API_URL's scheme: https, or http to this machine's loopback only (a local fake Slack, the
 * tests): the bot token and app token go with every call.
 */
function isHttpsOrLoopback(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'https:') return true;
  return parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname);
}

/** True when two connection strings log in as the same user on the same host and port. */
function sameLogin(first: string, second: string): boolean {
  const parse = (url: string) => {
    try {
      const parsed = new URL(url);
      return `${decodeURIComponent(parsed.username)}@${parsed.hostname}:${parsed.port || '5432'}`;
    } catch {
      return url;
    }
  };
  return parse(first) === parse(second);
}

export function truncate(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}
