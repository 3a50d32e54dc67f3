import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger as GraphileLogger, run as runGraphileWorker } from 'graphile-worker';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../src/store/embedded-postgres.js';
import { everySecondOnReplicas, nodeScheduleReference } from './engine.bench.js';
import { createBenchDatabase, emit, percentile, rssMb, startBenchReplica } from './support.js';

/**
 * `npm run bench -- peers`: fire precision of chronops and its peers, in one run, on one PostgreSQL.
 *
 * - chronops on 3 and 1 replicas and bare node-schedule: 1,000 every-second tasks for BENCH_SECONDS
 *   (default 60), the `engine` scenarios reused as they are.
 * - pg-boss `schedule()` and graphile-worker's crontab cannot fire more often than once a minute, so
 *   they get their finest setting: 1,000 `* * * * *` schedules for PEER_MINUTES whole minutes
 *   (default 3), lateness measured from the scheduled minute. chronops runs the same per-minute
 *   workload too, so the comparison at equal granularity is in the same output.
 *
 * Every scenario prints one JSON line. BENCH_SCENARIOS (comma-separated) selects some of:
 * precision, precision1, node-schedule, chronops-minute, pg-boss, graphile-worker.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const MINUTES = Number(process.env.PEER_MINUTES ?? (SECONDS < 60 ? 2 : 3));
const TASKS = Number(process.env.PEER_TASKS ?? 1000);
/** How long after the last minute of the window late fires are still waited for. */
const GRACE_MS = Number(process.env.PEER_GRACE_SECONDS ?? 75) * 1000;
const PGBOSS_POLL_SECONDS = Number(process.env.PGBOSS_POLL_SECONDS ?? 2);
const GRAPHILE_CONCURRENCY = Number(process.env.GRAPHILE_CONCURRENCY ?? 10);

const require = createRequire(import.meta.url);
const versionOf = (name: string) => (require(`${name}/package.json`) as { version: string }).version;

/** Fires observed per (schedule, slot), and the lateness of the first fire of each slot. */
class FireLog {
  private readonly seen = new Map<string, number>();
  private readonly lateness: number[] = [];
  firesOutsideWindow = 0;

  constructor(
    private readonly fromMs: number,
    private readonly toMs: number,
  ) {}

