import { CronExpressionParser } from 'cron-parser';
import { Cron } from 'croner';
import { DateTime } from 'luxon';
import { nextRunAfter, parseCron } from '../src/domain/cron.js';

/**
 * `npm run bench -- cron-dst`: what chronops's own matcher, cron-parser's iterator and croner answer for
 * "the next runs after instant X" on DST days, and how fast each is. The reason chronops matches crons
 * itself (docs/ARCHITECTURE.md, "Decisions"): the answers must follow one DST policy (a skipped local
 * time runs once just after the jump, a repeated one runs once, on its first pass) and depend only on X.
 */
interface Case {
  name: string;
  expression: string;
  zone: string;
  after: string;
}

const CASES: Case[] = [
  {
    name: 'daily 02:30 on the spring-forward day',
    expression: '30 2 * * *',
    zone: 'Europe/Paris',
    after: '2026-03-28T12:00:00Z',
  },
  {
    name: 'daily 02:30 on the fall-back day',
    expression: '30 2 * * *',
    zone: 'Europe/Paris',
    after: '2026-10-24T12:00:00Z',
  },
  {
    name: 'daily 02:30, asked from inside the repeated hour',
    expression: '30 2 * * *',
    zone: 'Europe/Paris',
    after: '2026-10-25T00:45:00Z',
  },
  {
    name: 'hourly at :15 across spring forward',
    expression: '15 * * * *',
    zone: 'Europe/Paris',
    after: '2026-03-29T00:00:00Z',
  },
  {
    name: 'hourly at :15 across fall back',
    expression: '15 * * * *',
    zone: 'Europe/Paris',
    after: '2026-10-25T00:00:00Z',
  },
  {
    name: 'every 20 min in hour 2 on the spring-forward day',
    expression: '*/20 2 * * *',
    zone: 'Europe/Paris',
    after: '2026-03-28T12:00:00Z',
  },
  {
    name: 'at 02:00 and 03:00 on the fall-back day',
    expression: '0 2-3 * * *',
    zone: 'Europe/Paris',
    after: '2026-10-24T12:00:00Z',
  },
  {
    name: 'daily 02:30 New York spring forward',
    expression: '30 2 * * *',
    zone: 'America/New_York',
    after: '2026-03-07T12:00:00Z',
  },
];
const RUNS = 3;

type Next = (expression: string, zone: string, after: Date, count: number) => Date[];

const chronops: Next = (expression, zone, after, count) => {
  const cron = parseCron(expression, zone);
  const runs: Date[] = [];
  let at: Date | null = after;
  while (runs.length < count && at) {
    at = nextRunAfter(cron, at);
    if (at) runs.push(at);
  }
  return runs;
};

const cronParser: Next = (expression, zone, after, count) => {
  const iterator = CronExpressionParser.parse(expression, { tz: zone, currentDate: after });
  return Array.from({ length: count }, () => iterator.next().toDate());
};

const croner: Next = (expression, zone, after, count) =>
  new Cron(expression, { timezone: zone }).nextRuns(count, after);

const LIBRARIES: Record<string, Next> = {
  chronops,
  'cron-parser 5.10.6': cronParser,
  'croner 11.0.1': croner,
};

function local(date: Date, zone: string): string {
  return DateTime.fromJSDate(date, { zone }).toFormat('yyyy-MM-dd HH:mm ZZZZ');
}

export async function run(): Promise<void> {
  for (const testCase of CASES) {
    const after = new Date(testCase.after);
    const answers: Record<string, string[]> = {};
    for (const [library, next] of Object.entries(LIBRARIES)) {
      try {
        answers[library] = next(testCase.expression, testCase.zone, after, RUNS).map((date) =>
          local(date, testCase.zone),
        );
      } catch (error) {
        answers[library] = [`error: ${(error as Error).message}`];
      }
    }
    const reference = JSON.stringify(answers.chronops);
    const differ = Object.keys(answers).filter((library) => JSON.stringify(answers[library]) !== reference);
    process.stdout.write(
      `${JSON.stringify({ bench: 'cron-dst', case: testCase.name, expression: testCase.expression, zone: testCase.zone, after: testCase.after, answers, differFromChronops: differ })}\n`,
    );
  }
  // Throughput of "next run after X" asked from a fresh start each time, as the engine asks it.
  for (const [library, next] of Object.entries(LIBRARIES)) {
    const calls = 20_000;
    let at = new Date('2026-01-01T00:00:00Z');
    const started = performance.now();
    for (let i = 0; i < calls; i++) at = next('*/15 9-17 * * 1-5', 'America/New_York', at, 1)[0] ?? at;
    const elapsedMs = performance.now() - started;
    process.stdout.write(
      `${JSON.stringify({ bench: 'cron-dst.throughput', library, schedule: '*/15 9-17 * * 1-5 America/New_York', calls, callsPerSecond: Math.round(calls / (elapsedMs / 1000)) })}\n`,
    );
  }
}
