import type pg from 'pg';
import { enqueueOutbox, type OutboxEntry } from './outbox.js';
import { withTransaction } from './transaction.js';

/**
 * Overdue watch (docs/ARCHITECTURE.md §5.8): an enabled, approved task whose occurrence is more than its grace
 * late and still unclaimed, or a scheduled execution still queued that late. One alert per occurrence:
 * the dedupe key is (task, occurrence) and `overdue_notified_for` remembers the last one raised.
 */
export async function detectOverdue(
  pool: pg.Pool,
  options: { now: Date; alert: (task: OverdueTask) => OutboxEntry },
): Promise<OverdueTask[]> {
  // Nearly always nothing is late: one read answers that, without a transaction (idle cost).
  const { rows } = await pool.query<{ late: boolean }>(
    `select exists (select 1 from scheduled_tasks
                     where enabled and approval_state = 'approved' and next_run_at < $1
                       and next_run_at + make_interval(secs => overdue_grace_seconds) < $1
                       and overdue_notified_for is distinct from next_run_at)
         or exists (select 1 from task_executions e join scheduled_tasks t on t.id = e.task_id
                     where e.status = 'queued' and e.run_after < $1 and e.trigger in ('schedule', 'catchup')
                       and e.scheduled_for is not null
                       and e.scheduled_for + make_interval(secs => t.overdue_grace_seconds) < $1
                       and t.enabled and t.approval_state = 'approved') as late`,
    [options.now.toISOString()],
  );
  if (!rows[0]?.late) return [];
  return withTransaction(pool, async (client) => {
    const now = options.now.toISOString();
    const lateTasks = await client.query<LateRow>(
      `update scheduled_tasks t
          set overdue_notified_for = t.next_run_at
        where t.id in (select id from scheduled_tasks
                        where enabled and approval_state = 'approved' and next_run_at < $1
                          and next_run_at + make_interval(secs => overdue_grace_seconds) < $1
                          and overdue_notified_for is distinct from next_run_at
                        for no key update skip locked)
        returning t.id, t.name, t.next_run_at as occurrence, t.overdue_grace_seconds as grace, t.is_running,
                  t.last_status, t.alert_channel`,
      [now],
    );
    const lateQueued = await client.query<LateRow>(
      `select t.id, t.name, e.scheduled_for as occurrence, t.overdue_grace_seconds as grace, t.is_running,
              t.last_status, t.alert_channel
         from task_executions e join scheduled_tasks t on t.id = e.task_id
        where e.status = 'queued' and e.run_after < $1 and e.trigger in ('schedule', 'catchup') and e.scheduled_for is not null
          and e.scheduled_for + make_interval(secs => t.overdue_grace_seconds) < $1
          and t.enabled and t.approval_state = 'approved'
        limit 1000`,
      [now],
    );
    const candidates: OverdueTask[] = [...lateTasks.rows, ...lateQueued.rows].map((row) => ({
      taskId: row.id,
      taskName: row.name,
      occurrence: row.occurrence,
      lateByMs: options.now.getTime() - row.occurrence.getTime(),
      graceSeconds: row.grace,
      isRunning: row.is_running,
      lastStatus: row.last_status,
      alertChannel: row.alert_channel,
    }));
    const entries = candidates.map((candidate) => options.alert(candidate));
    // The dedupe key makes the overdue alert once per occurrence: only newly inserted ones are news.
    const inserted = new Set(await enqueueOutbox(client, entries, options.now));
    return candidates.filter((_, index) => inserted.has(entries[index]!.dedupeKey));
  });
}

/** What both overdue queries return: a task and the occurrence that is late. */
interface LateRow {
  id: string;
  name: string;
  occurrence: Date;
  grace: number;
  is_running: boolean;
  last_status: string | null;
  alert_channel: string | null;
}

export interface OverdueTask {
  taskId: string;
  taskName: string;
  occurrence: Date;
  lateByMs: number;
  graceSeconds: number;
  isRunning: boolean;
  lastStatus: string | null;
  alertChannel: string | null;
}
