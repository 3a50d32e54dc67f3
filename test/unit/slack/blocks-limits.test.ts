import { describe, expect, it } from 'vitest';
import { TASK_TYPES } from '../../../src/domain/task-types.js';
import { ALERTS_LIST_LIMIT, buildDeadAlertsMessage } from '../../../src/slack/blocks/dead-alerts.js';
import { buildExecutionModal } from '../../../src/slack/blocks/execution-modal.js';
import { buildHomeView, HOME_PAGE_SIZE } from '../../../src/slack/blocks/home.js';
import {
  buildAuditMessage,
  buildHelpMessage,
  buildHistoryMessage,
  buildStatsMessage,
  buildTemplatesMessage,
} from '../../../src/slack/blocks/messages.js';
import { buildTaskListMessage, LIST_PAGE_SIZE } from '../../../src/slack/blocks/task-list.js';
import { buildTaskModal } from '../../../src/slack/blocks/task-modal.js';
import type { TaskSummary } from '../../../src/slack/blocks/task-row.js';
import type { Ui } from '../../../src/slack/blocks/ui.js';
import { messagesFor } from '../../../src/slack/i18n/index.js';
import { formFromInput } from '../../../src/slack/task-form.js';
import type { DeadAlert } from '../../../src/store/dead-alerts.js';
import type { AuditRow, ExecutionRow } from '../../../src/store/schema.js';
import { blockProblems, viewProblems } from '../../support/fake-slack.js';

const NOW = new Date('2026-11-28T10:00:00Z');
const uis: Ui[] = [
  { m: messagesFor('en'), locale: 'en', now: NOW },
  { m: messagesFor('fr'), locale: 'fr', now: NOW },
];

/** 500 tasks with the longest names allowed and every status. */
const TASKS: TaskSummary[] = Array.from({ length: 500 }, (_, i) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  name: `${'<!channel> & long name '.repeat(4)}${i}`.slice(0, 80),
  enabled: i % 5 !== 0,
  approvalState: i % 11 === 0 ? 'pending' : 'approved',
  approvalVersion: i % 11 === 0 ? 2_147_483_647 : null,
  isRunning: i % 7 === 0,
  nextRunAt: new Date(NOW.getTime() + (i - 250) * 60_000),
  lastRunAt: i % 3 === 0 ? null : new Date(NOW.getTime() - i * 60_000),
  lastStatus: i % 3 === 0 ? null : 'failed',
  overdueGraceSeconds: 300,
  timezone: 'America/Argentina/ComodRivadavia',
  isSystem: i % 13 === 0,
  pausedReason: i % 5 === 0 ? 'x'.repeat(500) : null,
  cron: '*/5 * * * *',
}));

let executionCounter = 0;
const execution = (overrides: Partial<ExecutionRow> = {}): ExecutionRow => ({
  id: `11111111-1111-4111-8111-${String(++executionCounter).padStart(12, '0')}`,
  taskId: TASKS[0]!.id,
  trigger: 'manual',
  scheduledFor: null,
  status: 'failed',
  reason: null,
  attempt: 3,
  parentExecutionId: null,
  runAfter: NOW,
  startedAt: NOW,
  finishedAt: NOW,
  durationMs: 123_456,
  workerId: 'w',
  leaseUntil: null,
  heartbeatAt: null,
  cancelRequestedAt: null,
  cancelRequestedBy: null,
  logs: '<&>`'.repeat(20_000),
  error: `${'error <!here> '.repeat(1000)}`,
  errorCode: 'executor_failed',
  result: null,
  triggeredBy: 'U0ADMIN',
  createdAt: NOW,
  ...overrides,
});

/** Undeliverable alerts with the longest texts: names, errors, channels. */
const DEAD: DeadAlert[] = Array.from({ length: 40 }, (_, i) => ({
  id: 9_007_199_254_740_000 + i,
  kind: i % 2 === 0 ? 'execution_failed' : 'missed_runs',
  taskId: null,
  taskName: i % 2 === 0 ? TASKS[i]!.name : null,
  channel: ['C0123456789', 'D0123456789', '#alerts <!here>', null][i % 4]!,
  attempts: 2_147_483_647,
  lastError: i % 3 === 0 ? `invalid_blocks: ${'[ERROR] `no` <!channel> '.repeat(300)}` : 'no_channel: x',
  createdAt: NOW,
  deadAt: i % 5 === 0 ? null : NOW,
}));

const view0 = { total: 0, alerts: [], timezone: 'UTC', canRedeliver: true };

