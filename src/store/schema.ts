import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type {
  ApprovalState,
  ExecutionStatus,
  ExecutionTrigger,
  MisfirePolicyName,
  OverlapPolicy,
  SlotReason,
  TaskType,
} from '../domain/task-types.js';
import type { AppErrorCode } from '../shared/errors.js';

/**
 * The data model of docs/ARCHITECTURE.md §4. Table and column names of `scheduled_tasks` and `task_executions`
 * (is_running, status, created_at…) are those of the original dashboard's troubleshooting guide: that
 * SQL must keep working unchanged.
 */

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const scheduledTasks = pgTable(
  'scheduled_tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    type: text('type').$type<TaskType>().notNull(),
    template: text('template'),
    params: jsonb('params').$type<Record<string, unknown>>().notNull().default({}),
    cron: text('cron').notNull(),
    timezone: text('timezone').notNull().default('Europe/Paris'),
    enabled: boolean('enabled').notNull().default(true),
    isSystem: boolean('is_system').notNull().default(false),
    /** Denormalised "an execution of this task is running", kept in step by the engine in the same
     * transactions that start and settle executions, and repaired when a lease is reaped. */
    isRunning: boolean('is_running').notNull().default(false),
    /** The next occurrence to fire. Stored so a restart reads it instead of recomputing every schedule,
     * and advanced in the same transaction that claims the occurrence. */
    nextRunAt: instant('next_run_at'),
    lastRunAt: instant('last_run_at'),
    lastStatus: text('last_status').$type<ExecutionStatus>(),
    timeoutSeconds: integer('timeout_seconds').notNull().default(3600),
    maxRetries: integer('max_retries').notNull().default(3),
    overlapPolicy: text('overlap_policy').$type<OverlapPolicy>().notNull().default('skip'),
    misfirePolicy: text('misfire_policy').$type<MisfirePolicyName>().notNull().default('run_once'),
    overdueGraceSeconds: integer('overdue_grace_seconds').notNull().default(300),
    /** The occurrence an overdue alert was last raised for: one alert per occurrence. */
    overdueNotifiedFor: instant('overdue_notified_for'),
    alertChannel: text('alert_channel'),
    notifyOnSuccess: boolean('notify_on_success').notNull().default(false),
    approvalState: text('approval_state').$type<ApprovalState>().notNull().default('approved'),
    approvedBy: text('approved_by'),
    rejectionReason: text('rejection_reason'),
    /** Who rejected the task (approved_by says who approved it): an old card names them. */
    rejectedBy: text('rejected_by'),
    /**
     * The content version an approval decides on: `version` as the save that made the task pending left
     * it. Pause, resume and decisions bump `version` too (an open editor must reload), but not this, so
     * a card stays valid through a pause and only a new save of the task's content supersedes it. Null
     * when the task carries no code to approve.
     */
    approvalVersion: integer('approval_version'),
    /**
     * Who saved that version. With the creator, the one person who may not decide on it: `updated_by`
     * cannot say, since a pause sets it too.
     */
    approvalRequestedBy: text('approval_requested_by'),
    pausedReason: text('paused_reason'),
    pausedBy: text('paused_by'),
    pausedAt: instant('paused_at'),
    createdBy: text('created_by'),
    updatedBy: text('updated_by'),
    createdAt: instant('created_at').notNull().defaultNow(),
    updatedAt: instant('updated_at').notNull().defaultNow(),
    /** Optimistic concurrency: an update names the version it read; a stale one changes nothing. */
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('scheduled_tasks_name_key').on(sql`lower(${t.name})`),
    // "Did you mean" for a mistyped task name: trigram search (pg_trgm, created by migration 0009).
    index('scheduled_tasks_name_trgm_idx').using('gin', sql`lower(${t.name}) gin_trgm_ops`),
    // Due-time lookup of the claim loop: only enabled tasks are ever due.
    index('scheduled_tasks_due_idx').on(t.nextRunAt).where(sql`${t.enabled}`),
    check('scheduled_tasks_name_length', sql`char_length(${t.name}) between 1 and 80`),
    check(
      'scheduled_tasks_type_check',
      sql`${t.type} in ('backup', 'cleanup', 'report', 'notification', 'custom')`,
    ),
    check('scheduled_tasks_overlap_check', sql`${t.overlapPolicy} in ('skip', 'queue', 'allow')`),
    check('scheduled_tasks_misfire_check', sql`${t.misfirePolicy} in ('run_once', 'skip', 'run_all')`),
    check('scheduled_tasks_approval_check', sql`${t.approvalState} in ('approved', 'pending', 'rejected')`),
    check('scheduled_tasks_timeout_check', sql`${t.timeoutSeconds} between 1 and 86400`),
    check('scheduled_tasks_retries_check', sql`${t.maxRetries} between 0 and 3`),
    check('scheduled_tasks_grace_check', sql`${t.overdueGraceSeconds} >= 0`),
  ],
);

