import { describe, expect, it } from 'vitest';
import { detectDurationAnomaly, median } from '../../../src/domain/duration-anomaly.js';
import { slotVerdict } from '../../../src/domain/why.js';
import { buildOutboxMessage, MISSED_TASKS_SHOWN } from '../../../src/notify/alert-blocks.js';
import { notifyMessagesFor } from '../../../src/notify/messages.js';
import type { OutboxKind } from '../../../src/store/outbox.js';
import { blockProblems } from '../../support/fake-slack.js';
import { allText, findButton } from '../../support/slack-harness.js';

const LONG = `<!channel> ${'x'.repeat(300)}`;
const EXEC = '11111111-1111-4111-8111-111111111111';
const TASK = '22222222-2222-4222-8222-222222222222';

const payloads: Record<OutboxKind, Record<string, unknown>> = {
  execution_failed: {
    taskId: TASK,
    taskName: LONG,
    executionId: EXEC,
    attempt: 2,
    maxAttempts: 4,
    status: 'timed_out',
    durationMs: 3_600_000,
    error: `${'stack <frame> & line\n'.repeat(500)}`,
    retry: { executionId: 'r', attempt: 3, runAfter: '2026-11-28T10:01:00.000Z' },
  },
  worker_lost: {
    taskId: TASK,
    taskName: LONG,
    executionId: EXEC,
    attempt: 1,
    maxAttempts: 4,
    workerId: 'w-1',
    error: null,
    retry: null,
  },
  execution_succeeded: {
    taskId: TASK,
    taskName: LONG,
    executionId: EXEC,
    attempt: 1,
    durationMs: 800,
    notify: true,
  },
  overdue: {
    taskId: TASK,
    taskName: LONG,
    occurrence: '2026-11-28T10:00:00.000Z',
    lateByMs: 900_000,
    isRunning: true,
    lastStatus: 'timed_out',
  },
  missed_runs: {
    tasks: Array.from({ length: 40 }, (_, index) => ({
      taskId: `${TASK.slice(0, -2)}${String(index).padStart(2, '0')}`,
      taskName: `${LONG} ${index}`,
      policy: index % 2 ? 'run_all' : 'run_once',
      missedCount: 10,
      truncated: true,
      firstMissedFor: '2026-11-28T01:00:00.000Z',
      lastMissedFor: '2026-11-28T09:00:00.000Z',
      ran: ['2026-11-28T09:00:00.000Z'],
      skippedCount: 9,
    })),
  },
  duration_anomaly: {
    taskId: TASK,
    taskName: LONG,
    executionId: EXEC,
    durationMs: 8000,
    medianMs: 720_000,
    samples: 20,
    direction: 'short',
    ratio: 0.01,
  },
  approval_requested: {
    taskId: TASK,
    taskName: LONG,
    author: 'U0ADMIN',
    edited: true,
    code: LONG.repeat(20),
    runs: 'SQL',
    cron: '0 3 * * *',
    timezone: 'Europe/Paris',
  },
  task_message: { text: 'report', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'figures' } }] },
};

const expectedButtons: Record<OutboxKind, string[]> = {
  execution_failed: ['execution_view', 'execution_retry'],
  worker_lost: ['execution_view', 'execution_retry'],
  execution_succeeded: ['execution_view'],
  overdue: ['task_run_now', 'execution_view'],
  missed_runs: ['missed_run_latest', 'missed_skip'],
  duration_anomaly: ['execution_view'],
  approval_requested: ['task_approve', 'task_reject'],
  task_message: [],
};

