import { sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Queryable } from './database.js';

/** An alert or message waiting for delivery to Slack (docs/ARCHITECTURE.md §5.11). */
export interface OutboxEntry {
  kind: OutboxKind;
  /** Same key, same alert: a retried transaction or a second replica cannot enqueue it twice. */
  dedupeKey: string;
  channel: string | null;
  payload: Record<string, unknown>;
  taskId?: string | null;
  executionId?: string | null;
}

export type OutboxKind =
  | 'execution_failed'
  | 'execution_succeeded'
  | 'worker_lost'
  | 'overdue'
  | 'missed_runs'
  | 'task_message'
  | 'approval_requested'
  | 'duration_anomaly';

/**
 * Inserts entries inside the caller's transaction, so an alert exists if and only if the state change
 * that caused it committed. Returns the dedupe keys actually inserted (new alerts).
 */
export async function enqueueOutbox(
  client: pg.PoolClient | pg.Pool,
  entries: readonly OutboxEntry[],
  now: Date,
): Promise<string[]> {
  if (entries.length === 0) return [];
  const result = await client.query<{ dedupe_key: string }>(
    `insert into notification_outbox (kind, dedupe_key, channel, payload, task_id, execution_id, next_attempt_at, created_at)
     select kind, dedupe_key, channel, payload, task_id, execution_id, $7, $7
       from unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::uuid[], $6::uuid[])
         as e(kind, dedupe_key, channel, payload, task_id, execution_id)
     on conflict (dedupe_key) do nothing
     returning dedupe_key`,
    [
      entries.map((entry) => entry.kind),
      entries.map((entry) => entry.dedupeKey),
      entries.map((entry) => entry.channel),
      entries.map((entry) => JSON.stringify(entry.payload)),
      entries.map((entry) => entry.taskId ?? null),
      entries.map((entry) => entry.executionId ?? null),
      now.toISOString(),
    ],
  );
  return result.rows.map((row) => row.dedupe_key);
}

export async function countPendingOutbox(pool: pg.Pool): Promise<number> {
  const result = await pool.query<{ n: number }>(
    `select count(*)::int as n from notification_outbox where status = 'pending'`,
  );
  return result.rows[0]?.n ?? 0;
}

/**
 * enqueueOutbox for drizzle transactions (the Slack side's task writes): the entry commits or rolls
 * back with the caller's change. Returns the dedupe keys actually inserted.
 */
export async function enqueueOutboxWith(
  db: Queryable,
  entries: readonly OutboxEntry[],
  now: Date,
): Promise<string[]> {
  const keys: string[] = [];
  for (const entry of entries) {
    const result = await db.execute<{ dedupe_key: string }>(
      sql`insert into notification_outbox (kind, dedupe_key, channel, payload, task_id, execution_id, next_attempt_at, created_at)
          values (${entry.kind}, ${entry.dedupeKey}, ${entry.channel}, ${JSON.stringify(entry.payload)}::jsonb,
                  ${entry.taskId ?? null}::uuid, ${entry.executionId ?? null}::uuid, ${now.toISOString()}::timestamptz,
                  ${now.toISOString()}::timestamptz)
          on conflict (dedupe_key) do nothing
          returning dedupe_key`,
    );
    for (const row of result.rows) keys.push(row.dedupe_key);
  }
  return keys;
}
