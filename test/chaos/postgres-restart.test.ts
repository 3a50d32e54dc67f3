import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareTask } from '../../src/domain/task.js';
import { createDatabase, type DatabaseHandle, runMigrations } from '../../src/store/database.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../src/store/embedded-postgres.js';
import { createTask } from '../../src/store/tasks.js';
import { type ReplicaProcess, startReplica } from '../support/replica-process.js';
import { createTestTaskLogin } from '../support/task-login.js';
import { waitUntil } from '../support/wait-until.js';

// Chaos: the database disappears for 30 s under two running replicas, then comes back on the same
// address. The replicas must carry on without a restart, handle the slots missed meanwhile with each
// task's misfire policy, raise one summary alert per planning batch, and double-fire nothing.
const OUTAGE_MS = 30_000;
const replicas: ReplicaProcess[] = [];
let server: EmbeddedPostgres | undefined;
let handle: DatabaseHandle | undefined;

afterAll(async () => {
  for (const replica of replicas) replica.kill('SIGKILL');
  await Promise.all(replicas.map((replica) => replica.exited()));
  await handle?.close();
  await server?.stop();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('PostgreSQL stopped for 30 s and restarted', () => {
  it('replicas reconnect by themselves and apply the misfire policies', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chronops-chaos-pg-'));
    const port = await freePort();
    // Persistent for the outage (stop() would otherwise delete the cluster); removed after the restart.
    server = await startEmbeddedPostgres({ dataDir, port, database: 'chaos' });
    const url = server.url;
    handle = createDatabase(url, { max: 4 });
    handle.pool.on('error', () => {});
    await runMigrations(handle.pool);
    // Its own server, removed afterwards: the task login needs no clean-up.
    const taskLogin = await createTestTaskLogin({ pool: handle.pool, url });
    const now = new Date();
    const make = (name: string, misfirePolicy: 'run_once' | 'skip' | 'run_all') =>
      prepareTask(
        {
          name,
          type: 'custom',
          cron: '*/5 * * * * *',
          misfirePolicy,
          params: { kind: 'sql', sql: 'select 1' },
        },
        { now, defaultTimezone: 'Europe/Paris' },
      );
    const ids = {
      runOnce: (await createTask(handle.db, make('run once', 'run_once'), { actor: { id: 'U1' }, now })).id,
      skip: (await createTask(handle.db, make('skip', 'skip'), { actor: { id: 'U1' }, now })).id,
      runAll: (await createTask(handle.db, make('run all', 'run_all'), { actor: { id: 'U1' }, now })).id,
    };
    await handle.close();
    handle = undefined;

    const env = {
      DATABASE_URL: url,
      TASK_DATABASE_URL: taskLogin.url,
      LEASE_SECONDS: '10',
      HEARTBEAT_SECONDS: '2',
      POLL_INTERVAL_MS: '500',
      MISFIRE_THRESHOLD_SECONDS: '10',
      CATCHUP_WINDOW_SECONDS: '3600',
      MAX_CATCHUP_RUNS: '3',
    };
    replicas.push(startReplica('chaos-1', env), startReplica('chaos-2', env));
    await Promise.all(replicas.map((replica) => replica.ready()));
    await sleep(6000);

    await server.stop();
    const downAt = Date.now();
    await sleep(OUTAGE_MS);
    server = await startEmbeddedPostgres({ dataDir, port, database: 'chaos', persistent: false });
    const upAt = Date.now();
    handle = createDatabase(url, { max: 2 });
    handle.pool.on('error', () => {});
    // Wait for the work, not for a fixed time: the replicas notice, reconnect, plan the backlog (the
    // catch-ups) and run a few fresh occurrences — seconds on a quiet machine, longer on a loaded one.
    const recovered = handle.pool;
    await waitUntil(
      async () => {
        if (replicas.some((replica) => replica.child.exitCode !== null)) return true;
        const { rows } = await recovered.query<{ catchups: number; fresh: number }>(
          `select count(*) filter (where task_id = $1 and trigger = 'catchup' and status = 'success')::int as catchups,
                  count(*) filter (where status = 'success' and trigger = 'schedule' and started_at > $2)::int as fresh
             from task_executions`,
          [ids.runAll, new Date(upAt + 2000)],
        );
        return rows[0]!.catchups >= 3 && rows[0]!.fresh >= 3 && Date.now() - upAt > 12_000;
      },
      120_000,
      'the replicas caught up and ran fresh occurrences after the restart',
      500,
    );

    // A replica that died says why in the failure message (its last output).
    for (const replica of replicas) {
      expect(
        replica.child.exitCode,
        `${replica.workerId} exited:\n${replica.output.join('').slice(-4000)}`,
      ).toBe(null);
    }
    const duplicates = await handle.pool.query(
      `select task_id, scheduled_for from task_executions where trigger in ('schedule', 'catchup')
        group by 1, 2 having count(*) > 1`,
    );
    expect(duplicates.rows).toEqual([]);
    const slots = await handle.pool.query<{
      task_id: string;
      status: string;
      trigger: string;
      reason: string | null;
      n: number;
    }>(
      `select task_id, status, trigger, reason, count(*)::int as n from task_executions
        where scheduled_for > $1 and scheduled_for < $2 group by 1, 2, 3, 4`,
      // From 2 s after the stop: occurrences up to the look-ahead (1.5 s) ahead were claimed before it,
      // and those run when the database is back (a claim is a decision already taken).
      [new Date(downAt + 2000), new Date(upAt - 11_000)],
    );
    const of = (taskId: string) => slots.rows.filter((row) => row.task_id === taskId);
    // Slots more than 10 s late when the database came back were missed: each policy did its job.
    expect(of(ids.skip).every((row) => row.status === 'skipped' && row.reason === 'misfire_skipped')).toBe(
      true,
    );
    expect(of(ids.skip).reduce((sum, row) => sum + row.n, 0)).toBeGreaterThanOrEqual(3);
    const runOnceRuns = of(ids.runOnce).filter((row) => row.status !== 'skipped');
    expect(runOnceRuns.reduce((sum, row) => sum + row.n, 0)).toBeLessThanOrEqual(1);
    // run_all: the 3 latest missed slots (MAX_CATCHUP_RUNS) ran as catch-up. Counted over all slots, not
    // the window above: which slots are the latest missed depends on when the replica got back in, which
    // a loaded machine delays by seconds.
    const catchups = await handle.pool.query<{ status: string; n: number }>(
      `select status, count(*)::int as n from task_executions
        where task_id = $1 and trigger = 'catchup' group by 1`,
      [ids.runAll],
    );
    expect(catchups.rows).toEqual([{ status: 'success', n: 3 }]);
    const summaries = await handle.pool.query(
      `select payload from notification_outbox where kind = 'missed_runs'`,
    );
    expect(summaries.rows.length).toBeGreaterThanOrEqual(1);
    expect(summaries.rows.length).toBeLessThanOrEqual(2);
    // Fresh occurrences after the restart run normally.
    const fresh = await handle.pool.query<{ n: number }>(
      `select count(*)::int as n from task_executions where status = 'success' and trigger = 'schedule' and started_at > $1`,
      [new Date(upAt + 2000)],
    );
    expect(fresh.rows[0]!.n).toBeGreaterThanOrEqual(3);
    const open = await handle.pool.query<{ n: number }>(
      `select count(*)::int as n from task_executions where status = 'running' and started_at < $1`,
      [new Date(upAt)],
    );
    expect(open.rows[0]!.n).toBe(0);
  }, 300_000);
});