describe('alert messages', () => {
  for (const locale of ['en', 'fr'] as const) {
    for (const kind of Object.keys(payloads) as OutboxKind[]) {
      it(`${kind} (${locale}) stays within Slack's limits, escaped, with its buttons`, () => {
        const message = buildOutboxMessage(kind, payloads[kind]!, { m: notifyMessagesFor(locale), locale });
        expect(blockProblems(message.blocks, 'message')).toEqual([]);
        expect(message.text.length).toBeGreaterThan(0);
        expect(message.text.length).toBeLessThanOrEqual(3000);
        const text = `${message.text}\n${allText(message.blocks)}`;
        expect(text).not.toContain('<!channel>');
        for (const actionId of expectedButtons[kind])
          expect(findButton(message.blocks, actionId)).toBeDefined();
      });
    }
  }

  it("names the failure's cause in the reader's language, from its code", () => {
    const payload = { ...payloads.execution_failed, errorCode: 'timed_out' };
    const fr = allText(
      buildOutboxMessage('execution_failed', payload, { m: notifyMessagesFor('fr'), locale: 'fr' }).blocks,
    );
    expect(fr).toContain('*Cause*\nElle a dépassé son délai et a été arrêtée.');
    const en = allText(
      buildOutboxMessage(
        'worker_lost',
        { ...payloads.worker_lost, errorCode: 'worker_lost' },
        { m: notifyMessagesFor('en'), locale: 'en' },
      ).blocks,
    );
    expect(en).toContain('*Cause*\nThe replica running it stopped responding.');
    // An alert queued before codes were stored, or with an unknown one, shows no cause line.
    const old = allText(
      buildOutboxMessage(
        'execution_failed',
        { ...payloads.execution_failed, errorCode: 'bogus' },
        { m: notifyMessagesFor('en'), locale: 'en' },
      ).blocks,
    );
    expect(old).not.toContain('*Cause*');
  });

  it('lists at most MISSED_TASKS_SHOWN tasks and says how many more', () => {
    const message = buildOutboxMessage('missed_runs', payloads.missed_runs, {
      m: notifyMessagesFor('en'),
      locale: 'en',
    });
    expect(message.blocks.filter((block) => block.type === 'actions')).toHaveLength(MISSED_TASKS_SHOWN);
    expect(allText(message.blocks)).toContain(`…and ${40 - MISSED_TASKS_SHOWN} more tasks`);
  });

  it('shows the likely causes of an overdue run and the resolution instead of Run now', () => {
    const ctx = { m: notifyMessagesFor('en'), locale: 'en' as const };
    const open = allText(buildOutboxMessage('overdue', payloads.overdue, ctx).blocks);
    expect(open).toContain('still running');
    expect(open).toContain('ended *timed out*');
    expect(open).toContain('`/healthz`');
    const resolved = buildOutboxMessage(
      'overdue',
      { ...payloads.overdue, state: { kind: 'ran', at: '2026-11-28T10:20:00.000Z' } },
      ctx,
    );
    expect(allText(resolved.blocks)).toContain('Resolved: the task ran');
    expect(findButton(resolved.blocks, 'task_run_now')).toBeUndefined();
  });
});

describe('duration anomalies', () => {
  const twelveMinutes = Array.from({ length: 20 }, (_, index) => 700_000 + index * 2000);
  it.each([
    [8000, twelveMinutes, 'short'],
    [3_000_000, twelveMinutes, 'long'],
    [720_000, twelveMinutes, null],
    [8000, twelveMinutes.slice(0, 4), null],
    [1500, [200, 210, 190, 205, 220], null],
  ] as const)('%i ms against its median → %s', (durationMs, previous, expected) => {
    expect(detectDurationAnomaly(durationMs, previous)?.direction ?? null).toBe(expected);
  });
  it('computes medians', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('why verdicts', () => {
  it.each([
    [{ status: 'skipped', reason: 'overlap_skipped', trigger: 'schedule' }, 'overlap_skipped'],
    [{ status: 'skipped', reason: 'misfire_skipped', trigger: 'schedule' }, 'misfire_skipped'],
    [{ status: 'skipped', reason: 'not_approved', trigger: 'schedule' }, 'not_approved'],
    [{ status: 'failed', reason: 'worker_lost', trigger: 'schedule' }, 'worker_lost'],
    [{ status: 'cancelled', reason: 'cancelled_by_user', trigger: 'manual' }, 'cancelled'],
    [{ status: 'success', reason: 'misfire_caught_up', trigger: 'catchup' }, 'caught_up'],
    [{ status: 'success', reason: null, trigger: 'schedule' }, 'succeeded'],
    [{ status: 'timed_out', reason: null, trigger: 'retry' }, 'timed_out'],
  ])('%o → %s', (row, verdict) => {
    expect(slotVerdict(row)).toBe(verdict);
  });
});
