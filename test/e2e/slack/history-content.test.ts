import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../src/shared/clock.js';
import { createTask } from '../../../src/store/tasks.js';
import type { StoredView } from '../../support/fake-slack.js';
import { makeDraft, T0 } from '../../support/fixtures.js';
import {
  ADMIN,
  allText,
  findButton,
  OPERATOR,
  type SlackHarness,
  startSlackHarness,
} from '../../support/slack-harness.js';

// "Now" for the app: the running execution started 90 s before it.
const NOW = '2026-11-28T11:00:00.000Z';
const clock = createFakeClock(NOW);
let h: SlackHarness;
let taskId: string;
const ids: Record<'success' | 'firstAttempt' | 'retry' | 'running', string> = {
  success: '',
  firstAttempt: '',
  retry: '',
  running: '',
};

/** One execution row as the engine leaves it (the fields the history and the modal show). */
async function insertRun(row: {
  status: string;
  attempt: number;
  trigger: string;
  startedAt: string;
  durationMs: number | null;
  logs: string;
  error?: string;
  parent?: string;
}): Promise<string> {
  const finishedAt = row.durationMs === null ? null : new Date(Date.parse(row.startedAt) + row.durationMs);
  const result = await h.db.pool.query<{ id: string }>(
    `insert into task_executions
       (task_id, trigger, status, attempt, parent_execution_id, scheduled_for, started_at, finished_at,
        duration_ms, logs, error, created_at, triggered_by)
     values ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $6, $11) returning id`,
    [
      taskId,
      row.trigger,
      row.status,
      row.attempt,
      row.parent ?? null,
      row.startedAt,
      finishedAt,
      row.durationMs,
      row.logs,
      row.error ?? null,
      row.trigger === 'manual' ? OPERATOR : null,
    ],
  );
  return result.rows[0]!.id;
}

/** Slack's date token for an instant, with its fallback in Europe/Paris (naming the zone). */
function dateToken(iso: string, parisClock: string): string {
  return `<!date^${Date.parse(iso) / 1000}^{date_short_pretty} {time}|${parisClock} Europe/Paris>`;
}

beforeAll(async () => {
  h = await startSlackHarness({ clock });
  const task = await createTask(h.db.db, makeDraft({ name: 'nightly sync', timezone: 'Europe/Paris' }), {
    actor: { id: ADMIN },
    now: T0,
  });
  taskId = task.id;
  ids.success = await insertRun({
    status: 'success',
    attempt: 1,
    trigger: 'schedule',
    startedAt: '2026-11-28T09:00:00.000Z',
    durationMs: 12_300,
    logs: '2026-11-28T09:00:00.100Z info copying 120 rows\n2026-11-28T09:00:12.300Z info synced 120 rows\n',
  });
  ids.firstAttempt = await insertRun({
    status: 'failed',
    attempt: 1,
    trigger: 'schedule',
    startedAt: '2026-11-28T10:00:00.000Z',
    durationMs: 2_000,
    logs: '2026-11-28T10:00:02.000Z error connection refused\n',
    error: 'connection refused',
  });
  ids.retry = await insertRun({
    status: 'failed',
    attempt: 2,
    trigger: 'retry',
    startedAt: '2026-11-28T10:05:00.000Z',
    durationMs: 65_000,
    logs: '2026-11-28T10:05:00.000Z info connecting\n2026-11-28T10:06:05.000Z error relation "sync_state" does not exist\n',
    error: 'relation "sync_state" does not exist\n  at line 1',
    parent: ids.firstAttempt,
  });
  ids.running = await insertRun({
    status: 'running',
    attempt: 1,
    trigger: 'manual',
    startedAt: '2026-11-28T10:58:30.000Z',
    durationMs: null,
    logs: '',
  });
});

afterAll(async () => {
  expect(h.fake.rejected).toEqual([]);
  await h.close();
});

/** The history's line for one execution: the section just before the actions block holding its buttons. */
function historyLine(blocks: Array<Record<string, unknown>>, executionId: string): string {
  const index = blocks.findIndex((block) => block.block_id === `execution_${executionId}`);
  expect(index).toBeGreaterThan(0);
  return allText(blocks[index - 1]);
}

/** The execution modal's fields, by their label. */
function modalFields(view: StoredView): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const block of view.blocks) {
    for (const field of (block.fields as Array<{ text: string }> | undefined) ?? []) {
      const [label, ...value] = field.text.split('\n');
      fields[label!.replace(/\*/g, '')] = value.join('\n');
    }
  }
  return fields;
}

