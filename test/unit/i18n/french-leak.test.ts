import { beforeAll, describe, expect, it } from 'vitest';
import { dstNotices, nextRunsAfter, parseCron } from '../../../src/domain/cron.js';
import { describeError, ERROR_CODES } from '../../../src/domain/error-text.js';
import { validateTaskInput } from '../../../src/domain/task.js';
import type { NotificationParams } from '../../../src/domain/task-params.js';
import type { WhyExplanation } from '../../../src/domain/why.js';
import { buildNotificationMessage } from '../../../src/executors/notification.js';
import { buildReportMessage, type ReportResultData } from '../../../src/executors/report.js';
import { buildOutboxMessage } from '../../../src/notify/alert-blocks.js';
import { notifyMessagesFor } from '../../../src/notify/messages.js';
import { buildDeadAlertsMessage } from '../../../src/slack/blocks/dead-alerts.js';
import { buildExecutionModal } from '../../../src/slack/blocks/execution-modal.js';
import { buildFullTextModal } from '../../../src/slack/blocks/full-text-modal.js';
import { buildHomeView } from '../../../src/slack/blocks/home.js';
import {
  buildAuditMessage,
  buildDeletePrompt,
  buildHelpMessage,
  buildHistoryMessage,
  buildLogsMessage,
  buildStatsMessage,
  buildTemplatesMessage,
} from '../../../src/slack/blocks/messages.js';
import { buildPauseModal } from '../../../src/slack/blocks/pause-modal.js';
import { buildRejectModal } from '../../../src/slack/blocks/reject-modal.js';
import { buildTaskListMessage } from '../../../src/slack/blocks/task-list.js';
import { buildTaskModal } from '../../../src/slack/blocks/task-modal.js';
import type { TaskSummary } from '../../../src/slack/blocks/task-row.js';
import { buildWhyMessage } from '../../../src/slack/blocks/why.js';
import { buildCronPreview } from '../../../src/slack/cron-preview.js';
import { messagesFor } from '../../../src/slack/i18n/index.js';
import { formFromInput } from '../../../src/slack/task-form.js';
import type { OutboxKind } from '../../../src/store/outbox.js';
import type { ExecutionRow } from '../../../src/store/schema.js';
import { allText } from '../../support/slack-harness.js';

/**
 * LOCALE=fr must reach a French workspace in French everywhere. Every builder is rendered in both
 * languages; the English vocabulary is every word of the English catalogues and of the English
 * renderings, minus every word the French catalogues and renderings also use (so "minute", "cron",
 * "Cause", "SQL", "UTC" and the like, written the same in both, are not leaks), minus the fixtures' own
 * data. A French rendering that still contains one of the remaining words is leaking English.
 */
type Locale = 'en' | 'fr';

/** Words that are English catalogue words yet fine in French text, each with its reason. */
const ALLOWED = new Set([
  'chronops', // the product's name
  'slack', // a proper noun
  'postgresql', // a proper noun
  'info', // used as-is in French
  'logs', // French Slack users say "logs" (the French catalogue's own word)
  'mode', // same word in French
  'iana', // an acronym
  'macro', // 'format': same words in French
  'format',
  // Values the user types or picks, written as the code spells them in both languages: task types,
  // overlap policies, clean-up modes, parameter names.
  'backup',
  'cleanup',
  'report',
  'custom',
  'skip',
  'queue',
  'allow',
  'expired',
  'archive',
  'template',
  'params',
  // The parameters' own names and JSON values, which every message starts with or quotes as the code
  // spells them (`keep : doit être…`, `csv : doit valoir true ou false.`).
  'keep',
  'queries',
  'args',
  'failuredays',
  'successdays',
  'pgpassword',
  'true',
  'false',
  'long', // the same word in French ("trop long")
  'variable', // the same word in French
]);

