import { createScheduler } from '../src/scheduler/scheduler.js';
import { createSilentLogger } from '../src/shared/logger.js';
import { createDatabase } from '../src/store/database.js';
import { createDatabaseClock } from '../src/store/database-clock.js';

// A fresh process that starts one scheduler over a database holding many tasks without a computed next
// run, and reports how long until it is ready (every next run computed, first tick done) and its RSS.
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const handle = createDatabase(process.env.DATABASE_URL!, { max: 4 });
const clock = await createDatabaseClock(handle.pool);
const noop = async () => ({ summary: 'no-op', data: {} });
const scheduler = createScheduler({
  pool: handle.pool,
  clock,
  logger: createSilentLogger(),
  executorFor: () => noop,
  random: Math.random,
  options: {
    workerId: 'capacity',
    leaseSeconds: 30,
    heartbeatSeconds: 10,
    pollIntervalMs: 1000,
    claimBatchSize: 100,
    maxConcurrentExecutions: 100,
    shutdownGraceSeconds: 1,
    catchupWindowSeconds: 3600,
    maxCatchupRuns: 10,
  },
});
await scheduler.tick();
const readyMs = performance.now() - started;
const rssReady = process.memoryUsage().rss;
await scheduler.stop();
await handle.close();
process.stdout.write(
  `${JSON.stringify({ readyMs: Math.round(readyMs), rssMb: Math.round(rssReady / 1048576), rssMbAtProcessStart: Math.round(rssBefore / 1048576) })}\n`,
);