export const taskExecutions = pgTable(
  'task_executions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    taskId: uuid('task_id')
      .notNull()
      .references(() => scheduledTasks.id, { onDelete: 'cascade' }),
    trigger: text('trigger').$type<ExecutionTrigger>().notNull(),
    /** The occurrence this execution is for (schedule, catch-up, and retries of those); null for manual runs. */
    scheduledFor: instant('scheduled_for'),
    status: text('status').$type<ExecutionStatus>().notNull(),
    /** Why a slot was skipped or ran differently (read by `/tasks why`). */
    reason: text('reason').$type<SlotReason>(),
    attempt: integer('attempt').notNull().default(1),
    parentExecutionId: uuid('parent_execution_id'),
    /** Queued executions do not start before this instant (retry backoff). */
    runAfter: instant('run_after').notNull().defaultNow(),
    startedAt: instant('started_at'),
    finishedAt: instant('finished_at'),
    durationMs: integer('duration_ms'),
    workerId: text('worker_id'),
    leaseUntil: instant('lease_until'),
    heartbeatAt: instant('heartbeat_at'),
    cancelRequestedAt: instant('cancel_requested_at'),
    cancelRequestedBy: text('cancel_requested_by'),
    logs: text('logs').notNull().default(''),
    error: text('error'),
    /** Why it failed, as a code (shared/errors.ts AppErrorCode): worker_lost, timed_out, executor_failed… */
    errorCode: text('error_code').$type<AppErrorCode>(),
    result: jsonb('result').$type<Record<string, unknown>>(),
    triggeredBy: text('triggered_by'),
    createdAt: instant('created_at').notNull().defaultNow(),
  },
  (t) => [
    // Last line of defence for "exactly once per occurrence": two replicas that both believe they own
    // an occurrence cannot both insert it. Retries and manual runs are outside the constraint.
    uniqueIndex('task_executions_occurrence_key')
      .on(t.taskId, t.scheduledFor)
      .where(sql`${t.trigger} in ('schedule', 'catchup') and ${t.scheduledFor} is not null`),
    index('task_executions_task_history_idx').on(t.taskId, t.createdAt.desc()),
    index('task_executions_queue_idx').on(t.runAfter).where(sql`${t.status} = 'queued'`),
    // "Is anything of this task running?" — asked on every start and settle; must not scan history.
    // The reaper's "running with an expired lease" uses it too: running rows are few, and without an
    // index on lease_until a heartbeat (which moves lease_until) can be a HOT update.
    index('task_executions_running_idx').on(t.taskId).where(sql`${t.status} = 'running'`),
    // Partial: queued and running rows are not in it, so planning and starting an execution do not
    // write to it (each update of a row writes every index it is in).
    index('task_executions_finished_idx').on(t.finishedAt, t.status).where(sql`${t.finishedAt} is not null`),
    index('task_executions_failed_created_idx')
      .on(t.createdAt.desc())
      .where(sql`${t.status} in ('failed', 'timed_out')`),
    check(
      'task_executions_status_check',
      sql`${t.status} in ('queued', 'running', 'success', 'failed', 'timed_out', 'cancelled', 'skipped')`,
    ),
    check(
      'task_executions_trigger_check',
      sql`${t.trigger} in ('schedule', 'manual', 'retry', 'catchup', 'sql')`,
    ),
    check('task_executions_attempt_check', sql`${t.attempt} >= 1`),
  ],
);

