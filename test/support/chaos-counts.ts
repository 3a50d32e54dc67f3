import type pg from 'pg';

/** Row counts of every table a Slack request could change; equal before and after = nothing stored. */
export interface RowCounts {
  tasks: number;
  executions: number;
  audit: number;
  outbox: number;
  /** A digest of the task rows' mutable columns, so that an update (not only an insert) shows. */
  taskDigest: string;
}

export async function rowCounts(pool: pg.Pool): Promise<RowCounts> {
  const result = await pool.query<RowCounts>(
    `select (select count(*)::int from scheduled_tasks) as tasks,
            (select count(*)::int from task_executions) as executions,
            (select count(*)::int from audit_log) as audit,
            (select count(*)::int from notification_outbox) as outbox,
            (select coalesce(md5(string_agg(id || ':' || version || ':' || enabled || ':' ||
                                            coalesce(paused_reason, ''), ',' order by id)), '')
               from scheduled_tasks) as "taskDigest"`,
  );
  return result.rows[0]!;
}
