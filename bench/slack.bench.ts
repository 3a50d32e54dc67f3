import { monitorEventLoopDelay } from 'node:perf_hooks';
import { prepareTask } from '../src/domain/task.js';
import { AFTER_ACK_CONCURRENCY, SLACK_EVENTS_PATH } from '../src/slack/app.js';
import { createTask } from '../src/store/tasks.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { createSlackSender, type SentRequest } from '../test/support/slack-signing.js';
import {
  BENCH_ADMIN,
  BENCH_OPERATOR,
  BENCH_SIGNING_SECRET,
  type SlackAppReport,
  startSlackAppProcess,
} from './slack-support.js';
import { createBenchDatabase, emit, percentile, rssMb } from './support.js';

/**
 * `npm run bench -- slack`: 50 people using the bot at once for BENCH_SECONDS (default and cap 30;
 * BENCH_SLACK_SECONDS overrides). The app under test — the real Bolt app on an HTTP server with a real
 * database pool — runs in its own process (bench/slack-app.ts); this process is the 50 people and the
 * fake Slack Web API.
 *
 * Each person sends a signed slash command or button click, then waits until its follow-up (the reply
 * posted to the request's response_url) has reached the fake Slack before sending the next one, as a
 * person waits to read the answer. So at most CONCURRENCY requests' work is in flight; a follow-up that
 * never comes within FOLLOWUP_TIMEOUT_MS is an error. Measured per request begun in the window:
 *
 * - ack latency: sending → HTTP response (Slack's 3 s budget; the target is p99 ≤ 50 ms);
 * - end-to-end latency: sending → follow-up reached the fake;
 * - `handlerErrors`: follow-ups that were the generic "something went wrong" sentence.
 *
 * The app's process also reports its own view (server-side ack time, event-loop delay, CPU), and this
 * process its event-loop delay, which delays reading the acks and so inflates the measured latency.
 *
 * BENCH_SLACK_CONCURRENCY (50 people), BENCH_SLACK_POOL_MAX (20) and BENCH_SLACK_POOL_TIMEOUT_MS (the
 * pool's default, 5 s) change the setting — main.ts gives the Slack side its own pool of 10 with a 30 s
 * wait, which BENCH_SLACK_POOL_MAX=10 BENCH_SLACK_POOL_TIMEOUT_MS=30000 reproduces —
 * BENCH_SLACK_AFTER_ACK the app's after-ack concurrency (src/slack/after-ack.ts); BENCH_LOG_LEVEL=error
 * shows the app's handler errors, BENCH_SLACK_PROFILE=<dir> writes a CPU profile of the app's process.
 */
const SECONDS = Number(
  process.env.BENCH_SLACK_SECONDS ?? Math.min(Number(process.env.BENCH_SECONDS ?? 30), 30),
);
const CONCURRENCY = Number(process.env.BENCH_SLACK_CONCURRENCY ?? 50);
const POOL_MAX = Number(process.env.BENCH_SLACK_POOL_MAX ?? 20);
const POOL_TIMEOUT_MS = process.env.BENCH_SLACK_POOL_TIMEOUT_MS;
const AFTER_ACK = process.env.BENCH_SLACK_AFTER_ACK;
const FOLLOWUP_TIMEOUT_MS = 10_000;
const WARMUP_MS = 2000;

type Kind = 'command' | 'click';