async function openModal(executionId: string): Promise<StoredView> {
  const opens = h.fake.callsTo('views.open').length;
  await h.send.click({
    userId: OPERATOR,
    actionId: 'execution_view',
    value: executionId,
    container: { type: 'message', channelId: 'C0OPS' },
  });
  await h.settle();
  expect(h.fake.callsTo('views.open')).toHaveLength(opens + 1);
  return h.fake.lastView()!;
}

describe('/tasks history shows each execution’s date, status, attempt, duration and logs', () => {
  let blocks: Array<Record<string, unknown>>;

  beforeAll(async () => {
    const sent = await h.send.command('history nightly sync', OPERATOR);
    await h.settle();
    blocks = h.responsesTo(sent.responseUrl).at(-1)?.blocks as Array<Record<string, unknown>>;
  });

  it('lists them newest first', () => {
    const order = blocks
      .map((block) => String(block.block_id ?? ''))
      .filter((id) => id.startsWith('execution_'))
      .map((id) => id.slice('execution_'.length));
    expect(order).toEqual([ids.running, ids.retry, ids.firstAttempt, ids.success]);
  });

  it('a success: its date, status, attempt 1, duration and the last line of its logs', () => {
    expect(historyLine(blocks, ids.success)).toBe(
      `:white_check_mark: ${dateToken('2026-11-28T09:00:00.000Z', '2026-11-28 10:00')} · success · attempt 1 · 12.3 s\n\`2026-11-28T09:00:12.300Z info synced 120 rows\``,
    );
    expect(findButton(blocks, 'execution_retry', ids.success)).toBeUndefined();
  });

  it('a failure retried: attempt 2, its duration and the first line of its error, with Retry', () => {
    expect(historyLine(blocks, ids.retry)).toBe(
      `:x: ${dateToken('2026-11-28T10:05:00.000Z', '2026-11-28 11:05')} · failed · attempt 2 · 1 min 05 s\n> relation "sync_state" does not exist`,
    );
    expect(findButton(blocks, 'execution_retry', ids.retry)).toBeDefined();
  });

  it('a running execution: how long it has run so far, and Cancel', () => {
    expect(historyLine(blocks, ids.running)).toBe(
      `:arrows_counterclockwise: ${dateToken('2026-11-28T10:58:30.000Z', '2026-11-28 11:58')} · running · attempt 1 · 1 min 30 s so far`,
    );
    expect(findButton(blocks, 'execution_cancel', ids.running)).toBeDefined();
  });
});

describe('the execution modal shows the same fields and the logs', () => {
  it('a success', async () => {
    const view = await openModal(ids.success);
    expect(modalFields(view)).toEqual({
      Status: ':white_check_mark: success',
      Date: dateToken('2026-11-28T09:00:00.000Z', '2026-11-28 10:00'),
      Duration: '12.3 s',
      Attempt: '1',
      Trigger: 'schedule',
      By: '—',
    });
    const text = allText(view.blocks);
    expect(text).toContain(
      '```2026-11-28T09:00:00.100Z info copying 120 rows\n2026-11-28T09:00:12.300Z info synced 120 rows\n```',
    );
    expect(text).toContain(`Id: \`${ids.success}\``);
  });

  it('a failure on attempt 2: the whole error and its logs', async () => {
    const view = await openModal(ids.retry);
    expect(modalFields(view)).toEqual({
      Status: ':x: failed',
      Date: dateToken('2026-11-28T10:05:00.000Z', '2026-11-28 11:05'),
      Duration: '1 min 05 s',
      Attempt: '2',
      Trigger: 'retry',
      By: '—',
    });
    const text = allText(view.blocks);
    expect(text).toContain('*Error*\nrelation "sync_state" does not exist\n  at line 1');
    expect(text).toContain('error relation "sync_state" does not exist\n```');
    expect(findButton(view.blocks, 'execution_retry', ids.retry)).toBeDefined();
  });

  it('a running execution: the time so far, and that its logs come at the end', async () => {
    const view = await openModal(ids.running);
    expect(modalFields(view)).toEqual({
      Status: ':arrows_counterclockwise: running',
      Date: dateToken('2026-11-28T10:58:30.000Z', '2026-11-28 11:58'),
      Duration: '1 min 30 s so far',
      Attempt: '1',
      Trigger: 'manual',
      By: OPERATOR,
    });
    expect(allText(view.blocks)).toContain('*Logs*\nStill running: its logs are saved when it ends.');
    expect(allText(view.blocks)).not.toContain('(no log output)');
    expect(findButton(view.blocks, 'execution_cancel', ids.running)).toBeDefined();
  });
});