  record(schedule: number, slotMs: number, firedAtMs: number): void {
    if (slotMs < this.fromMs || slotMs >= this.toMs) {
      this.firesOutsideWindow++;
      return;
    }
    const key = `${schedule}:${slotMs}`;
    const count = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, count);
    if (count === 1) this.lateness.push(firedAtMs - slotMs);
  }

  distinct(): number {
    return this.seen.size;
  }

  summary(expected: number) {
    let executed = 0;
    for (const count of this.seen.values()) executed += count;
    const sorted = [...this.lateness].sort((a, b) => a - b);
    return {
      expected,
      executed,
      duplicates: executed - this.seen.size,
      missed: expected - this.seen.size,
      latenessP50Ms: round(percentile(sorted, 50)),
      latenessP99Ms: round(percentile(sorted, 99)),
      latenessMaxMs: round(sorted.at(-1) ?? Number.NaN),
    };
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** The minute window measured: starts at the first whole minute at least `leadMs` from now. */
function minuteWindow(leadMs: number, minutes: number): { fromMs: number; toMs: number } {
  const fromMs = Math.ceil((Date.now() + leadMs) / 60_000) * 60_000;
  return { fromMs, toMs: fromMs + minutes * 60_000 };
}

/** Waits until every expected slot fired or the grace period after the window ended. */
async function awaitWindow(log: FireLog, toMs: number, expected: number): Promise<void> {
  await sleep(Math.max(0, toMs - Date.now()));
  const deadline = toMs + GRACE_MS;
  while (Date.now() < deadline && log.distinct() < expected) await sleep(500);
  // A little longer, so that late duplicates are seen too.
  await sleep(2000);
}

async function chronopsPerMinute(tasks: number, minutes: number): Promise<void> {
  const database = await createBenchDatabase('bench_peers_chronops_minute');
  try {
    const { fromMs, toMs } = minuteWindow(15_000, minutes);
    await database.handle.pool.query(
      `insert into scheduled_tasks (name, type, cron, timezone, params, next_run_at)
       select 'bench ' || i, 'custom', '* * * * *', 'UTC', '{}'::jsonb, $1
         from generate_series(1, $2::int) as i`,
      [new Date(fromMs), tasks],
    );
    const replica = startBenchReplica({
      DATABASE_URL: database.url,
      WORKER_ID: 'chronops-minute-1',
      CLAIM_BATCH_SIZE: process.env.CLAIM_BATCH_SIZE ?? '100',
    });
    await replica.ready;
    await sleep(Math.max(0, toMs - Date.now()) + 5000);
    const report = await replica.stop();
    const row = await minuteStats(database.handle.pool, fromMs, toMs);
    emit({
      bench: 'peers',
      scenario: 'chronops-minute-1-replica',
      scheduler: 'chronops',
      granularity: 'minute (cron * * * * *), same workload as the peers',
      tasks,
      replicas: 1,
      minutes,
      ...row,
      rssMbPerReplica: [report.maxRssMb],
      errors: Number(report.errors ?? 0),
    });
  } finally {
    await database.close();
  }
}

async function minuteStats(pool: pg.Pool, fromMs: number, toMs: number) {
  const result = await pool.query<{ executed: number; distinct_slots: number; lateness: number[] | null }>(
    `select count(*)::int as executed,
            count(distinct (task_id, scheduled_for))::int as distinct_slots,
            array_agg(extract(epoch from (result->>'invokedAt')::timestamptz - scheduled_for) * 1000) as lateness
       from task_executions
      where status = 'success' and trigger in ('schedule', 'catchup')
        and scheduled_for >= $1 and scheduled_for < $2`,
    [new Date(fromMs), new Date(toMs)],
  );
  const row = result.rows[0]!;
  const tasks = (await pool.query<{ n: number }>('select count(*)::int as n from scheduled_tasks')).rows[0]!
    .n;
  const expected = tasks * Math.round((toMs - fromMs) / 60_000);
  const lateness = (row.lateness ?? []).map(Number).sort((a, b) => a - b);
  return {
    expected,
    executed: row.executed,
    duplicates: row.executed - row.distinct_slots,
    missed: expected - row.distinct_slots,
    latenessP50Ms: round(percentile(lateness, 50)),
    latenessP99Ms: round(percentile(lateness, 99)),
    latenessMaxMs: round(lateness.at(-1) ?? Number.NaN),
  };
}

/**
 * pg-boss 10: one schedule per queue (the schedule table's key is the queue name), so 1,000 queues,
 * 1,000 schedules and one worker per queue. Its finest settings: the cron monitor and the internal
 * "send-it" worker every second (the minimum both accept). A scheduled job is created by the send-it
 * worker, so its slot is the minute its `createdOn` falls in (correct while jobs are created less than a
 * minute late, which the output's latenessMaxMs shows).
 */
async function pgBossSchedule(tasks: number, minutes: number): Promise<void> {
  const database = await createBenchDatabase('bench_peers_pgboss');
  const boss = new PgBoss({
    connectionString: database.url,
    max: 10,
    cronMonitorIntervalSeconds: 1,
    cronWorkerIntervalSeconds: 1,
  });
  let errors = 0;
  boss.on('error', (error: Error) => {
    errors++;
    if (errors <= 5) process.stderr.write(`[pg-boss] ${error.message}\n`);
  });
  try {
    await boss.start();
    const names = Array.from({ length: tasks }, (_, i) => `bench-${i}`);
    for (const name of names) await boss.createQueue(name);
    const { fromMs, toMs } = minuteWindow(20_000, minutes);
    const log = new FireLog(fromMs, toMs);
    for (const [i, name] of names.entries()) {
      await boss.work<{ i: number }>(
        name,
        { pollingIntervalSeconds: PGBOSS_POLL_SECONDS, batchSize: 5, includeMetadata: true },
        async (jobs) => {
          const now = Date.now();
          for (const job of jobs) {
            log.record(i, Math.floor(new Date(job.createdOn).getTime() / 60_000) * 60_000, now);
          }
        },
      );
    }
    // Scheduled last, so that no schedule fires before every worker listens.
    for (const [i, name] of names.entries()) await boss.schedule(name, '* * * * *', { i }, { tz: 'UTC' });
    const expected = tasks * minutes;
    await awaitWindow(log, toMs, expected);
    emit({
      bench: 'peers',
      scenario: 'pg-boss-schedule',
      scheduler: `pg-boss@${versionOf('pg-boss')}`,
      granularity: `minute (cron * * * * *; cronMonitorIntervalSeconds 1, cronWorkerIntervalSeconds 1, queue polling ${PGBOSS_POLL_SECONDS} s)`,
      tasks,
      queues: tasks,
      minutes,
      ...log.summary(expected),
      firesOutsideWindow: log.firesOutsideWindow,
      rssMb: rssMb(),
      errors,
    });
  } finally {
    await boss.stop({ graceful: false, wait: true, timeout: 5000 }).catch(() => {});
    await database.close();
  }
}

/**
 * graphile-worker's crontab: one line per schedule (`* * * * * bench ?id=…`), no backfill. Cron jobs
 * carry their scheduled instant in `payload._cron.ts`, the reference for lateness; its
 * `known_crontabs` table is what prevents duplicates. Workers are woken by LISTEN/NOTIFY.
 */
async function graphileCrontab(tasks: number, minutes: number): Promise<void> {
  const database = await createBenchDatabase('bench_peers_graphile');
  const crontab = Array.from({ length: tasks }, (_, i) => `* * * * * bench ?id=bench_${i} {"i":${i}}`).join(
    '\n',
  );
  let log: FireLog | undefined;
  let errors = 0;
  // Our own pool, ended after the runner: graphile-worker leaves the pool it would create open, and the
  // server's shutdown then kills its connections with an unhandled 'error' event.
  const pgPool = new pg.Pool({ connectionString: database.url, max: GRAPHILE_CONCURRENCY + 2 });
  pgPool.on('error', () => {});
  const runner = await runGraphileWorker({
    pgPool,
    concurrency: GRAPHILE_CONCURRENCY,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: new GraphileLogger(() => (level, message) => {
      if (level === 'error') {
        errors++;
        if (errors <= 5) process.stderr.write(`[graphile-worker] ${message}\n`);
      }
    }),
    crontab,
    taskList: {
      bench: async (payload) => {
        const now = Date.now();
        const { i, _cron } = payload as { i: number; _cron: { ts: string } };
        log?.record(i, Date.parse(_cron.ts), now);
      },
    },
  });
  try {
    const window = minuteWindow(10_000, minutes);
    log = new FireLog(window.fromMs, window.toMs);
    const expected = tasks * minutes;
    await awaitWindow(log, window.toMs, expected);
    emit({
      bench: 'peers',
      scenario: 'graphile-worker-crontab',
      scheduler: `graphile-worker@${versionOf('graphile-worker')}`,
      granularity: `minute (crontab * * * * *, no backfill; concurrency ${GRAPHILE_CONCURRENCY})`,
      tasks,
      minutes,
      ...log.summary(expected),
      firesOutsideWindow: log.firesOutsideWindow,
      rssMb: rssMb(),
      errors,
    });
  } finally {
    await runner.stop();
    await pgPool.end();
    await database.close();
  }
}

export async function run(): Promise<void> {
  const only = process.env.BENCH_SCENARIOS?.split(',');
  const want = (name: string) => !only || only.includes(name);
  // One PostgreSQL for every scenario of the run (the engine scenarios honour BENCH_DATABASE_URL too).
  let server: EmbeddedPostgres | undefined;
  const previousUrl = process.env.BENCH_DATABASE_URL;
  if (!previousUrl) {
    server = await startEmbeddedPostgres({
      dataDir: mkdtempSync(join(tmpdir(), 'chronops-bench-peers-')),
      database: 'postgres',
      persistent: false,
      settings: { max_connections: '400', shared_buffers: '256MB', synchronous_commit: 'off' },
    });
    process.env.BENCH_DATABASE_URL = server.url;
  }
  try {
    if (want('precision')) await everySecondOnReplicas('precision-3-replicas', TASKS, 3, SECONDS);
    if (want('precision1')) await everySecondOnReplicas('precision-1-replica', TASKS, 1, SECONDS);
    if (want('node-schedule')) await nodeScheduleReference(TASKS, SECONDS);
    if (want('chronops-minute')) await chronopsPerMinute(TASKS, MINUTES);
    if (want('pg-boss')) await pgBossSchedule(TASKS, MINUTES);
    if (want('graphile-worker')) await graphileCrontab(TASKS, MINUTES);
  } finally {
    if (server) {
      delete process.env.BENCH_DATABASE_URL;
      await server.stop();
    }
  }
}
