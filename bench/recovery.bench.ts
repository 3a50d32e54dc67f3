import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { prepareTask } from '../src/domain/task.js';
import { DEMO_TABLES } from '../src/store/demo-schema.js';
import { ensureTaskLogin } from '../src/store/task-login.js';
import { createTask } from '../src/store/tasks.js';
import { type ReplicaProcess, startReplica } from '../test/support/replica-process.js';
import { createBenchDatabase, emit, percentile } from './support.js';

/**
 * `npm run bench -- recovery`: crash → recovered run started, with the service's defaults.
 *
 * Two replicas of `src/main.ts` (as `npm start` runs them, on one database, default LEASE_SECONDS,
 * HEARTBEAT_SECONDS and reap interval). BENCH_RECOVERY_KILLS times (default 20): a run of a long task
 * starts, lasts a random 1–4 s (so kills fall anywhere in the heartbeat cycle), its replica is
 * SIGKILLed, and the time until its retry is recorded running on the survivor is measured; a
 * replacement replica is started before the next kill. Once with the liveness lock (the default) and
 * once with WORKER_LIVENESS=false (leases alone, as behind a transaction pooler); BENCH_RECOVERY_MODES
 * (comma-separated: liveness, lease) picks.
 */
const KILLS = Number(process.env.BENCH_RECOVERY_KILLS ?? 20);
const MODES = (process.env.BENCH_RECOVERY_MODES ?? 'liveness,lease').split(',');

export async function run(): Promise<void> {
  for (const mode of MODES) await measure(mode === 'lease' ? 'lease' : 'liveness');
}

async function measure(mode: 'liveness' | 'lease'): Promise<void> {
  const bench = await createBenchDatabase(`chronops_bench_recovery_${mode}`);
  const dir = mkdtempSync(join(tmpdir(), 'chronops-bench-recovery-'));
  const role = `chronops_bench_task_${randomBytes(4).toString('hex')}`;
  const taskUrl = await ensureTaskLogin(bench.handle.pool, {
    serviceUrl: bench.url,
    passwordFile: join(dir, 'task-password'),
    grantTables: DEMO_TABLES,
    role,
  });
  const now = new Date();
  const draft = prepareTask(
    // Long enough to be running at the kill; short enough that retries do not pile up on survivors.
    {
      name: 'long run',
      type: 'custom',
      cron: '0 0 1 1 *',
      params: { kind: 'sql', sql: 'select pg_sleep(20)' },
      overlapPolicy: 'allow',
    },
    { now, defaultTimezone: 'Europe/Paris' },
  );
  const taskId = (await createTask(bench.handle.db, draft, { actor: { id: 'U1' }, now })).id;
  const env = {
    DATABASE_URL: bench.url,
    TASK_DATABASE_URL: taskUrl,
    ...(mode === 'lease' ? { WORKER_LIVENESS: 'false' } : {}),
  };
  let started = 0;
  const launch = () => startReplica(`recovery-${mode}-${++started}`, env);
  const alive: ReplicaProcess[] = [launch(), launch()];
  const all = [...alive];
  await Promise.all(alive.map((replica) => replica.ready()));
  const pool = bench.handle.pool;
  const recoveries: number[] = [];
  const detections: number[] = [];
  try {
    for (let kill = 0; kill < KILLS; kill++) {
      const { rows } = await pool.query<{ id: string }>(`select execute_task_now($1, 'bench') as id`, [
        taskId,
      ]);
      const executionId = rows[0]!.id;
      let owner: ReplicaProcess | undefined;
      while (!owner) {
        const running = await pool.query<{ worker_id: string }>(
          `select worker_id from task_executions where id = $1 and status = 'running'`,
          [executionId],
        );
        owner = alive.find((replica) => replica.workerId === running.rows[0]?.worker_id);
        if (!owner) await sleep(20);
      }
      await sleep(1000 + Math.random() * 3000);
      owner.kill('SIGKILL');
      const killedAtMs = Date.now();
      await owner.exited();
      alive.splice(alive.indexOf(owner), 1);
      const replacement = launch();
      all.push(replacement);
      for (;;) {
        const { rows: retry } = await pool.query<{ started_at: Date | null; lost_at: Date | null }>(
          `select r.started_at, p.finished_at as lost_at from task_executions r
             join task_executions p on p.id = r.parent_execution_id
            where r.parent_execution_id = $1 and r.started_at is not null`,
          [executionId],
        );
        if (retry[0]) {
          recoveries.push(retry[0].started_at!.getTime() - killedAtMs);
          detections.push(retry[0].lost_at!.getTime() - killedAtMs);
          break;
        }
        await sleep(20);
      }
      await replacement.ready();
      alive.push(replacement);
    }
  } finally {
    for (const replica of all) if (replica.child.exitCode === null) replica.kill('SIGKILL');
    await Promise.all(all.map((replica) => replica.exited()));
    await bench.close();
    rmSync(dir, { recursive: true, force: true });
  }
  recoveries.sort((a, b) => a - b);
  detections.sort((a, b) => a - b);
  emit({
    bench: 'recovery',
    mode,
    kills: recoveries.length,
    defaults: mode === 'lease' ? 'LEASE_SECONDS, HEARTBEAT_SECONDS; WORKER_LIVENESS=false' : 'all',
    crashToRetryStartedP50Ms: percentile(recoveries, 50),
    crashToRetryStartedP99Ms: percentile(recoveries, 99),
    crashToRetryStartedMaxMs: recoveries.at(-1),
    crashToLossRecordedP50Ms: percentile(detections, 50),
  });
}