export async function run(): Promise<void> {
  const database = await createBenchDatabase('bench_slack');
  const fake = await startFakeSlack();
  const app = await startSlackAppProcess({
    DATABASE_URL: database.url,
    SLACK_API_URL: fake.apiUrl,
    // The size of the service's pool (src/store/connect.ts), not the bench default of 8.
    POOL_MAX: String(POOL_MAX),
    ...(POOL_TIMEOUT_MS ? { POOL_CONNECT_TIMEOUT_MS: POOL_TIMEOUT_MS } : {}),
    ...(AFTER_ACK ? { AFTER_ACK_CONCURRENCY: AFTER_ACK } : {}),
  });
  try {
    const now = new Date();
    const taskIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const draft = prepareTask(
        {
          name: `bench task ${i}`,
          type: 'cleanup',
          cron: `${i} 3 * * *`,
          params: { table: 'logs', timestampColumn: 'created_at', olderThanDays: 30 },
        },
        { now, defaultTimezone: 'Europe/Paris' },
      );
      taskIds.push((await createTask(database.handle.db, draft, { actor: { id: BENCH_ADMIN }, now })).id);
    }
    const send = createSlackSender({
      url: `http://127.0.0.1:${app.port}${SLACK_EVENTS_PATH}`,
      signingSecret: BENCH_SIGNING_SECRET,
      fake,
    });
    // The request mix: read commands, write commands (run, pause or resume), and Run now clicks.
    // Every one of them is answered through its response_url (an ephemeral or in-channel reply).
    const requests: Array<{ kind: Kind; go: (k: number) => Promise<SentRequest> }> = [
      { kind: 'command', go: () => send.command('list', BENCH_ADMIN) },
      { kind: 'command', go: () => send.command('stats', BENCH_ADMIN) },
      { kind: 'command', go: () => send.command('help', BENCH_ADMIN) },
      { kind: 'command', go: (k) => send.command(`logs bench task ${k % 20}`, BENCH_ADMIN) },
      { kind: 'command', go: (k) => send.command(`run bench task ${k % 20}`, BENCH_OPERATOR) },
      {
        kind: 'click',
        go: (k) =>
          send.click({
            userId: BENCH_OPERATOR,
            actionId: 'task_run_now',
            value: taskIds[k % 20]!,
            container: { type: 'message', channelId: 'C0GENERAL' },
          }),
      },
      // The Pause button opens a modal (answered by views.open, not its response_url): the pause and
      // resume writes are sent as commands instead.
      {
        kind: 'command',
        go: (k) => send.command(`${k % 2 === 0 ? 'pause' : 'resume'} bench task ${k % 20}`, BENCH_OPERATOR),
      },
    ];
    const ack: Record<Kind, number[]> = { command: [], click: [] };
    const endToEnd: number[] = [];
    let sent = 0;
    let httpErrors = 0;
    let followUpTimeouts = 0;
    let handlerErrors = 0;
    const errorSamples: string[] = [];
    const sample = (text: string) => {
      if (errorSamples.length < 5) errorSamples.push(text);
    };
    const startedAt = Date.now();
    const measureFrom = startedAt + WARMUP_MS;
    const endAt = measureFrom + SECONDS * 1000;
    let measuring = false;
    let counter = 0;
    const person = async () => {
      while (Date.now() < endAt) {
        const k = counter++;
        const request = requests[k % requests.length]!;
        const measured = Date.now() >= measureFrom;
        if (measured && !measuring) {
          measuring = true;
          app.reset();
          loopDelay.enable();
        }
        const t0 = performance.now();
        try {
          const response = await request.go(k);
          const ackMs = performance.now() - t0;
          if (measured) sent++;
          if (response.status !== 200 || !response.responseUrl) {
            if (measured) {
              httpErrors++;
              sample(`HTTP ${response.status}`);
            }
            continue;
          }
          if (measured) ack[request.kind].push(ackMs);
          const followUp = await fake.waitForResponse(response.responseUrl, FOLLOWUP_TIMEOUT_MS);
          if (!measured) continue;
          if (!followUp) {
            followUpTimeouts++;
            sample(`no follow-up within ${FOLLOWUP_TIMEOUT_MS} ms`);
            continue;
          }
          endToEnd.push(performance.now() - t0);
          if (String(followUp.body.text).startsWith('Something went wrong')) handlerErrors++;
        } catch (error) {
          if (measured) {
            sent++;
            httpErrors++;
            sample(String(error));
          }
        }
      }
    };
    // This process's event-loop delay delays the ack's measurement too (the response waits to be read).
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    const cpuFrom = process.cpuUsage();
    await Promise.all(Array.from({ length: CONCURRENCY }, () => person()));
    const cpu = process.cpuUsage(cpuFrom);
    loopDelay.disable();
    const wallMs = Date.now() - startedAt;
    const appReport: SlackAppReport = await app.report();
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const allAck = sorted([...ack.command, ...ack.click]);
    const e2e = sorted(endToEnd);
    emit({
      bench: 'slack',
      scenario: 'signed-requests',
      concurrency: CONCURRENCY,
      seconds: SECONDS,
      poolMax: POOL_MAX,
      afterAckConcurrency: AFTER_ACK ? Number(AFTER_ACK) : AFTER_ACK_CONCURRENCY,
      requests: sent,
      requestsPerSecond: Math.round(sent / SECONDS),
      ackP50Ms: round(percentile(allAck, 50)),
      ackP99Ms: round(percentile(allAck, 99)),
      ackMaxMs: round(allAck.at(-1) ?? Number.NaN),
      commandAckP50Ms: round(percentile(sorted(ack.command), 50)),
      commandAckP99Ms: round(percentile(sorted(ack.command), 99)),
      clickAckP50Ms: round(percentile(sorted(ack.click), 50)),
      clickAckP99Ms: round(percentile(sorted(ack.click), 99)),
      endToEndP50Ms: round(percentile(e2e, 50)),
      endToEndP99Ms: round(percentile(e2e, 99)),
      endToEndMaxMs: round(e2e.at(-1) ?? Number.NaN),
      // HTTP failures (non-200, connection errors) and follow-ups that never came.
      errors: httpErrors + followUpTimeouts,
      httpErrors,
      followUpTimeouts,
      errorSamples,
      // Follow-ups that were the generic "something went wrong" sentence (a handler threw after the ack).
      handlerErrors,
      invalidBlocks: fake.rejected.length,
      app: appReport,
      // CPU of this process (the 50 people and the fake Slack), as a share of one core.
      generatorCpuCores: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100) / 100,
      // Beyond the 10 ms timer the histogram samples with.
      generatorEventLoopDelayP50Ms: Math.max(0, Math.round((loopDelay.percentile(50) - 1e7) / 1e5) / 10),
      generatorEventLoopDelayP99Ms: Math.max(0, Math.round((loopDelay.percentile(99) - 1e7) / 1e5) / 10),
      generatorRssMb: rssMb(),
    });
  } finally {
    await app.stop();
    await fake.close();
    await database.close();
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
