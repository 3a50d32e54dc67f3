import { HOME_PAGE_SIZE } from '../src/slack/blocks/home.js';
import { listDeadAlerts } from '../src/store/dead-alerts.js';
import { listRecentFailures } from '../src/store/executions.js';
import { getDashboardStats, listTaskStatusInputs } from '../src/store/stats.js';
import { countTasks, listTasks } from '../src/store/tasks.js';
import { BENCH_ADMIN, startBenchSlack } from './slack-support.js';
import { createBenchDatabase, emit, percentile } from './support.js';

/**
 * `npm run bench -- dashboard`: the App Home and `/tasks stats` with 1,000,000 executions in history
 * (200 tasks over 90 days, inserted with generate_series; ~2 % failures, ~1 % skips, the last day as
 * dense as the others). As in production, where autovacuum rarely visits a table this size, the history
 * is vacuumed but the last day's rows were written since: their pages are not all-visible, so the 24 h
 * counts cannot skip the heap. Per scenario, BENCH_DASHBOARD_RUNS (default 100) timed runs after 3
 * warm-ups:
 *
 * - `home`: an app_home_opened event through the real Bolt app until views.publish has reached the
 *   fake Slack (queries + Block Kit build + the Web API call);
 * - `stats`: `/tasks stats` as a signed slash command until the reply reached the response_url;
 * - `*-queries`: the same store queries alone, to separate query time from render time.
 */
const RUNS = Number(process.env.BENCH_DASHBOARD_RUNS ?? 100);
const EXECUTIONS = Number(process.env.BENCH_DASHBOARD_EXECUTIONS ?? 1_000_000);
const TASKS = 200;

export async function run(): Promise<void> {
  const database = await createBenchDatabase('bench_dashboard');
  const { pool, db } = database.handle;
  const bench = await startBenchSlack(database.handle);
  try {
    const loadStarted = performance.now();
    await pool.query(
      `insert into scheduled_tasks (name, type, cron, timezone, params, next_run_at, last_run_at, last_status)
       select 'dashboard task ' || i, 'cleanup', (i % 60) || ' */2 * * *', 'Europe/Paris',
              '{"table":"logs","timestampColumn":"created_at","olderThanDays":30}'::jsonb,
              now() + (i || ' minutes')::interval, now() - interval '1 hour', 'success'
         from generate_series(1, $1::int) as i`,
      [TASKS],
    );
    // Execution g happened g × (90 days / EXECUTIONS) ago: g ≤ EXECUTIONS / 90 is the last day.
    const insertExecutions = (from: number, to: number) =>
      pool.query(
        `with tasks as (select id, row_number() over (order by id) - 1 as k from scheduled_tasks)
         insert into task_executions (task_id, trigger, scheduled_for, status, reason, attempt, run_after,
                                      started_at, finished_at, duration_ms, worker_id, logs, error, created_at)
         select t.id, 'schedule', s.at,
                case when g % 50 = 0 then 'failed' when g % 97 = 0 then 'skipped' else 'success' end,
                case when g % 97 = 0 and g % 50 <> 0 then 'overlap_skipped' end,
                1, s.at, s.at, s.at + interval '1.2 seconds', 1200, 'bench-worker',
                'row ' || g,
                case when g % 50 = 0 then 'simulated failure ' || g end,
                s.at
           from generate_series($2::int, $3::int) as g
           join tasks t on t.k = g % ${TASKS}
           cross join lateral (select now() - (g * (interval '90 days' / $1::int)) as at) as s`,
        [EXECUTIONS, from, to],
      );
    const lastDay = Math.ceil(EXECUTIONS / 90);
    await insertExecutions(lastDay + 1, EXECUTIONS);
    await pool.query('vacuum analyze task_executions');
    await insertExecutions(1, lastDay);
    await pool.query('analyze task_executions');
    await pool.query('analyze scheduled_tasks');
    const loadMs = Math.round(performance.now() - loadStarted);
    const stored = (await pool.query<{ n: number }>('select count(*)::int as n from task_executions'))
      .rows[0]!.n;

    const { send, slack, fake } = bench;
    const time = async (work: () => Promise<void>): Promise<number[]> => {
      for (let i = 0; i < 3; i++) await work();
      const samples: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        await work();
        samples.push(performance.now() - t0);
      }
      return samples.sort((a, b) => a - b);
    };
    const report = (scenario: string, samples: number[], extra: Record<string, unknown> = {}) =>
      emit({
        bench: 'dashboard',
        scenario,
        executions: stored,
        tasks: TASKS,
        runs: RUNS,
        p50Ms: round(percentile(samples, 50)),
        p99Ms: round(percentile(samples, 99)),
        maxMs: round(samples.at(-1) ?? Number.NaN),
        loadMs,
        ...extra,
      });

    const publishesBefore = fake.callsTo('views.publish').length;
    const home = await time(async () => {
      const sent = await send.event({
        type: 'app_home_opened',
        user: BENCH_ADMIN,
        channel: 'D0ADMIN',
        tab: 'home',
      });
      if (sent.status !== 200) throw new Error(`app_home_opened answered ${sent.status}`);
      await slack.idle();
    });
    const publishes = fake.callsTo('views.publish').length - publishesBefore;
    if (publishes !== RUNS + 3) throw new Error(`expected ${RUNS + 3} views.publish calls, saw ${publishes}`);
    const lastHome = fake.homes.get(BENCH_ADMIN);
    report('home', home, {
      path: 'app_home_opened → Bolt → queries → buildHomeView → views.publish (fake Slack)',
      blocks: lastHome?.blocks.length,
    });

    let lastStatsUrl: string | undefined;
    const stats = await time(async () => {
      const sent = await send.command('stats', BENCH_ADMIN);
      if (sent.status !== 200) throw new Error(`/tasks stats answered ${sent.status}`);
      lastStatsUrl = sent.responseUrl;
      await slack.idle();
    });
    const reply = fake.responses.find((response) => lastStatsUrl?.endsWith(`/response/${response.id}`));
    if (!reply || !JSON.stringify(reply.body).includes('Dashboard'))
      throw new Error('the /tasks stats reply did not reach the response_url');
    report('stats', stats, { path: '/tasks stats → Bolt → queries → blocks → respond() (fake Slack)' });

    const homeQueries = await time(async () => {
      const now = new Date();
      await Promise.all([
        countTasks(db),
        getDashboardStats(db, now),
        listTasks(db, { limit: HOME_PAGE_SIZE, offset: 0 }),
        listRecentFailures(db, 5),
        listDeadAlerts(pool, { limit: 3 }),
      ]);
    });
    report('home-queries', homeQueries, {
      path: 'countTasks ‖ getDashboardStats ‖ listTasks ‖ listRecentFailures ‖ listDeadAlerts, as publishHomeView',
    });
    const statsQuery = await time(async () => {
      await getDashboardStats(db, new Date());
    });
    report('dashboard-stats-query', statsQuery, {
      path: 'getDashboardStats alone (one pass over the 24 h window, FILTER counts)',
    });
    const statsQueries = await time(async () => {
      const now = new Date();
      await Promise.all([getDashboardStats(db, now), listTaskStatusInputs(db, { limit: 100_000 })]);
    });
    const figures = await getDashboardStats(db, new Date());
    report('stats-queries', statsQueries, {
      path: 'getDashboardStats ‖ listTaskStatusInputs, as /tasks stats',
      successes24h: figures.successes24h,
      failures24h: figures.failures24h,
    });
  } finally {
    await bench.close();
    await database.close();
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
