import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ExecutorDeps } from '../../../src/executors/deps.js';
import { createReportExecutor } from '../../../src/executors/report.js';
import type { OutboundMessage } from '../../../src/executors/types.js';
import { ensureDemoSchema } from '../../../src/store/demo-schema.js';
import { createTask } from '../../../src/store/tasks.js';
import { scalar } from '../../support/database.js';
import { makeDraft } from '../../support/fixtures.js';
import { createExecutorTestBed, createTestContext, type ExecutorTestBed, NOW } from './support.js';

const HOUR_MS = 3_600_000;
let bed: ExecutorTestBed;

beforeAll(async () => {
  bed = await createExecutorTestBed();
  await ensureDemoSchema(bed.database.pool, { now: NOW });
  const actor = { id: 'UTEST' };
  const nightly = await createTask(bed.database.db, makeDraft({ name: 'nightly <!channel> & co' }), {
    actor,
    now: NOW,
  });
  const hourly = await createTask(bed.database.db, makeDraft({ name: 'hourly' }), { actor, now: NOW });
  // [task, status, hours ago, duration ms]; the 30 h old one is outside the 24 h window.
  const executions: Array<[string, string, number, number | null]> = [
    [nightly.id, 'success', 2, 5000],
    [nightly.id, 'failed', 3, 1200],
    [nightly.id, 'timed_out', 5, 60_000],
    [hourly.id, 'success', 1, 300],
    [hourly.id, 'success', 2, 250],
    [hourly.id, 'skipped', 3, null],
    [hourly.id, 'failed', 30, 100],
  ];
  for (const [taskId, status, hoursAgo, durationMs] of executions) {
    const at = new Date(NOW.getTime() - hoursAgo * HOUR_MS);
    await bed.database.pool.query(
      `insert into task_executions (task_id, trigger, status, created_at, started_at, finished_at, duration_ms)
       values ($1, 'schedule', $2, $3, $3, $3::timestamptz + make_interval(secs => coalesce($4, 0) / 1000.0), $4)`,
      [taskId, status, at, durationMs],
    );
  }
});
afterAll(async () => {
  await bed.close();
});

function run(params: Record<string, unknown> = {}, deps: Partial<ExecutorDeps> = {}) {
  const executor = createReportExecutor({ ...bed.deps, ...deps });
  const { context } = createTestContext({ type: 'report', params, name: 'Daily <report>' });
  return executor(context);
}

function expectWithinSlackLimits(message: OutboundMessage): void {
  const blocks = message.blocks ?? [];
  expect(blocks.length).toBeGreaterThan(0);
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const block of blocks) {
    const text = block.text as { text: string } | undefined;
    if (block.type === 'section') expect(text?.text.length).toBeLessThanOrEqual(3000);
    const fields = (block.fields as Array<{ text: string }> | undefined) ?? [];
    expect(fields.length).toBeLessThanOrEqual(10);
    for (const field of fields) expect(field.text.length).toBeLessThanOrEqual(2000);
  }
}

