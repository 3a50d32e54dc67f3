import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createDatabase } from '../src/store/database.js';
import { serveBenchSlack } from './slack-support.js';
import { percentile } from './support.js';

// The app under test of `npm run bench -- slack`, alone in its process as in production: the real Bolt
// app on a node HTTP server with a real database pool, calling the fake Slack Web API that the load
// generator's process serves. Driven over IPC by startSlackAppProcess (bench/slack-support.ts).
const database = createDatabase(process.env.DATABASE_URL!, {
  max: Number(process.env.POOL_MAX ?? 20),
  applicationName: 'chronops:bench-slack',
  ...(process.env.POOL_CONNECT_TIMEOUT_MS
    ? { connectionTimeoutMs: Number(process.env.POOL_CONNECT_TIMEOUT_MS) }
    : {}),
});
let answeredMs: number[] = [];
const served = await serveBenchSlack(database, process.env.SLACK_API_URL!, {
  onAnswered: (ms) => answeredMs.push(ms),
  ...(process.env.AFTER_ACK_CONCURRENCY
    ? { afterAckConcurrency: Number(process.env.AFTER_ACK_CONCURRENCY) }
    : {}),
});
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
let cpuFrom = process.cpuUsage();
let wallFrom = performance.now();
let maxRss = process.memoryUsage().rss;
const rssTimer = setInterval(() => {
  maxRss = Math.max(maxRss, process.memoryUsage().rss);
}, 250);

const send = (message: Record<string, unknown>) => process.send?.(message);
// The histogram records the time between 10 ms timer ticks: the delay is what exceeds the 10 ms.
const delayMs = (nanoseconds: number) => Math.max(0, Math.round((nanoseconds - 1e7) / 1e5) / 10);
const round = (value: number) => Math.round(value * 10) / 10;

process.on('message', (message: { command?: string }) => {
  switch (message.command) {
    case 'reset':
      answeredMs = [];
      loopDelay.reset();
      cpuFrom = process.cpuUsage();
      wallFrom = performance.now();
      maxRss = process.memoryUsage().rss;
      return;
    case 'report': {
      const sorted = [...answeredMs].sort((a, b) => a - b);
      const cpu = process.cpuUsage(cpuFrom);
      send({
        report: {
          serverAckP50Ms: round(percentile(sorted, 50)),
          serverAckP99Ms: round(percentile(sorted, 99)),
          eventLoopDelayP50Ms: delayMs(loopDelay.percentile(50)),
          eventLoopDelayP99Ms: delayMs(loopDelay.percentile(99)),
          eventLoopDelayMaxMs: delayMs(loopDelay.max),
          cpuCores: Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - wallFrom)) * 100) / 100,
          maxRssMb: Math.round(maxRss / 1048576),
        },
      });
      return;
    }
    case 'stop':
      void (async () => {
        clearInterval(rssTimer);
        loopDelay.disable();
        await served.close();
        await database.close();
        process.disconnect();
      })();
      return;
    default:
      return;
  }
});
send({ port: served.port });