describe.each(uis)('Block Kit builders within Slack limits ($locale)', (ui) => {
  it('pages the App Home of 500 tasks within 100 blocks per page', () => {
    const failures = Array.from({ length: 5 }, () => ({
      execution: execution(),
      taskName: TASKS[0]!.name,
      timezone: 'UTC',
    }));
    for (let offset = 0; offset < TASKS.length; offset += HOME_PAGE_SIZE) {
      const view = buildHomeView(
        {
          stats: { activeTasks: 500, running: 71, successes24h: 10_000, failures24h: 3 },
          tasks: TASKS.slice(offset, offset + HOME_PAGE_SIZE),
          offset,
          total: TASKS.length,
          failures,
          timezone: 'Europe/Paris',
          undeliverable: { total: 40, alerts: DEAD, timezone: 'Europe/Paris', canRedeliver: true },
        },
        ui,
      );
      expect(view.blocks.length).toBeLessThanOrEqual(100);
      expect(viewProblems(view)).toEqual([]);
    }
  });

  it('bounds /tasks alerts within a message, with or without Redeliver', () => {
    for (const canRedeliver of [true, false]) {
      const view = { total: DEAD.length, alerts: DEAD, timezone: 'UTC', canRedeliver };
      const blocks = buildDeadAlertsMessage(view, ui, 'notice <!here> '.repeat(400));
      expect(blockProblems(blocks, 'message')).toEqual([]);
      expect(blocks.filter((block) => block.block_id?.startsWith('dead_alert_'))).toHaveLength(
        ALERTS_LIST_LIMIT,
      );
    }
    expect(blockProblems(buildDeadAlertsMessage({ ...view0, total: 0, alerts: [] }, ui), 'message')).toEqual(
      [],
    );
  });

  it('pages /tasks list within 50 blocks per message', () => {
    for (let offset = 0; offset < TASKS.length; offset += LIST_PAGE_SIZE) {
      const blocks = buildTaskListMessage(
        TASKS.slice(offset, offset + LIST_PAGE_SIZE),
        { offset, total: 500 },
        ui,
      );
      expect(blockProblems(blocks, 'message')).toEqual([]);
    }
  });

  it('builds valid task modals for every type, with the longest values', () => {
    for (const type of TASK_TYPES) {
      const form = formFromInput(
        {
          name: 'n'.repeat(80),
          description: 'd'.repeat(2000),
          type,
          template: 'generate_daily_report',
          cron: '0 2 * * *',
          params: { queries: ['slowest_tasks'], sql: 's'.repeat(5000), mode: 'archive', keep: 7, csv: true },
          alertChannel: 'C0123456789',
          notifyOnSuccess: true,
        },
        'Europe/Paris',
      );
      const meta = { t: TASKS[0]!.id, v: 2_000_000_000, c: 'C0123456789', r: 99 };
      const view = buildTaskModal(form, meta, 'p'.repeat(5000), ui);
      expect(viewProblems(view)).toEqual([]);
      expect(String(view.private_metadata).length).toBeLessThanOrEqual(3000);
    }
  });

  it('bounds the execution modal whatever the logs and error', () => {
    for (const status of ['failed', 'running', 'success', 'queued'] as const) {
      expect(
        viewProblems(
          buildExecutionModal(execution({ status }), { name: TASKS[0]!.name, timezone: 'UTC' }, ui),
        ),
      ).toEqual([]);
    }
    expect(
      viewProblems(
        buildExecutionModal(execution({ logs: '', error: null }), { name: 'x', timezone: 'UTC' }, ui),
      ),
    ).toEqual([]);
  });

  it('keeps the other messages valid', () => {
    const audit: AuditRow[] = Array.from({ length: 30 }, (_, i) => ({
      id: i,
      actor: i % 2 ? 'U0ADMIN' : 'sql:<postgres>',
      action: 'task.updated',
      taskId: TASKS[0]!.id,
      taskName: 'x',
      executionId: null,
      before: { cron: '0 2 * * *', name: 'a' },
      after: { cron: '0 3 * * *', name: 'a', reason: '<!here>' },
      createdAt: NOW,
    }));
    const messages = [
      buildHelpMessage(ui, 'intro'),
      buildTemplatesMessage(ui),
      buildStatsMessage(
        { activeTasks: 1, running: 2, successes24h: 3, failures24h: 4 },
        { scheduled: 1, soon: 2, running: 3, overdue: 4, disabled: 5 },
        ui,
      ),
      buildAuditMessage(TASKS[0]!.name, audit, 'Europe/Paris', ui),
      buildHistoryMessage(
        TASKS[0]!.name,
        'UTC',
        Array.from({ length: 30 }, () => execution()),
        ui,
      ),
    ];
    for (const blocks of messages) expect(blockProblems(blocks, 'message')).toEqual([]);
  });
});

describe('escaping in builders', () => {
  it('never emits a raw mention from a task name', () => {
    const blocks = buildTaskListMessage(TASKS.slice(0, 3), { offset: 0, total: 3 }, uis[0]!);
    const json = JSON.stringify(blocks);
    expect(json).not.toContain('<!channel>');
    expect(json).toContain('&lt;!channel&gt; &amp;');
  });
});
