import type pg from 'pg';
import { AppError } from '../shared/errors.js';
import { recordAuditWithClient } from './audit.js';
import { withTransaction } from './transaction.js';

/**
 * People's actions on executions (Slack buttons, CLI): retry a failed one, cancel a queued or running
 * one. Both are idempotent, so a double click or Slack's retried delivery does nothing twice.
 */

export interface RetryRequest {
  executionId: string;
  actorId: string;
  now: Date;
}

/**
 * Queues a manual retry of a finished execution that did not succeed: a new row with attempt + 1 and a
 * parent link, starting now. If a retry of that execution is already queued or running, returns it.
 */
export async function retryExecution(
  pool: pg.Pool,
  request: RetryRequest,
): Promise<{ id: string; created: boolean }> {
  return withTransaction(pool, async (client) => {
    const parent = await client.query<{
      id: string;
      task_id: string;
      status: string;
      attempt: number;
      scheduled_for: Date | null;
      approval_state: string;
      name: string;
    }>(
      `select e.id, e.task_id, e.status, e.attempt, e.scheduled_for, t.approval_state, t.name
         from task_executions e join scheduled_tasks t on t.id = e.task_id
        where e.id = $1 for update of e`,
      [request.executionId],
    );
    const row = parent.rows[0];
    if (!row)
      throw new AppError('execution_not_found', `No execution with id ${request.executionId}.`, 'execution');
    if (!['failed', 'timed_out', 'cancelled'].includes(row.status)) {
      throw new AppError(
        'not_retryable',
        `This execution is ${row.status.replace('_', ' ')}; only failed, timed-out or cancelled executions can be retried.`,
        'execution',
      );
    }
    if (row.approval_state !== 'approved') {
      throw new AppError('forbidden', `"${row.name}" is not approved and cannot run.`, 'execution');
    }
    const existing = await client.query<{ id: string }>(
      `select id from task_executions where parent_execution_id = $1 and status in ('queued', 'running') limit 1`,
      [row.id],
    );
    if (existing.rows[0]) return { id: existing.rows[0].id, created: false };
    const inserted = await client.query<{ id: string }>(
      `insert into task_executions (task_id, trigger, scheduled_for, status, attempt, parent_execution_id, run_after, triggered_by, created_at)
       values ($1, 'retry', $2, 'queued', $3, $4, $5, $6, $5) returning id`,
      [row.task_id, row.scheduled_for, row.attempt + 1, row.id, request.now.toISOString(), request.actorId],
    );
    const id = inserted.rows[0]!.id;
    await recordAuditWithClient(client, {
      actor: request.actorId,
      action: 'execution.retried',
      taskId: row.task_id,
      taskName: row.name,
      executionId: id,
      before: { executionId: row.id, status: row.status },
      at: request.now,
    });
    await client.query(`select pg_notify('chronops_wakeup', $1)`, [id]);
    return { id, created: true };
  });
}

export type CancelOutcome = 'cancelled' | 'cancel_requested' | 'already_finished';

/**
 * Cancels an execution: a queued one is cancelled at once; a running one is flagged and its runner
 * aborts it at its next heartbeat (or at once, woken by NOTIFY chronops_cancel) — the guide's "stuck
 * running task" fixed without SQL.
 */
export async function cancelExecution(
  pool: pg.Pool,
  request: { executionId: string; actorId: string; now: Date },
): Promise<CancelOutcome> {
  return withTransaction(pool, async (client) => {
    const found = await client.query<{ id: string; task_id: string; status: string; name: string }>(
      `select e.id, e.task_id, e.status, t.name from task_executions e join scheduled_tasks t on t.id = e.task_id
        where e.id = $1 for update of e`,
      [request.executionId],
    );
    const row = found.rows[0];
    if (!row)
      throw new AppError('execution_not_found', `No execution with id ${request.executionId}.`, 'execution');
    let outcome: CancelOutcome;
    if (row.status === 'queued') {
      await client.query(
        `update task_executions set status = 'cancelled', reason = 'cancelled_by_user', finished_at = $2,
                cancel_requested_at = $2, cancel_requested_by = $3, worker_id = null, lease_until = null
          where id = $1`,
        [row.id, request.now.toISOString(), request.actorId],
      );
      outcome = 'cancelled';
    } else if (row.status === 'running') {
      await client.query(
        `update task_executions set cancel_requested_at = coalesce(cancel_requested_at, $2),
                cancel_requested_by = coalesce(cancel_requested_by, $3)
          where id = $1`,
        [row.id, request.now.toISOString(), request.actorId],
      );
      await client.query(`select pg_notify('chronops_cancel', $1)`, [row.id]);
      outcome = 'cancel_requested';
    } else {
      return 'already_finished';
    }
    await recordAuditWithClient(client, {
      actor: request.actorId,
      action: 'execution.cancelled',
      taskId: row.task_id,
      taskName: row.name,
      executionId: row.id,
      before: { status: row.status },
      at: request.now,
    });
    return outcome;
  });
}

/**
 * True when someone asked, through {@link cancelExecution}, to cancel this running execution. NOTIFY
 * chronops_cancel is only a hint that such a request was committed: any session on the database can
 * send one, unaudited, so a runner aborts only when this says the request is really there.
 */
export async function isCancelRequested(pool: pg.Pool, executionId: string): Promise<boolean> {
  const { rows } = await pool.query<{ requested: boolean }>(
    `select cancel_requested_at is not null as requested from task_executions
      where id = $1 and status = 'running'`,
    [executionId],
  );
  return rows[0]?.requested === true;
}
