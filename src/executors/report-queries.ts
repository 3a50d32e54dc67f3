import type { ReportQueryName } from '../domain/task-params.js';
import type { Queryable } from './target-database.js';

/**
 * The named statistics a report can include. Each runs one bounded, read-only query over a time window
 * [since, until) passed as bound values, against either chronops' own tables (`service`) or the
 * application's (`target`); a query whose tables are absent is skipped with a note, not failed.
 */
export type ReportFigure =
  | { kind: 'value'; value: number }
  | { kind: 'rows'; rows: Array<Record<string, string | number | null>> };

export interface ReportQuery {
  readonly name: ReportQueryName;
  readonly title: string;
  readonly source: 'service' | 'target';
  /** Tables that must exist (unqualified, search_path) for the query to run. */
  readonly requires: readonly string[];
  run(db: Queryable, since: Date, until: Date): Promise<ReportFigure>;
}

async function value(db: Queryable, text: string, since: Date, until: Date): Promise<ReportFigure> {
  const { rows } = await db.query<{ value: number }>(text, [since, until]);
  return { kind: 'value', value: Number(rows[0]?.value ?? 0) };
}

async function rows(db: Queryable, text: string, since: Date, until: Date): Promise<ReportFigure> {
  const result = await db.query<Record<string, string | number | null>>(text, [since, until]);
  return { kind: 'rows', rows: result.rows };
}

export const REPORT_QUERIES: Readonly<Record<ReportQueryName, ReportQuery>> = {
  executions_24h_by_status: {
    name: 'executions_24h_by_status',
    title: 'Executions in the last 24 h',
    source: 'service',
    requires: ['task_executions'],
    run: (db, since, until) =>
      rows(
        db,
        `select status, count(*)::int4 as count from task_executions
          where created_at >= $1 and created_at < $2 group by status order by count(*) desc, status`,
        since,
        until,
      ),
  },
  slowest_tasks: {
    name: 'slowest_tasks',
    title: 'Slowest tasks (24 h)',
    source: 'service',
    requires: ['task_executions', 'scheduled_tasks'],
    run: (db, since, until) =>
      rows(
        db,
        `select t.name, count(*)::int4 as runs, max(e.duration_ms)::int4 as max_ms,
                round(avg(e.duration_ms))::int4 as avg_ms
           from task_executions e join scheduled_tasks t on t.id = e.task_id
          where e.finished_at >= $1 and e.finished_at < $2 and e.duration_ms is not null
          group by t.name order by max(e.duration_ms) desc, t.name limit 5`,
        since,
        until,
      ),
  },
  failing_tasks: {
    name: 'failing_tasks',
    title: 'Failing tasks (24 h)',
    source: 'service',
    requires: ['task_executions', 'scheduled_tasks'],
    run: (db, since, until) =>
      rows(
        db,
        `select t.name,
                count(*) filter (where e.status in ('failed', 'timed_out'))::int4 as failures,
                count(*) filter (where e.status in ('success', 'failed', 'timed_out'))::int4 as runs
           from task_executions e join scheduled_tasks t on t.id = e.task_id
          where e.created_at >= $1 and e.created_at < $2
          group by t.name
         having count(*) filter (where e.status in ('failed', 'timed_out')) > 0
          order by failures desc, t.name limit 10`,
        since,
        until,
      ),
  },
  new_users_24h: {
    name: 'new_users_24h',
    title: 'New users (24 h)',
    source: 'target',
    requires: ['users'],
    run: (db, since, until) =>
      value(
        db,
        'select count(*)::int4 as value from users where created_at >= $1 and created_at < $2',
        since,
        until,
      ),
  },
  messages_sent_24h: {
    name: 'messages_sent_24h',
    title: 'Messages sent (24 h)',
    source: 'target',
    // The demo application logs one `message sent …` line per message; there is no messages table.
    requires: ['logs'],
    run: (db, since, until) =>
      value(
        db,
        `select count(*)::int4 as value from logs
          where created_at >= $1 and created_at < $2 and message like 'message sent%'`,
        since,
        until,
      ),
  },
};

/** The guide's figures for the daily report: the App Home's four numbers, over [since, until). */
export interface ReportOverview {
  activeTasks: number;
  running: number;
  successes: number;
  failures: number;
}

export async function loadReportOverview(db: Queryable, since: Date, until: Date): Promise<ReportOverview> {
  const { rows } = await db.query<ReportOverview>(
    `select (select count(*) from scheduled_tasks where enabled and approval_state = 'approved')::int4 as "activeTasks",
            (select count(*) from task_executions where status = 'running')::int4 as running,
            (select count(*) from task_executions
              where status = 'success' and finished_at >= $1 and finished_at < $2)::int4 as successes,
            (select count(*) from task_executions
              where status in ('failed', 'timed_out') and finished_at >= $1 and finished_at < $2)::int4 as failures`,
    [since, until],
  );
  return rows[0] ?? { activeTasks: 0, running: 0, successes: 0, failures: 0 };
}

/** Every task with what the look-ahead needs (domain/report-lookahead.ts), its last 5 success durations. */
export async function loadLookaheadTasks(db: Queryable): Promise<
  Array<{
    id: string;
    name: string;
    cron: string;
    timezone: string;
    enabled: boolean;
    approval_state: string;
    timeout_seconds: number;
    paused_at: Date | null;
    paused_by: string | null;
    paused_reason: string | null;
    recent: number[] | null;
  }>
> {
  const { rows } = await db.query(
    `select t.id, t.name, t.cron, t.timezone, t.enabled, t.approval_state, t.timeout_seconds,
            t.paused_at, t.paused_by, t.paused_reason,
            (select array_agg(s.duration_ms) from (
               select e.duration_ms from task_executions e
                where e.task_id = t.id and e.status = 'success' and e.duration_ms is not null
                order by e.created_at desc nulls last limit 5) s) as recent -- the history index order (store/newest-first.ts)
       from scheduled_tasks t order by lower(t.name) limit 10000`,
  );
  return rows;
}
