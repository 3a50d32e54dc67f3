import type pg from 'pg';
import type { ExecutionTrigger, MisfirePolicyName, OverlapPolicy, SlotReason } from '../domain/task-types.js';
import { isoOrNull } from './transaction.js';

/**
 * The slots the claim plans ahead (docs/ARCHITECTURE.md §5.1): what the planner decided for each due
 * task, written as `task_executions` rows in one statement, and the move of each task's `next_run_at`
 * past them. Both run inside the claim's transaction (planning.ts), so the rows and the move commit or
 * vanish together.
 */

/** A task whose next occurrence is due within the planning horizon, locked for this transaction. */
export interface DueTask {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  nextRunAt: Date;
  approvalState: 'approved' | 'pending' | 'rejected';
  misfirePolicy: MisfirePolicyName;
  overlapPolicy: OverlapPolicy;
  alertChannel: string | null;
}

export interface PlannedRow {
  scheduledFor: Date;
  trigger: Extract<ExecutionTrigger, 'schedule' | 'catchup'>;
  action: 'run' | 'skip';
  reason: SlotReason | null;
}

export interface TaskPlanResult {
  taskId: string;
  rows: PlannedRow[];
  nextRunAt: Date | null;
}

/** A slot row as inserted (one the unique occurrence index refused is not among them). */
export interface InsertedSlot {
  id: string;
  task_id: string;
  scheduled_for: Date;
  status: string;
  reason: SlotReason | null;
  trigger: ExecutionTrigger;
  run_after: Date;
  attempt: number;
  started_at: Date | null;
}

/**
 * Inserts every planned slot in one statement: a run slot queued and owned by this worker (or `running`
 * with its lease when it is in `startNow`), a skipped one finished at once. `on conflict do nothing`: a
 * slot another replica already has is left out of the answer, not an error. Returns the rows inserted
 * and how many were planned.
 */
export async function insertPlannedSlots(
  client: pg.PoolClient,
  results: readonly TaskPlanResult[],
  startNow: ReadonlySet<PlannedRow>,
  options: { now: Date; workerId: string; leaseUntil: Date },
): Promise<{ inserted: InsertedSlot[]; planned: number }> {
  const taskIds: string[] = [];
  const triggers: string[] = [];
  const scheduled: string[] = [];
  const statuses: string[] = [];
  const reasons: (string | null)[] = [];
  const workers: (string | null)[] = [];
  const leases: (string | null)[] = [];
  const runAfters: string[] = [];
  const finished: (string | null)[] = [];
  const started: (string | null)[] = [];
  const nowIso = options.now.toISOString();
  for (const result of results) {
    for (const row of result.rows) {
      const run = row.action === 'run';
      const startsNow = startNow.has(row);
      taskIds.push(result.taskId);
      triggers.push(row.trigger);
      scheduled.push(row.scheduledFor.toISOString());
      statuses.push(startsNow ? 'running' : run ? 'queued' : 'skipped');
      reasons.push(row.reason);
      workers.push(run ? options.workerId : null);
      leases.push(run ? options.leaseUntil.toISOString() : null);
      runAfters.push(row.scheduledFor.toISOString());
      finished.push(run ? null : nowIso);
      // Started at its instant, or now when that has passed (a catch-up).
      started.push(
        startsNow ? (row.scheduledFor > options.now ? row.scheduledFor.toISOString() : nowIso) : null,
      );
    }
  }
  if (taskIds.length === 0) return { inserted: [], planned: 0 };
  const inserted = await client.query<InsertedSlot>(
    `insert into task_executions
       (task_id, trigger, scheduled_for, status, reason, worker_id, lease_until, run_after, finished_at,
        started_at, heartbeat_at, created_at)
     select task_id, trigger, scheduled_for, status, reason, worker_id, lease_until, run_after, finished_at,
            started_at, case when started_at is null then null else $10::timestamptz end, $10
       from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[],
                   $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $11::timestamptz[])
         as p(task_id, trigger, scheduled_for, status, reason, worker_id, lease_until, run_after, finished_at,
              started_at)
     on conflict do nothing
     returning id, task_id, scheduled_for, status, reason, trigger, run_after, attempt, started_at`,
    [taskIds, triggers, scheduled, statuses, reasons, workers, leases, runAfters, finished, nowIso, started],
  );
  return { inserted: inserted.rows, planned: taskIds.length };
}

/**
 * Moves each planned task's `next_run_at` past its slots. A task whose run was inserted running is
 * running now (only rows actually inserted count: one the unique index refused started nothing), and
 * its `last_run_at` is that run's start.
 */
export async function advancePlannedTasks(
  client: pg.PoolClient,
  results: readonly TaskPlanResult[],
  inserted: readonly InsertedSlot[],
): Promise<void> {
  const lastStart = new Map<string, Date>();
  for (const row of inserted) {
    if (row.status !== 'running' || !row.started_at) continue;
    const previous = lastStart.get(row.task_id);
    if (!previous || row.started_at > previous) lastStart.set(row.task_id, row.started_at);
  }
  await client.query(
    `update scheduled_tasks t
        set next_run_at = p.next_run_at,
            is_running = t.is_running or p.started_at is not null,
            last_run_at = coalesce(p.started_at, t.last_run_at)
       from unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) as p(id, next_run_at, started_at)
      where t.id = p.id`,
    [
      results.map((result) => result.taskId),
      results.map((result) => isoOrNull(result.nextRunAt)),
      results.map((result) => isoOrNull(lastStart.get(result.taskId) ?? null)),
    ],
  );
}
