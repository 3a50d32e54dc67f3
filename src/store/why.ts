import type pg from 'pg';
import type { WhyMissedSummary, WhySlotRow } from '../domain/why.js';

/**
 * What `/tasks why <task>` explains (domain/why.ts): the task's latest slots — every decided slot is a
 * task_executions row, with a `reason` when it did not run normally — and the missed-runs summaries
 * written after downtime that mention it.
 */
export async function loadWhyInputs(
  pool: pg.Pool,
  taskId: string,
  options: { slots?: number; summaries?: number } = {},
): Promise<{ slots: WhySlotRow[]; missed: WhyMissedSummary[] }> {
  // `desc nulls last`: the order of task_executions_task_history_idx, so the latest slots come straight
  // from the index instead of sorting the task's whole history (see newest-first.ts).
  const slots = await pool.query<{
    id: string;
    trigger: string;
    scheduled_for: Date | null;
    created_at: Date;
    status: string;
    reason: string | null;
    attempt: number;
    error: string | null;
    error_code: string | null;
    triggered_by: string | null;
  }>(
    `select id, trigger, scheduled_for, created_at, status, reason, attempt, error, error_code, triggered_by
       from task_executions where task_id = $1
      order by created_at desc nulls last, coalesce(scheduled_for, created_at) desc, attempt desc
      limit $2`,
    [taskId, options.slots ?? 10],
  );
  const summaries = await pool.query<{
    created_at: Date;
    payload: { tasks?: Array<Record<string, unknown>> };
  }>(
    `select created_at, payload from notification_outbox
      where kind = 'missed_runs' and payload->'tasks' @> jsonb_build_array(jsonb_build_object('taskId', $1::text))
      order by id desc limit $2`,
    [taskId, options.summaries ?? 3],
  );
  const missed: WhyMissedSummary[] = [];
  for (const row of summaries.rows) {
    for (const item of row.payload.tasks ?? []) {
      if (item.taskId !== taskId) continue;
      missed.push({
        at: row.created_at,
        policy: String(item.policy ?? '?'),
        missedCount: Number(item.missedCount ?? 0),
        firstMissedFor: new Date(String(item.firstMissedFor)),
        lastMissedFor: new Date(String(item.lastMissedFor)),
        ran: Array.isArray(item.ran) ? item.ran.map((at) => new Date(String(at))) : [],
        skippedCount: Number(item.skippedCount ?? 0),
      });
    }
  }
  return {
    slots: slots.rows.map((row) => ({
      id: row.id,
      trigger: row.trigger,
      scheduledFor: row.scheduled_for,
      createdAt: row.created_at,
      status: row.status,
      reason: row.reason,
      attempt: row.attempt,
      error: row.error,
      errorCode: row.error_code,
      triggeredBy: row.triggered_by,
    })),
    missed,
  };
}
