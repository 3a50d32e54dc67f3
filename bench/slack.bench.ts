import { setTimeout as sleep } from 'node:timers/promises';
import { prepareTask } from '../src/domain/task.js';
import { createDatabase } from '../src/store/database.js';
import { createTask } from '../src/store/tasks.js';
import { BENCH_ADMIN, BENCH_OPERATOR, startBenchSlack } from './slack-support.js';
import { createBenchDatabase, emit, percentile, rssMb } from './support.js';

/**
 * `npm run bench -- slack`: 50 concurrent clients sending signed slash commands and button clicks for
 * BENCH_SECONDS (default and cap 30; BENCH_SLACK_SECONDS overrides) to the real Bolt app on an HTTP server, with the fake Slack Web API and a
 * real database. Ack latency = from sending the signed request to the HTTP response (Slack's 3 s
 * budget); the work after the ack (queries, respond() to the fake) runs concurrently, as in production.
 * The load generator and the fake Slack share the process with the app, so the figures are pessimistic.
 * `handlerErrors` counts replies that were the generic error sentence (e.g. a pool connect timeout).
 */
const SECONDS = Number(
  process.env.BENCH_SLACK_SECONDS ?? Math.min(Number(process.env.BENCH_SECONDS ?? 30), 30),
);
const CONCURRENCY = Number(process.env.BENCH_SLACK_CONCURRENCY ?? 50);
const WARMUP_MS = 2000;

type Kind = 'command' | 'click';

export async function run(): Promise<void> {
  const database = await createBenchDatabase('bench_slack');
  // The pool production gives the service (src/store/connect.ts: max 20), not the bench default of 8.
  const appDatabase = createDatabase(database.url, { max: 20, applicationName: 'chronops:bench-slack' });
  const bench = await startBenchSlack(appDatabase);
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
    const { send, fake, slack } = bench;
    // The request mix: read commands, a write command, and two kinds of button clicks (a write each).
    const requests: Array<{ kind: Kind; go: (k: number) => ReturnType<typeof send.command> }> = [
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
      {
        kind: 'click',
        go: (k) =>
          send.click({
            userId: BENCH_OPERATOR,
            actionId: 'task_pause_resume',
            value: taskIds[k % 20]!,
            container: { type: 'message', channelId: 'C0GENERAL' },
          }),
      },
    ];
    const latency: Record<Kind, number[]> = { command: [], click: [] };
    let errors = 0;
    let sent = 0;
    const errorSamples: string[] = [];
    const startedAt = Date.now();
    const measureFrom = startedAt + WARMUP_MS;
    const endAt = measureFrom + SECONDS * 1000;
    let counter = 0;
    const client = async () => {
      while (Date.now() < endAt) {
        const k = counter++;
        const request = requests[k % requests.length]!;
        const t0 = performance.now();
        const began = Date.now();
        try {
          const response = await request.go(k);
          const ms = performance.now() - t0;
          if (began >= measureFrom) {
            sent++;
            if (response.status !== 200) {
              errors++;
              if (errorSamples.length < 5) errorSamples.push(`HTTP ${response.status}`);
            } else latency[request.kind].push(ms);
          }
        } catch (error) {
          if (began >= measureFrom) {
            sent++;
            errors++;
            if (errorSamples.length < 5) errorSamples.push(String(error));
          }
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, () => client()));
    await slack.idle();
    await sleep(200);
    const all = [...latency.command, ...latency.click].sort((a, b) => a - b);
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const genericErrors = fake.responses.filter((r) =>
      String(r.body.text).startsWith('Something went wrong'),
    );
    emit({
      bench: 'slack',
      scenario: 'signed-requests',
      concurrency: CONCURRENCY,
      seconds: SECONDS,
      requests: sent,
      requestsPerSecond: Math.round(sent / SECONDS),
      ackP50Ms: round(percentile(all, 50)),
      ackP99Ms: round(percentile(all, 99)),
      ackMaxMs: round(all.at(-1) ?? Number.NaN),
      commandAckP50Ms: round(percentile(sorted(latency.command), 50)),
      commandAckP99Ms: round(percentile(sorted(latency.command), 99)),
      clickAckP50Ms: round(percentile(sorted(latency.click), 50)),
      clickAckP99Ms: round(percentile(sorted(latency.click), 99)),
      errors,
      errorSamples,
      // Replies that were the generic "something went wrong" sentence (a handler threw after the ack).
      handlerErrors: genericErrors.length,
      invalidBlocks: fake.rejected.length,
      rssMb: rssMb(),
    });
  } finally {
    await bench.close();
    await appDatabase.close();
    await database.close();
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
