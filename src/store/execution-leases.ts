// Leases of executions in flight: heartbeats, recovery of a dead worker's work, hand-back at shutdown
// (docs/ARCHITECTURE.md §5.3).
import type pg from 'pg';
import { finishSettlement, type SettledExecution, type SettledRow } from './execution-settlement.js';
import { enqueueOutbox, type OutboxEntry } from './outbox.js';
import { withTransaction } from './transaction.js';
import { LIVENESS_LOCK_CLASS } from './worker-liveness.js';

/**
 * Renews the leases of this worker's running executions. Returns those still ours, and those a person
 * asked to cancel; an id missing from `alive` was reaped by another replica (we were too slow) and must
 * be abandoned locally.
 */
export async function renewLeases(
  pool: pg.Pool,
  options: { ids: string[]; now: Date; leaseUntil: Date; workerId: string },
): Promise<{ alive: Set<string>; cancelRequested: Set<string> }> {
  if (options.ids.length === 0) return { alive: new Set(), cancelRequested: new Set() };
  const result = await pool.query<{ id: string; cancel_requested_at: Date | null }>(
    // Rows locked in id order, as settle locks them: a heartbeat and a settle of the same executions
    // (finished, not yet recorded) locking in opposite orders deadlocked (measured; the settle then
    // waited 500 ms and the next occurrences met is_running still set).
    `update task_executions
        set heartbeat_at = $2, lease_until = $3
      where id in (select id from task_executions
                    where id = any($1::uuid[]) and worker_id = $4 and status = 'running'
                    order by id for no key update)
      returning id, cancel_requested_at`,
    [options.ids, options.now.toISOString(), options.leaseUntil.toISOString(), options.workerId],
  );
  return {
    alive: new Set(result.rows.map((row) => row.id)),
    cancelRequested: new Set(
      result.rows.filter((row) => row.cancel_requested_at !== null).map((row) => row.id),
    ),
  };
}

/**
 * `e.worker_id` registered a liveness lock (store/worker-liveness.ts) and no session holds it any more.
 * The int4 key reads back from pg_locks as an oid (the same 32 bits, unsigned). A hash collision with a
 * live worker only makes a dead one look alive: its runs then wait for their lease, as before.
 */
const ORPHANED_WORKER = `exists (
  select 1 from scheduler_workers w
   where w.worker_id = e.worker_id
     and not exists (select 1 from pg_locks l
                      where l.locktype = 'advisory' and l.granted and l.objsubid = 2
                        and l.classid = ${LIVENESS_LOCK_CLASS}::oid and l.objid = w.liveness_key::oid))`;

/**
 * Recovers work of dead workers (docs/ARCHITECTURE.md §5.3): a running execution whose lease lapsed, or
 * whose worker's liveness lock is gone and whose heartbeat is overdue, is marked
 * failed ("worker lost") and the retry policy applies; a queued execution a dead worker had claimed
 * but not started is simply handed back. Runs in one transaction, SKIP LOCKED so replicas reaping at
 * the same time split the rows instead of waiting.
 */
export async function reapExpiredLeases(
  pool: pg.Pool,
  options: {
    now: Date;
    limit: number;
    retryAt: (attempt: number) => Date;
    alerts: (lost: SettledExecution[], workers: Map<string, string | null>) => OutboxEntry[];
    /**
     * Also recover, before their lease lapses, running executions of registered workers whose
     * liveness lock is gone (the process exited) and whose last heartbeat is older than this. Omitted
     * when this replica cannot trust pg_locks right now (its own liveness session is not held, or was
     * taken again only moments ago).
     */
    orphanedHeartbeatBefore?: Date;
  },
): Promise<{ lost: SettledExecution[]; released: number; workers: Map<string, string | null> }> {
  const orphanCutoff = options.orphanedHeartbeatBefore?.toISOString() ?? null;
  // Nearly always nothing has lapsed: one read answers that, without a transaction (idle cost).
  const { rows } = await pool.query<{ due: boolean }>(
    `select exists (select 1 from task_executions where status = 'running' and lease_until < $1)
         or exists (select 1 from task_executions
                     where status = 'queued' and worker_id is not null and lease_until < $1)
         or ($2::timestamptz is not null and exists (
               select 1 from task_executions e
                where e.status = 'running' and e.heartbeat_at < $2 and ${ORPHANED_WORKER})) as due`,
    [options.now.toISOString(), orphanCutoff],
  );
  if (!rows[0]?.due) return { lost: [], released: 0, workers: new Map() };
  return withTransaction(pool, async (client) => {
    const now = options.now.toISOString();
    const released = await client.query(
      `update task_executions set worker_id = null, lease_until = null
        where id in (select id from task_executions
                      where status = 'queued' and worker_id is not null and lease_until < $1
                      limit $2 for update skip locked)`,
      [now, options.limit],
    );
    const expired = await client.query<{ id: string; worker_id: string | null; started_at: Date | null }>(
      `select e.id, e.worker_id, e.started_at from task_executions e
        where e.status = 'running'
          and (e.lease_until < $1 or ($3::timestamptz is not null and e.heartbeat_at < $3 and ${ORPHANED_WORKER}))
        order by e.lease_until limit $2 for update skip locked`,
      [now, options.limit, orphanCutoff],
    );
    if (expired.rows.length === 0) return { lost: [], released: released.rowCount ?? 0, workers: new Map() };
    const workers = new Map(expired.rows.map((row) => [row.id, row.worker_id]));
    const updated = await client.query<SettledRow>(
      `update task_executions
          set status = 'failed', reason = 'worker_lost', error_code = 'worker_lost', finished_at = $2, lease_until = null,
              duration_ms = greatest(0, (extract(epoch from ($2::timestamptz - coalesce(started_at, $2::timestamptz))) * 1000)::int),
              error = 'Worker lost: ' || coalesce(worker_id, 'unknown worker') ||
                      case when lease_until < $2::timestamptz
                           then ' stopped renewing its lease (crashed or cut off) while this execution was running.'
                           else ' exited (its liveness lock was released) while this execution was running.' end
        where id = any($1::uuid[])
        returning id, task_id, status, attempt, scheduled_for, duration_ms, error, error_code, started_at`,
      [expired.rows.map((row) => row.id), now],
    );
    const lost = await finishSettlement(client, updated.rows, options.now, options.retryAt);
    await enqueueOutbox(client, options.alerts(lost, workers), options.now);
    return { lost, released: released.rowCount ?? 0, workers };
  });
}

/** On graceful shutdown: hand back queued executions this worker claimed but has not started. */
export async function releaseOwnedQueued(pool: pg.Pool, workerId: string): Promise<number> {
  const result = await pool.query(
    `update task_executions set worker_id = null, lease_until = null where status = 'queued' and worker_id = $1`,
    [workerId],
  );
  return result.rowCount ?? 0;
}