export type OutboxStatus = 'pending' | 'delivered' | 'dead';

export const notificationOutbox = pgTable(
  'notification_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull(),
    /** Idempotency key: the same alert enqueued twice (retried transaction, two replicas) is one row. */
    dedupeKey: text('dedupe_key').notNull(),
    channel: text('channel'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    taskId: uuid('task_id'),
    executionId: uuid('execution_id'),
    status: text('status').$type<OutboxStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: instant('next_attempt_at').notNull().defaultNow(),
    lockedBy: text('locked_by'),
    lockedUntil: instant('locked_until'),
    /** The last failure, `<slack error>: <detail>` (src/domain/delivery-error.ts). */
    lastError: text('last_error'),
    /**
     * The first failed attempt since the row was last delivered or redelivered: transient failures are
     * retried until ALERT_RETRY_FOR_MINUTES after it, then the row is dead.
     */
    failingSince: instant('failing_since'),
    /** When the row was given up (status dead); cleared by Redeliver. */
    deadAt: instant('dead_at'),
    slackChannel: text('slack_channel'),
    slackTs: text('slack_ts'),
    createdAt: instant('created_at').notNull().defaultNow(),
    deliveredAt: instant('delivered_at'),
  },
  (t) => [
    uniqueIndex('notification_outbox_dedupe_key').on(t.dedupeKey),
    index('notification_outbox_pending_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    // `/tasks alerts` and the App Home list the newest dead rows; they are few, delivered ones are not.
    index('notification_outbox_dead_idx').on(t.deadAt.desc()).where(sql`${t.status} = 'dead'`),
  ],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    // No foreign key: the audit trail of a deleted task must survive it.
    taskId: uuid('task_id'),
    taskName: text('task_name'),
    executionId: uuid('execution_id'),
    before: jsonb('before').$type<Record<string, unknown>>(),
    after: jsonb('after').$type<Record<string, unknown>>(),
    createdAt: instant('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('audit_log_task_idx').on(t.taskId, t.createdAt.desc()),
    // `/tasks audit <former name>` of a deleted task (store/audited-tasks.ts): without it, a scan of
    // the whole log, which only grows.
    index('audit_log_task_name_idx').on(sql`lower(${t.taskName})`),
  ],
);

/** Who looked at their App Home, and at which page: a change made through any replica republishes it. */
export const appHomeViewers = pgTable('app_home_viewers', {
  userId: text('user_id').primaryKey(),
  pageOffset: integer('page_offset').notNull().default(0),
  openedAt: instant('opened_at').notNull(),
});

/**
 * Replicas that hold a liveness lock (store/worker-liveness.ts): a registered worker whose lock is gone
 * has exited, so the reaper may recover its runs before their lease lapses (docs/ENGINE.md, "Crash
 * recovery"). A worker that never registered (an older version) is judged by its leases alone.
 */
export const schedulerWorkers = pgTable('scheduler_workers', {
  workerId: text('worker_id').primaryKey(),
  /** The advisory lock's second key, hashtext(worker_id), as pg_locks shows it in objid. */
  livenessKey: integer('liveness_key').notNull(),
  startedAt: instant('started_at').notNull(),
});

export type TaskRow = typeof scheduledTasks.$inferSelect;
export type NewTaskRow = typeof scheduledTasks.$inferInsert;
export type ExecutionRow = typeof taskExecutions.$inferSelect;
export type NewExecutionRow = typeof taskExecutions.$inferInsert;
export type OutboxRow = typeof notificationOutbox.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
