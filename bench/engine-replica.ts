import type { Executor, ExecutorRegistry } from '../src/executors/types.js';
import { createScheduler } from '../src/scheduler/scheduler.js';
import { createSilentLogger } from '../src/shared/logger.js';
import { createDatabase } from '../src/store/database.js';
import { createDatabaseClock } from '../src/store/database-clock.js';
import { listenForWakeups } from '../src/store/wakeups.js';

// One benchmark replica: the real scheduler with a no-op executor for every task type, so the figures
// measure the engine (claiming, starting, settling against PostgreSQL), not the work.
const url = process.env.DATABASE_URL!;
const workerId = process.env.WORKER_ID ?? `bench-${process.pid}`;
const handle = createDatabase(url, { max: 10, applicationName: workerId });
const clock = await createDatabaseClock(handle.pool);
// The no-op records when it was invoked: lateness is measured there, as the peers measure it in their
// handlers (the row's started_at is written in the start transaction, a few ms before the executor runs).
const noop: Executor = async (context) => ({
  summary: 'no-op',
  data: { invokedAt: context.now().toISOString() },
});
const executors: ExecutorRegistry = {
  backup: noop,
  cleanup: noop,
  report: noop,
  notification: noop,
  custom: noop,
};
const scheduler = createScheduler({
  pool: handle.pool,
  clock,
  logger: createSilentLogger(),
  executorFor: (type) => executors[type],
  random: Math.random,
  options: {
    workerId,
    leaseSeconds: 30,
    heartbeatSeconds: 10,
    pollIntervalMs: 1000,
    claimBatchSize: Number(process.env.CLAIM_BATCH_SIZE ?? 100),
    maxConcurrentExecutions: Number(process.env.MAX_CONCURRENT ?? 20_000),
    shutdownGraceSeconds: 5,
    catchupWindowSeconds: 3600,
    maxCatchupRuns: 10,
    ...(process.env.LOOKAHEAD_MS ? { lookaheadMs: Number(process.env.LOOKAHEAD_MS) } : {}),
    ...(process.env.START_LEAD_MS ? { startLeadMs: Number(process.env.START_LEAD_MS) } : {}),
    ...(process.env.PLAN_AHEAD_MS ? { planAheadMs: Number(process.env.PLAN_AHEAD_MS) } : {}),
  },
});
let maxRss = process.memoryUsage().rss;
const rssTimer = setInterval(() => {
  maxRss = Math.max(maxRss, process.memoryUsage().rss);
}, 250);
let errors = 0;
scheduler.events.on('error', ({ phase, error }) => {
  errors++;
  process.stderr.write(`[${workerId}] ${phase}: ${error.message}\n`);
});
const wakeups = listenForWakeups(url, { onWakeup: () => scheduler.wake(), onCancel: () => {} });
scheduler.start();
process.stdout.write(`${JSON.stringify({ ready: true, workerId })}\n`);

process.on('SIGTERM', () => {
  void (async () => {
    await scheduler.stop();
    await wakeups.close();
    clearInterval(rssTimer);
    process.stdout.write(
      `${JSON.stringify({ report: true, workerId, maxRssMb: Math.round(maxRss / 1048576), errors })}\n`,
    );
    await handle.close();
    process.exit(0);
  })();
});
