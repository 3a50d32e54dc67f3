import type pg from 'pg';
import type { OutboxKind } from './outbox.js';
import { withTransaction } from './transaction.js';

/**
 * The delivery side of `notification_outbox` (docs/ARCHITECTURE.md §5.11), used by notify/outbox-worker.ts
 * and the delivery of one row it calls (notify/outbox-row-delivery.ts, post-plan.ts, direct-messages.ts),
 * and by the Slack listeners that change an alert's state. The columns tell where a row is:
 *
 * | status    | slack_channel | slack_ts | meaning                                                         |
 * |-----------|---------------|----------|-----------------------------------------------------------------|
 * | pending   | null          | null     | never tried to post                                             |
 * | pending   | set           | null     | a post was attempted: its outcome is unknown until looked up   |
 * | pending   | set           | set      | posted; its message must be re-rendered (chat.update)          |
 * | delivered | …             | …        | done (slack_ts null: folded into another message)              |
 * | dead      | …             | …        | given up (dead_at): listed by `/tasks alerts` and the App Home  |
 *
 * A row is dead when Slack refused it for good or its transient failures outlasted the retry window
 * (from `failing_since`, the first failed attempt); Redeliver (store/dead-alerts.ts) puts it back.
 *
 * A row is worked on only by the replica holding its lease (locked_by, locked_until); claims use
 * SKIP LOCKED so replicas split the rows instead of waiting for each other.
 */

export interface OutboxDeliveryRow {
  id: number;
  kind: OutboxKind;
  dedupeKey: string;
  channel: string | null;
  payload: Record<string, unknown>;
  taskId: string | null;
  executionId: string | null;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  slackChannel: string | null;
  slackTs: string | null;
  createdAt: Date;
  /** The first failed attempt since the row was last delivered or redelivered; null while none failed. */
  failingSince: Date | null;
}

/** What people or the engine did to an alert after it was posted; rendered in place by the notifier. */
export type AlertState =
  | { kind: 'retry_requested'; by: string; at: string; executionId: string }
  | { kind: 'retrying'; attempt: number; maxAttempts: number; at: string; executionId: string }
  | { kind: 'failed_final'; attempt: number; maxAttempts: number; at: string; executionId: string }
  | { kind: 'recovered'; attempt: number; at: string; executionId: string }
  | { kind: 'run_requested'; by: string; at: string }
  | { kind: 'ran'; at: string }
  | { kind: 'approved'; by: string; at: string }
  | { kind: 'rejected'; by: string; at: string; reason: string }
  /** An approval card whose task was saved again since (at `version`): it can no longer decide. */
  | { kind: 'superseded'; version: number; at: string };

/** A decision on one task of a missed-runs summary. */
export interface MissedDecision {
  kind: 'run' | 'skip';
  by: string;
  at: string;
}

const COLUMNS = `id, kind, dedupe_key, channel, payload, task_id, execution_id, status, attempts, slack_channel,
                 slack_ts, created_at, failing_since`;

interface RawRow {
  id: number;
  kind: OutboxKind;
  dedupe_key: string;
  channel: string | null;
  payload: Record<string, unknown>;
  task_id: string | null;
  execution_id: string | null;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  slack_channel: string | null;
  slack_ts: string | null;
  created_at: Date;
  failing_since: Date | null;
}

function toRow(raw: RawRow): OutboxDeliveryRow {
  return {
    id: Number(raw.id),
    kind: raw.kind,
    dedupeKey: raw.dedupe_key,
    channel: raw.channel,
    payload: raw.payload,
    taskId: raw.task_id,
    executionId: raw.execution_id,
    status: raw.status,
    attempts: raw.attempts,
    slackChannel: raw.slack_channel,
    slackTs: raw.slack_ts,
    createdAt: raw.created_at,
    failingSince: raw.failing_since,
  };
}

/**
 * Leases up to `limit` due pending rows to `workerId` until `leaseUntil`, oldest first. A row leased by
 * another live replica (locked_until in the future) is not due; one whose lease lapsed (its replica
 * died mid-delivery) is, and its unknown outcome is resolved by the caller before posting again.
 */
