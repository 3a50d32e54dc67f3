import type pg from 'pg';
import { recordAuditWithClient } from './audit.js';
import type { OutboxKind } from './outbox.js';
import { withTransaction } from './transaction.js';

/**
 * Alerts the notifier gave up on (`notification_outbox` rows `dead`, see outbox-delivery.ts), as
 * `/tasks alerts` and the App Home list them, and their redelivery. Nothing is dead silently: every
 * such row stays listed, with the error Slack named, until someone redelivers it.
 */
export interface DeadAlert {
  id: number;
  kind: OutboxKind;
  taskId: string | null;
  /** The task's current name, or the one the alert was raised with when the task is gone. */
  taskName: string | null;
  /** Where it was being posted, or where it was meant to go; null when nowhere was known. */
  channel: string | null;
  attempts: number;
  /** `code: detail` (domain/delivery-error.ts). */
  lastError: string | null;
  createdAt: Date;
  deadAt: Date | null;
}

interface RawDeadAlert {
  id: string | number;
  kind: OutboxKind;
  task_id: string | null;
  task_name: string | null;
  channel: string | null;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  dead_at: Date | null;
  total?: string | number;
}

const COLUMNS = `o.id, o.kind, o.task_id, coalesce(t.name, o.payload->>'taskName') as task_name,
                 coalesce(o.slack_channel, o.channel) as channel, o.attempts, o.last_error, o.created_at,
                 o.dead_at`;
const FROM = 'from notification_outbox o left join scheduled_tasks t on t.id = o.task_id';

function toDeadAlert(raw: RawDeadAlert): DeadAlert {
  return {
    id: Number(raw.id),
    kind: raw.kind,
    taskId: raw.task_id,
    taskName: raw.task_name,
    channel: raw.channel,
    attempts: raw.attempts,
    lastError: raw.last_error,
    createdAt: raw.created_at,
    deadAt: raw.dead_at,
  };
}

/** The `limit` most recently given-up alerts, newest first, and how many there are in all. */
export async function listDeadAlerts(
  pool: pg.Pool,
  options: { limit: number },
): Promise<{ total: number; alerts: DeadAlert[] }> {
  const result = await pool.query<RawDeadAlert>(
    // The window counts every dead row: it is computed before the limit.
    `select ${COLUMNS}, count(*) over () as total ${FROM}
      where o.status = 'dead' order by o.dead_at desc nulls last, o.id desc limit $1`,
    [options.limit],
  );
  const total = Number(result.rows[0]?.total ?? 0);
  return { total, alerts: result.rows.map(toDeadAlert) };
}

export type RedeliverOutcome =
  | { kind: 'redelivered'; alert: DeadAlert }
  | { kind: 'not_dead'; alert: DeadAlert; status: 'pending' | 'delivered' }
  | { kind: 'not_found' };

/**
 * Puts dead alert `id` back to pending, its attempts and retry window reset, due now: the notifier
 * (woken by the status change's NOTIFY) delivers it as a new row, to the channel chosen again. The
 * audit entry commits with it. A row that is not dead (redelivered already, by a second click or
 * another person) is left as it is.
 */
export async function redeliverDeadAlert(
  pool: pg.Pool,
  options: { id: number; actorId: string; now: Date },
): Promise<RedeliverOutcome> {
  return withTransaction(pool, async (client) => {
    const found = await client.query<RawDeadAlert & { status: 'pending' | 'delivered' | 'dead' }>(
      `select ${COLUMNS}, o.status ${FROM} where o.id = $1 for update of o`,
      [options.id],
    );
    const raw = found.rows[0];
    if (!raw) return { kind: 'not_found' };
    const alert = toDeadAlert(raw);
    if (raw.status !== 'dead') return { kind: 'not_dead', alert, status: raw.status };
    await client.query(
      `update notification_outbox
          set status = 'pending', attempts = 0, failing_since = null, dead_at = null, next_attempt_at = $2,
              locked_by = null, locked_until = null
        where id = $1`,
      [options.id, options.now.toISOString()],
    );
    await recordAuditWithClient(client, {
      actor: options.actorId,
      action: 'alert.redelivered',
      taskId: alert.taskId,
      taskName: alert.taskName,
      before: {
        outboxId: alert.id,
        kind: alert.kind,
        status: 'dead',
        attempts: alert.attempts,
        lastError: alert.lastError,
        deadAt: alert.deadAt?.toISOString() ?? null,
      },
      after: { outboxId: alert.id, kind: alert.kind, status: 'pending', attempts: 0 },
      at: options.now,
    });
    return { kind: 'redelivered', alert };
  });
}