describe('report executor', () => {
  it('computes every figure over the last 24 h', async () => {
    const since = new Date(NOW.getTime() - 24 * HOUR_MS);
    const result = await run();
    expect(result.data.since).toBe(since.toISOString());
    expect(result.data.skipped).toEqual([]);
    const figures = result.data.figures as Record<string, unknown>;
    expect(figures.executions_24h_by_status).toEqual({
      title: 'Executions in the last 24 h',
      kind: 'rows',
      rows: [
        { status: 'success', count: 3 },
        { status: 'failed', count: 1 },
        { status: 'skipped', count: 1 },
        { status: 'timed_out', count: 1 },
      ],
    });
    expect(figures.slowest_tasks).toMatchObject({
      rows: [
        { name: 'nightly <!channel> & co', runs: 3, max_ms: 60_000, avg_ms: 22_067 },
        { name: 'hourly', runs: 2, max_ms: 300, avg_ms: 275 },
      ],
    });
    expect(figures.failing_tasks).toMatchObject({
      rows: [{ name: 'nightly <!channel> & co', failures: 2, runs: 3 }],
    });
    const newUsers = await scalar(
      bed.database.pool,
      'select count(*)::int4 as value from users where created_at >= $1',
      [since],
    );
    const sent = await scalar(
      bed.database.pool,
      "select count(*)::int4 as value from logs where created_at >= $1 and message like 'message sent%'",
      [since],
    );
    expect(newUsers).toBeGreaterThan(0);
    expect(sent).toBeGreaterThan(0);
    expect(figures.new_users_24h).toEqual({ title: 'New users (24 h)', kind: 'value', value: newUsers });
    expect(figures.messages_sent_24h).toEqual({ title: 'Messages sent (24 h)', kind: 'value', value: sent });
    expect(result.summary).toBe('report with 5 figures');
  });

  it('posts one Block Kit message within Slack limits, with names escaped', async () => {
    const result = await run();
    expect(result.messages).toHaveLength(1);
    const message = result.messages![0]!;
    expectWithinSlackLimits(message);
    const blocks = message.blocks!;
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Daily <report> — 2026-11-28' },
    });
    expect(blocks.at(-1)?.type).toBe('context');
    const rendered = JSON.stringify(blocks.slice(1));
    expect(rendered).toContain('nightly &lt;!channel&gt; &amp; co');
    expect(rendered).not.toContain('<!channel>');
    expect(message.text).toMatch(/^Daily &lt;report&gt;: /);
    expect(message.file).toBeUndefined();
  });

  it('attaches the figures as CSV when asked, for the chosen queries only', async () => {
    const result = await run({ queries: ['new_users_24h', 'failing_tasks'], csv: true });
    expect(Object.keys(result.data.figures as object)).toEqual(['new_users_24h', 'failing_tasks']);
    const file = result.messages![0]!.file!;
    expect(file.filename).toBe('report-2026-11-28.csv');
    const lines = file.content.trim().split('\n');
    expect(lines[0]).toBe('query,row,metric,value');
    expect(lines).toContain('failing_tasks,1,name,nightly <!channel> & co');
    expect(lines).toContain('failing_tasks,1,failures,2');
    expect(lines.find((line) => line.startsWith('new_users_24h,'))).toMatch(/^new_users_24h,,value,\d+$/);
  });

  it('skips, with a note, the figures whose tables are absent', async () => {
    const name = `chronops_empty_${bed.database.name.slice(-12)}`;
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(bed.database.url);
    url.pathname = `/${name}`;
    const empty = new pg.Pool({ connectionString: url.toString(), max: 2 });
    // Dropping the database (with force) may reach a client still closing: not an error of this test.
    empty.on('error', () => {});
    try {
      // App tables absent (target is an empty database), chronops tables present (service database).
      const appless = await run({}, { targetPool: empty, servicePool: bed.database.pool });
      expect((appless.data.skipped as Array<{ query: string }>).map((skip) => skip.query)).toEqual([
        'new_users_24h',
        'messages_sent_24h',
      ]);
      expect(Object.keys(appless.data.figures as object)).toEqual([
        'executions_24h_by_status',
        'slowest_tasks',
        'failing_tasks',
      ]);
      expect(appless.summary).toBe('report with 3 figures (2 skipped)');
      const context = appless.messages![0]!.blocks!.at(-1) as { elements: Array<{ text: string }> };
      expect(context.elements.map((element) => element.text)).toContain(
        'new_users_24h skipped: table users not found in the target database',
      );
      // Nothing at all: still a message, with every figure skipped.
      const nothing = await run({}, { targetPool: empty, servicePool: empty });
      expect(nothing.data.figures).toEqual({});
      expect(nothing.data.skipped).toHaveLength(5);
      expectWithinSlackLimits(nothing.messages![0]!);
    } finally {
      await empty.end();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });

  it('refuses unknown query names before running anything', async () => {
    await expect(run({ queries: ['drop_everything'] })).rejects.toMatchObject({
      code: 'invalid_params',
      field: 'queries',
      message: expect.stringMatching(/^queries: "drop_everything" is not a report query/),
    });
  });
});