const NOW = new Date('2026-03-27T10:00:00Z');
const TASK = '22222222-2222-4222-8222-222222222222';
const EXEC = '11111111-1111-4111-8111-111111111111';
/** Fixture data: task names and values that are the user's words, not ours. */
const NAME = 'Sauvegarde nocturne';
const DATA = [NAME, 'Mars/Olympus', 'zzqx', 'U0ADMIN', 'alice@exemple.fr', 'w-1', EXEC, TASK];

function words(text: string): string[] {
  let scrubbed = text;
  for (const value of DATA) scrubbed = scrubbed.split(value).join(' ');
  // Slack markup that is not language: emoji codes, <@U…>, <!date…|…> keep their fallback only.
  scrubbed = scrubbed.replace(/:[a-z0-9_+-]+:/g, ' ').replace(/<[@#!][^>|]*\|?/g, ' ');
  // Identifiers are not language: snake_case values, @macros, paths and zone ids, dotted names.
  const tokens = scrubbed.match(/[\p{L}\p{N}_@./#-]+/gu) ?? [];
  return tokens
    .map((token) => token.replace(/[.-]+$/, ''))
    .filter((token) => !/[_@/#]|\p{N}|\.\p{L}/u.test(token))
    .flatMap((token) => token.split('-'))
    .filter((word) => /^\p{L}{4,}$/u.test(word))
    .map((word) => word.toLowerCase());
}

/** Every string of a catalogue; functions are called with a marker, which is then cut out. */
function catalogueTexts(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'function') {
    try {
      const args = Array.from({ length: value.length }, () => 'zzqx');
      const result = (value as (...a: unknown[]) => unknown)(...args);
      if (typeof result === 'string') out.push(result);
    } catch {
      // a function needing structured arguments: its renderings below cover it
    }
  } else if (Array.isArray(value)) for (const item of value) catalogueTexts(item, out);
  else if (value && typeof value === 'object')
    for (const item of Object.values(value)) catalogueTexts(item, out);
  return out;
}

const paris = parseCron('30 2 * * *', 'Europe/Paris');
const dst = dstNotices(paris, nextRunsAfter(paris, NOW, 5));

const execution = (overrides: Partial<ExecutionRow> = {}): ExecutionRow => ({
  id: EXEC,
  taskId: TASK,
  trigger: 'schedule',
  scheduledFor: NOW,
  status: 'failed',
  reason: null,
  attempt: 2,
  parentExecutionId: null,
  runAfter: NOW,
  startedAt: NOW,
  finishedAt: NOW,
  durationMs: 65_000,
  workerId: 'w-1',
  leaseUntil: null,
  heartbeatAt: null,
  cancelRequestedAt: null,
  cancelRequestedBy: null,
  logs: 'zzqx',
  error: 'zzqx',
  errorCode: 'timed_out',
  result: null,
  triggeredBy: 'U0ADMIN',
  createdAt: NOW,
  ...overrides,
});

const task: TaskSummary = {
  id: TASK,
  name: NAME,
  enabled: true,
  approvalState: 'approved',
  approvalVersion: null,
  isRunning: false,
  nextRunAt: new Date(NOW.getTime() + 3_600_000),
  lastRunAt: NOW,
  lastStatus: 'failed',
  overdueGraceSeconds: 300,
  timezone: 'Europe/Paris',
  isSystem: false,
  pausedReason: null,
  cron: '30 2 * * *',
};

const outboxPayloads: Record<OutboxKind, Record<string, unknown>> = {
  execution_failed: {
    taskId: TASK,
    taskName: NAME,
    executionId: EXEC,
    attempt: 2,
    maxAttempts: 4,
    status: 'timed_out',
    errorCode: 'timed_out',
    durationMs: 65_000,
    error: 'zzqx',
    retry: { executionId: EXEC, attempt: 3, runAfter: '2026-03-27T10:01:00.000Z' },
  },
  worker_lost: {
    taskId: TASK,
    taskName: NAME,
    executionId: EXEC,
    attempt: 1,
    maxAttempts: 4,
    workerId: 'w-1',
  },
  execution_succeeded: { taskId: TASK, taskName: NAME, executionId: EXEC, attempt: 1, durationMs: 12_300 },
  overdue: {
    taskId: TASK,
    taskName: NAME,
    occurrence: '2026-03-27T10:00:00.000Z',
    lateByMs: 900_000,
    isRunning: true,
    lastStatus: 'timed_out',
  },
  missed_runs: {
    tasks: [
      {
        taskId: TASK,
        taskName: NAME,
        policy: 'run_once',
        missedCount: 3,
        truncated: false,
        firstMissedFor: '2026-03-27T01:00:00.000Z',
        lastMissedFor: '2026-03-27T09:00:00.000Z',
        ran: ['2026-03-27T09:00:00.000Z'],
        skippedCount: 2,
      },
    ],
  },
  duration_anomaly: {
    taskId: TASK,
    taskName: NAME,
    executionId: EXEC,
    durationMs: 8000,
    medianMs: 720_000,
    samples: 20,
    direction: 'short',
    ratio: 0.01,
  },
  approval_requested: {
    taskId: TASK,
    taskName: NAME,
    author: 'U0ADMIN',
    edited: true,
    code: 'select 1',
    runs: 'SQL',
    cron: '0 3 * * *',
    timezone: 'Europe/Paris',
  },
  task_message: { text: 'zzqx', blocks: [] },
};

const reportData: ReportResultData = {
  since: '2026-03-26T10:00:00.000Z',
  until: '2026-03-27T10:00:00.000Z',
  figures: {
    executions_24h_by_status: {
      title: 'Executions in the last 24 h',
      kind: 'rows',
      rows: [
        { status: 'success', count: 3 },
        { status: 'timed_out', count: 1 },
      ],
    },
    slowest_tasks: {
      title: 'Slowest tasks (24 h)',
      kind: 'rows',
      rows: [{ name: NAME, runs: 3, max_ms: 65_000, avg_ms: 12_300 }],
    },
    failing_tasks: {
      title: 'Failing tasks (24 h)',
      kind: 'rows',
      rows: [{ name: NAME, failures: 1, runs: 3 }],
    },
    new_users_24h: { title: 'New users (24 h)', kind: 'value', value: 4 },
    messages_sent_24h: { title: 'Messages sent (24 h)', kind: 'rows', rows: [] },
  },
  skipped: [],
  overview: { activeTasks: 5, running: 1, successes: 3, failures: 1 },
  lookahead: {
    dst: dst.map((notice) => ({ taskId: TASK, name: NAME, ...notice })),
    collisions: [{ minute: NOW, names: [NAME, NAME] }],
    nearTimeout: [{ taskId: TASK, name: NAME, maxMs: 65_000, timeoutMs: 70_000, share: 0.93 }],
    longPaused: [{ taskId: TASK, name: NAME, pausedAt: NOW, pausedBy: 'U0ADMIN', reason: 'zzqx', days: 9 }],
  },
};

const why: WhyExplanation = {
  state: { kind: 'active', nextRunAt: NOW },
  slots: [
    {
      executionId: EXEC,
      at: NOW,
      trigger: 'schedule',
      attempt: 1,
      verdict: 'timed_out',
      error: 'zzqx',
      errorCode: 'timed_out',
      triggeredBy: null,
      // A slot's own DST remark is a notice now, a sentence before: null keeps the fixture valid for both.
      dst: null,
    },
  ],
  missed: [],
  upcomingDst: dst,
};

/** Inputs the form refuses, one problem each, the parameters' own messages included. */
const BAD_INPUTS: Record<string, Record<string, unknown>> = {
  'empty name': { name: '' },
  'control characters in the name': { name: 'a\u0007b' },
  'unknown type': { type: 'nope' },
  'empty cron': { cron: '' },
  'cron with 3 fields': { cron: '* * *' },
  'unknown macro': { cron: '@sometimes' },
  'minute out of range': { cron: '61 * * * *' },
  'hour not a value': { cron: '0 abc * * *' },
  'reversed range': { cron: '5-1 * * * *' },
  'step out of range': { cron: '*/0 * * * *' },
  'never fires': { cron: '0 0 31 2 *' },
  'W in day of month': { cron: '0 0 15W * *' },
  'unknown time zone': { timezone: 'Mars/Olympus' },
  'timeout of 0': { timeoutSeconds: 0 },
  'fractional timeout': { timeoutSeconds: 1.5 },
  'too many retries': { maxRetries: 9 },
  'unknown overlap policy': { overlapPolicy: 'zzqx' },
  'unknown misfire policy': { misfirePolicy: 'zzqx' },
  'negative grace': { overdueGraceSeconds: -1 },
  'channel name instead of id': { alertChannel: 'general' },
  'unknown template': { template: 'zzqx' },
  'template of another type': { template: 'database_backup', type: 'report', params: {} },
  'params not an object': { params: [] as unknown as Record<string, unknown> },
  'unknown cleanup mode': { type: 'cleanup', params: { mode: 'zzqx' } },
  'unknown parameter': { type: 'backup', params: { zzqx: 1 } },
  'keep out of range': { type: 'backup', params: { keep: 0 } },
  'keep not a number': { type: 'backup', params: { keep: 'seven' } },
  'keep not whole': { type: 'backup', params: { keep: 1.5 } },
  'table name invalid': {
    type: 'cleanup',
    params: { mode: 'older_than', table: 'x; zzqx', timestampColumn: 'created_at', olderThanDays: 3 },
  },
  'table name missing': {
    type: 'cleanup',
    params: { mode: 'older_than', timestampColumn: 'created_at', olderThanDays: 3 },
  },
  'archive name too long': {
    type: 'cleanup',
    params: { mode: 'archive', table: 'a'.repeat(60), timestampColumn: 'created_at', olderThanDays: 3 },
  },
  'failures kept shorter': {
    type: 'cleanup',
    params: { mode: 'execution_history', successDays: 30, failureDays: 10 },
  },
  'unknown report query': { type: 'report', params: { queries: ['zzqx'] } },
  'no report query': { type: 'report', params: { queries: [] } },
  'csv not a boolean': { type: 'report', params: { csv: 'yes' } },
  'empty notification message': { type: 'notification', params: { query: 'low_quota', message: '  ' } },
  'empty custom SQL': { type: 'custom', params: { kind: 'sql', sql: '' } },
  'absolute script path': { type: 'custom', params: { kind: 'script', script: '/etc/passwd' } },
  'script leaving the folder': { type: 'custom', params: { kind: 'script', script: '../x.sh' } },
  'script with shell characters': { type: 'custom', params: { kind: 'script', script: 'a;b.sh' } },
  'too many script arguments': {
    type: 'custom',
    params: { kind: 'script', script: 'a.sh', args: Array(21).fill('x') },
  },
  'bad variable name': { type: 'custom', params: { kind: 'script', script: 'a.sh', env: ['1X'] } },
  'a credential in env': {
    type: 'custom',
    params: { kind: 'script', script: 'a.sh', env: ['SLACK_BOT_TOKEN'] },
  },
  'a variable twice': { type: 'custom', params: { kind: 'script', script: 'a.sh', env: ['A', 'A'] } },
  "a clean-up of chronops's own table": {
    type: 'cleanup',
    params: { mode: 'older_than', table: 'task_executions', timestampColumn: 'created_at', olderThanDays: 3 },
  },
};

const VALID = {
  name: NAME,
  type: 'backup',
  cron: '0 2 * * *',
  timezone: 'Europe/Paris',
  params: {},
};

function validationErrors(input: Record<string, unknown>, locale: Locale): string[] {
  const result = validateTaskInput(
    { ...VALID, ...input },
    { now: NOW, defaultTimezone: 'Europe/Paris', protectedTables: ['task_executions'], locale },
  );
  expect(result.ok).toBe(false);
  return result.ok ? [] : (Object.values(result.errors) as string[]);
}

const ui = (locale: Locale) => ({ m: messagesFor(locale), locale, now: NOW });
const blocks = (value: unknown) => allText(value);

/** Every rendering, by name: the texts it shows in `locale`. */
const RENDERINGS: Record<string, (locale: Locale) => string[]> = {
  'home tab': (l) => [
    blocks(
      buildHomeView(
        {
          stats: { activeTasks: 5, running: 1, successes24h: 3, failures24h: 1 },
          tasks: [task, { ...task, enabled: false, pausedReason: 'zzqx' }],
          offset: 0,
          total: 2,
          failures: [{ execution: execution(), taskName: NAME, timezone: 'UTC' }],
          timezone: 'Europe/Paris',
          undeliverable: { total: 0, alerts: [], timezone: 'UTC', canRedeliver: true },
        },
        ui(l),
      ),
    ),
  ],
  '/tasks list': (l) => [blocks(buildTaskListMessage([task], { offset: 0, total: 1 }, ui(l)))],
  '/tasks alerts': (l) => [
    blocks(
      buildDeadAlertsMessage(
        {
          total: 1,
          alerts: [
            {
              id: 1,
              kind: 'execution_failed',
              taskId: TASK,
              taskName: NAME,
              channel: 'C0123456789',
              attempts: 3,
              lastError: 'zzqx',
              createdAt: NOW,
              deadAt: NOW,
            },
          ],
          timezone: 'UTC',
          canRedeliver: true,
        },
        ui(l),
      ),
    ),
  ],
  'task modal': (l) => [
    blocks(
      buildTaskModal(
        formFromInput({ ...VALID, type: 'cleanup', params: { mode: 'older_than' } }, 'Europe/Paris'),
        { t: TASK, v: 1, c: 'C0123456789', r: 1 },
        'zzqx',
        ui(l),
      ),
    ),
  ],
  'execution modal': (l) => [
    blocks(buildExecutionModal(execution(), { name: NAME, timezone: 'Europe/Paris' }, ui(l))),
  ],
  'other messages': (l) => [
    blocks(buildHelpMessage(ui(l))),
    blocks(buildTemplatesMessage(ui(l))),
    blocks(
      buildStatsMessage(
        { activeTasks: 1, running: 2, successes24h: 3, failures24h: 4 },
        { scheduled: 1, soon: 2, running: 3, overdue: 4, disabled: 5 },
        ui(l),
      ),
    ),
    blocks(buildHistoryMessage(NAME, 'UTC', [execution(), execution({ status: 'success' })], ui(l))),
    blocks(buildLogsMessage(NAME, 'UTC', execution(), ui(l))),
    blocks(buildDeletePrompt({ id: TASK, name: NAME }, ui(l))),
    blocks(
      buildAuditMessage(
        NAME,
        [
          {
            id: 1,
            actor: 'U0ADMIN',
            action: 'task.updated',
            taskId: TASK,
            taskName: NAME,
            executionId: null,
            before: { cron: '0 2 * * *' },
            after: { cron: '0 3 * * *' },
            createdAt: NOW,
          },
        ],
        'UTC',
        ui(l),
      ),
    ),
  ],
  'pause, reject and full-text modals': (l) => [
    blocks(buildPauseModal({ id: TASK, name: NAME }, { t: TASK }, ui(l))),
    blocks(buildRejectModal({ id: TASK, name: NAME }, { t: TASK, v: 1 } as never, ui(l))),
    blocks(
      buildFullTextModal({ taskName: NAME, code: 'select 1' }, { taskId: TASK, version: 1 }, 0, true, ui(l)),
    ),
  ],
  '/tasks why': (l) => [blocks(buildWhyMessage({ name: NAME, timezone: 'Europe/Paris' }, why, ui(l)))],
  'cron preview': (l) => [
    buildCronPreview(
      {
        cron: '30 2 * * *',
        timezone: 'Europe/Paris',
        taskId: undefined,
        others: [{ id: 'o', name: NAME, cron: '30 2 * * *', timezone: 'Europe/Paris', enabled: true }],
        now: NOW,
      },
      messagesFor(l),
      l,
    ),
    buildCronPreview(
      { cron: '61 * * * *', timezone: 'UTC', taskId: undefined, others: [], now: NOW },
      messagesFor(l),
      l,
    ),
  ],
  'daily report message': (l) => {
    const message = (buildReportMessage as (...a: unknown[]) => { text: string; blocks?: unknown })(
      NAME,
      reportData,
      l,
    );
    return [message.text, blocks(message.blocks)];
  },
  'notification message (low quota)': (l) => {
    const params = { query: 'low_quota', threshold: 10, maxListed: 1 } as unknown as NotificationParams;
    const rows = [{ email: 'alice@exemple.fr', remaining: 2, quota: 100 }];
    const { message } = (
      buildNotificationMessage as (...a: unknown[]) => { message: { text: string; blocks?: unknown } }
    )(NAME, params, 12, rows, l);
    return [message.text, blocks(message.blocks)];
  },
  'notification message (custom query)': (l) => {
    const params = { query: 'custom', sql: 'select 1', maxListed: 5 } as unknown as NotificationParams;
    const { message } = (
      buildNotificationMessage as (...a: unknown[]) => { message: { text: string; blocks?: unknown } }
    )(NAME, params, 3, [{ zzqx: 1 }], l);
    return [message.text, blocks(message.blocks)];
  },
};
for (const kind of Object.keys(outboxPayloads) as OutboxKind[]) {
  RENDERINGS[`alert: ${kind}`] = (l) => {
    const message = buildOutboxMessage(kind, outboxPayloads[kind], { m: notifyMessagesFor(l), locale: l });
    return [message.text, blocks(message.blocks)];
  };
}
for (const [name, input] of Object.entries(BAD_INPUTS))
  RENDERINGS[`validation error: ${name}`] = (l) => validationErrors(input, l);
for (const code of ERROR_CODES)
  RENDERINGS[`engine error: ${code}`] = (l) => [
    describeError({ code, params: { task: NAME, seconds: 60, zone: 'zzqx', worker: 'w-1', ref: TASK } }, l),
  ];

let english: Set<string>;

beforeAll(() => {
  // The English side: the catalogues and every English rendering. The French side, to subtract the
  // words both languages write alike: the French catalogues only (a rendering may itself be leaking).
  const errorSentences = (locale: Locale) =>
    ERROR_CODES.map((code) =>
      describeError({ code, params: { task: 'zzqx', zone: 'zzqx', seconds: 1 } }, locale),
    );
  const englishTexts = [
    ...catalogueTexts(messagesFor('en')),
    ...catalogueTexts(notifyMessagesFor('en')),
    ...errorSentences('en'),
    ...Object.values(RENDERINGS).flatMap((render) => render('en')),
  ];
  const frenchTexts = [
    ...catalogueTexts(messagesFor('fr')),
    ...catalogueTexts(notifyMessagesFor('fr')),
    ...errorSentences('fr'),
  ];
  const french = new Set(frenchTexts.flatMap(words));
  english = new Set(englishTexts.flatMap(words).filter((word) => !french.has(word) && !ALLOWED.has(word)));
});

describe('French everywhere LOCALE=fr applies: no English word leaks', () => {
  it('has an English vocabulary to look for', () => {
    expect(english.size).toBeGreaterThan(200);
    expect(english.has('overview')).toBe(true);
  });

  for (const [name, render] of Object.entries(RENDERINGS)) {
    it(name, () => {
      const leaks = new Set<string>();
      for (const text of render('fr')) for (const word of words(text)) if (english.has(word)) leaks.add(word);
      expect([...leaks]).toEqual([]);
    });
  }
});