export async function claimDueOutbox(
  pool: pg.Pool,
  options: { now: Date; workerId: string; leaseUntil: Date; limit: number },
): Promise<OutboxDeliveryRow[]> {
  const result = await pool.query<RawRow>(
    `update notification_outbox o
        set locked_by = $2, locked_until = $3
      where o.id in (select id from notification_outbox
                      where status = 'pending' and next_attempt_at <= $1
                        and (locked_until is null or locked_until < $1)
                      order by next_attempt_at, id
                      limit $4 for update skip locked)
      returning ${COLUMNS}`,
    [options.now.toISOString(), options.workerId, options.leaseUntil.toISOString(), options.limit],
  );
  return result.rows.map(toRow).sort((a, b) => a.id - b.id);
}

/**
 * Records the intent to post row `id` to `channel` before the Slack call. From then on the outcome is
 * "unknown" until marked: a replica that finds the row in that state looks for the message (by its
 * metadata) instead of posting blindly. Returns false when the lease was lost meanwhile.
 */
export async function recordPostIntent(
  pool: pg.Pool,
  options: { id: number; workerId: string; channel: string },
): Promise<boolean> {
  const result = await pool.query(
    `update notification_outbox set slack_channel = $3 where id = $1 and locked_by = $2 and slack_ts is null`,
    [options.id, options.workerId, options.channel],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * Marks a row delivered as message `ts` (null: folded into another message, nothing of its own). If
 * its payload changed while it was being delivered (someone acted on the alert), it stays pending with
 * its ts, so the next pass re-renders it in place.
 */
export async function markOutboxDelivered(
  pool: pg.Pool,
  options: {
    id: number;
    workerId: string;
    channel: string | null;
    ts: string | null;
    now: Date;
    renderedPayload: Record<string, unknown>;
  },
): Promise<boolean> {
  const result = await pool.query(
    `update notification_outbox
        set status = case when payload = $6::jsonb or $4::text is null then 'delivered' else 'pending' end,
            slack_channel = coalesce($3, slack_channel), slack_ts = coalesce($4, slack_ts),
            delivered_at = coalesce(delivered_at, $5), next_attempt_at = $5,
            locked_by = null, locked_until = null, last_error = null, attempts = 0, failing_since = null
      where id = $1 and locked_by = $2`,
    [
      options.id,
      options.workerId,
      options.channel,
      options.ts,
      options.now.toISOString(),
      JSON.stringify(options.renderedPayload),
    ],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * Gives the row back after an attempt that did not deliver it: retried at `nextAttemptAt`, or `dead`
 * (with `dead_at`) when `dead` is set. `countAttempt: false` for waits that are not failures (pacing,
 * 429 Retry-After); a counted failure starts the retry window (`failing_since`) if none is running.
 * `clearIntent` forgets the channel a refused post was meant for (Slack answered, so nothing was
 * posted): a redelivery chooses the channel again. A re-render that keeps failing ends `delivered`
 * with its error kept: the alert itself reached the channel.
 */
export async function releaseOutbox(
  pool: pg.Pool,
  options: {
    id: number;
    workerId: string;
    now: Date;
    nextAttemptAt: Date;
    error: string | null;
    countAttempt: boolean;
    dead?: boolean;
    clearIntent?: boolean;
  },
): Promise<void> {
  await pool.query(
    `update notification_outbox
        set attempts = attempts + case when $5 then 1 else 0 end,
            failing_since = case when $5 then coalesce(failing_since, $7) else failing_since end,
            next_attempt_at = $3, last_error = coalesce($4, last_error),
            status = case when $6 then (case when slack_ts is null then 'dead' else 'delivered' end) else status end,
            dead_at = case when $6 and slack_ts is null then $7 else dead_at end,
            slack_channel = case when $8 and slack_ts is null then null else slack_channel end,
            locked_by = null, locked_until = null
      where id = $1 and locked_by = $2`,
    [
      options.id,
      options.workerId,
      options.nextAttemptAt.toISOString(),
      options.error,
      options.countAttempt,
      options.dead ?? false,
      options.now.toISOString(),
      options.clearIntent ?? false,
    ],
  );
}

/**
 * Who a task's alerts go to as a direct message when neither the task nor ALERT_CHANNEL names a
 * channel: its author (`created_by`), when that is a Slack user id (system tasks are created by
 * `system`, tasks written by SQL by nobody).
 */
export async function findTaskAuthor(pool: pg.Pool, taskId: string): Promise<string | null> {
  const result = await pool.query<{ created_by: string | null }>(
    `select created_by from scheduled_tasks where id = $1`,
    [taskId],
  );
  const author = result.rows[0]?.created_by ?? null;
  return author && /^[UW][A-Z0-9]{2,}$/.test(author) ? author : null;
}

/**
 * The first failure alert of an execution's retry chain (its own or an ancestor's), other than the
 * row itself: later attempts update that message and reply in its thread instead of posting anew.
 */
export async function findChainRootAlert(
  pool: pg.Pool,
  options: { executionId: string; excludeId: number },
): Promise<OutboxDeliveryRow | undefined> {
  const result = await pool.query<RawRow>(
    `with recursive chain(id, parent, depth) as (
       select id, parent_execution_id, 0 from task_executions where id = $1
       union all
       select e.id, e.parent_execution_id, c.depth + 1 from task_executions e join chain c on e.id = c.parent
        where c.depth < 20
     )
     select ${COLUMNS} from notification_outbox
      where execution_id in (select id from chain) and kind in ('execution_failed', 'worker_lost')
        and id <> $2 and status <> 'dead'
      order by id limit 1`,
    [options.executionId, options.excludeId],
  );
  const row = result.rows[0];
  return row ? toRow(row) : undefined;
}

/**
 * Sets the state of an alert and, when it is already in the channel, queues its re-rendering
 * (chat.update by the notifier). Works on any row status; a dead row keeps its status. Setting the
 * state it already has changes nothing (no second update).
 */
export async function setAlertState(
  pool: pg.Pool | pg.PoolClient,
  options: { id: number; state: AlertState; now: Date },
): Promise<void> {
  await pool.query(
    `update notification_outbox
        set payload = payload || jsonb_build_object('state', $2::jsonb),
            status = case when status = 'delivered' and slack_ts is not null then 'pending' else status end,
            next_attempt_at = case when status = 'delivered' and slack_ts is not null then $3 else next_attempt_at end
      where id = $1 and payload->'state' is distinct from $2::jsonb`,
    [options.id, JSON.stringify(options.state), options.now.toISOString()],
  );
}

/** Records a decision on one task of a missed-runs summary and queues the message's re-rendering. */
export async function setMissedDecision(
  pool: pg.Pool,
  options: { id: number; taskId: string; decision: MissedDecision; now: Date },
): Promise<void> {
  await pool.query(
    `update notification_outbox
        set payload = jsonb_set(payload, '{decisions}',
                                coalesce(payload->'decisions', '{}'::jsonb) || jsonb_build_object($2::text, $3::jsonb)),
            status = case when status = 'delivered' and slack_ts is not null then 'pending' else status end,
            next_attempt_at = case when status = 'delivered' and slack_ts is not null then $4 else next_attempt_at end
      where id = $1`,
    [options.id, options.taskId, JSON.stringify(options.decision), options.now.toISOString()],
  );
}

/** The alert shown as message `ts` in `channel` (the primary row when several were merged into it). */
export async function findAlertByMessage(
  pool: pg.Pool,
  options: { channel: string; ts: string },
): Promise<OutboxDeliveryRow | undefined> {
  const result = await pool.query<RawRow>(
    `select ${COLUMNS} from notification_outbox
      where slack_channel = $1 and slack_ts = $2 and not (payload ? 'mergedInto')
      order by id limit 1`,
    [options.channel, options.ts],
  );
  const row = result.rows[0];
  return row ? toRow(row) : undefined;
}

/** The latest approval request of a task, if one was enqueued. */
export async function findApprovalRequest(
  pool: pg.Pool,
  taskId: string,
): Promise<OutboxDeliveryRow | undefined> {
  const result = await pool.query<RawRow>(
    `select ${COLUMNS} from notification_outbox
      where kind = 'approval_requested' and task_id = $1 order by id desc limit 1`,
    [taskId],
  );
  const row = result.rows[0];
  return row ? toRow(row) : undefined;
}

/**
 * Merges the other pending, never-attempted missed-runs rows into `primaryId` (one summary message
 * after downtime, whatever the number of planning batches). In one transaction: the primary's task
 * list grows and the others are marked delivered with `mergedInto`. Returns the primary as merged.
 */
export async function mergePendingMissedRuns(
  pool: pg.Pool,
  options: { primaryId: number; workerId: string; now: Date; limit?: number },
): Promise<{ primary: OutboxDeliveryRow | undefined; mergedIds: number[] }> {
  return withTransaction(pool, async (client) => {
    const others = await client.query<{ id: number; payload: Record<string, unknown> }>(
      `select id, payload from notification_outbox
        where kind = 'missed_runs' and status = 'pending' and channel is null and slack_channel is null
          and id <> $1 and (locked_until is null or locked_until < $2 or locked_by = $4)
        order by id limit $3 for update skip locked`,
      [options.primaryId, options.now.toISOString(), options.limit ?? 50, options.workerId],
    );
    if (others.rows.length > 0) {
      const tasks = others.rows.flatMap((row) =>
        Array.isArray(row.payload.tasks) ? (row.payload.tasks as unknown[]) : [],
      );
      await client.query(
        `update notification_outbox
            set payload = jsonb_set(payload, '{tasks}', coalesce(payload->'tasks', '[]'::jsonb) || $3::jsonb)
          where id = $1 and locked_by = $2 and slack_channel is null`,
        [options.primaryId, options.workerId, JSON.stringify(tasks)],
      );
      await client.query(
        `update notification_outbox
            set status = 'delivered', delivered_at = $3, payload = payload || jsonb_build_object('mergedInto', $2::bigint),
                locked_by = null, locked_until = null
          where id = any($1::bigint[])`,
        [others.rows.map((row) => row.id), options.primaryId, options.now.toISOString()],
      );
    }
    const primary = await client.query<RawRow>(`select ${COLUMNS} from notification_outbox where id = $1`, [
      options.primaryId,
    ]);
    const row = primary.rows[0];
    return { primary: row ? toRow(row) : undefined, mergedIds: others.rows.map((other) => Number(other.id)) };
  });
}

/**
 * Overdue alerts whose task has run since the late occurrence: marks them `ran` and queues their
 * in-place update ("resolved when the task runs"). Returns how many were resolved.
 */
export async function resolveOverdueAlerts(pool: pg.Pool, now: Date, limit = 50): Promise<number> {
  const result = await pool.query(
    `update notification_outbox o
        set payload = o.payload || jsonb_build_object('state', jsonb_build_object('kind', 'ran', 'at', t.last_run_at)),
            status = case when o.status = 'delivered' and o.slack_ts is not null then 'pending' else o.status end,
            next_attempt_at = $1
       from scheduled_tasks t
      where o.id in (select o2.id from notification_outbox o2 join scheduled_tasks t2 on t2.id = o2.task_id
                      where o2.kind = 'overdue' and o2.status <> 'dead' and not (o2.payload ? 'state')
                        and t2.last_run_at >= (o2.payload->>'occurrence')::timestamptz
                      limit $2 for update of o2 skip locked)
        and t.id = o.task_id`,
    [now.toISOString(), limit],
  );
  return result.rowCount ?? 0;
}

/** When the next pending row may be attempted (its backoff over and any lease lapsed), or null. */
export async function nextOutboxAttemptAt(pool: pg.Pool): Promise<Date | null> {
  const result = await pool.query<{ at: Date | null }>(
    `select min(greatest(next_attempt_at, coalesce(locked_until, next_attempt_at))) as at
       from notification_outbox where status = 'pending'`,
  );
  return result.rows[0]?.at ?? null;
}

export async function countOutboxByStatus(pool: pg.Pool, status: 'pending' | 'dead'): Promise<number> {
  const result = await pool.query<{ n: number }>(
    `select count(*)::int as n from notification_outbox where status = $1`,
    [status],
  );
  return result.rows[0]?.n ?? 0;
}
