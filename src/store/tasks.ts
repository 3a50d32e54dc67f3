import { and, asc, eq, sql } from 'drizzle-orm';
import type { TaskDraft } from '../domain/task.js';
import type { ApprovalState } from '../domain/task-types.js';
import { AppError } from '../shared/errors.js';
import { recordAudit } from './audit.js';
import type { Queryable } from './database.js';
import { constraintOf, sqlStateOf, UNIQUE_VIOLATION } from './pg-errors.js';
import { scheduledTasks, type TaskRow } from './schema.js';

export interface Actor {
  /** Slack user id, or `system` / `sql:<role>` for non-human changes. */
  id: string;
}

/** The fields people edit: what the audit log records before/after. */
function editableSnapshot(task: TaskRow | TaskDraft): Record<string, unknown> {
  return {
    name: task.name,
    description: task.description,
    type: task.type,
    template: task.template,
    params: task.params,
    cron: task.cron,
    timezone: task.timezone,
    enabled: task.enabled,
    timeoutSeconds: task.timeoutSeconds,
    maxRetries: task.maxRetries,
    overlapPolicy: task.overlapPolicy,
    misfirePolicy: task.misfirePolicy,
    overdueGraceSeconds: task.overdueGraceSeconds,
    alertChannel: task.alertChannel,
    notifyOnSuccess: task.notifyOnSuccess,
  };
}

function duplicateNameError(name: string, cause: unknown): AppError {
  return new AppError('duplicate_task_name', `A task named "${name}" already exists.`, 'name', { cause });
}

function isDuplicateName(error: unknown): boolean {
  return sqlStateOf(error) === UNIQUE_VIOLATION && constraintOf(error) === 'scheduled_tasks_name_key';
}

/**
 * The approval columns a save writes. `pending` asks for a decision on exactly the version being saved,
 * by someone other than `actor` (docs/SECURITY.md); `approved` on a save means the task carries no code
 * that needs one, so no version is bound and any earlier decision is cleared with it.
 */
function approvalColumns(
  state: ApprovalState,
  version: number,
  actor: Actor,
): Pick<
  typeof scheduledTasks.$inferInsert,
  | 'approvalState'
  | 'approvalVersion'
  | 'approvalRequestedBy'
  | 'approvedBy'
  | 'rejectedBy'
  | 'rejectionReason'
> {
  return {
    approvalState: state,
    approvalVersion: state === 'pending' ? version : null,
    approvalRequestedBy: state === 'pending' ? actor.id : null,
    approvedBy: null,
    rejectedBy: null,
    rejectionReason: null,
  };
}

export interface CreateTaskOptions {
  actor: Actor;
  now: Date;
  isSystem?: boolean;
  approvalState?: ApprovalState;
}

/** Inserts a validated task and its audit entry in one transaction. */
export async function createTask(
  db: Queryable,
  draft: TaskDraft,
  options: CreateTaskOptions,
): Promise<TaskRow> {
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(scheduledTasks)
        .values({
          ...draft,
          isSystem: options.isSystem ?? false,
          ...approvalColumns(options.approvalState ?? 'approved', 1, options.actor),
          createdBy: options.actor.id,
          updatedBy: options.actor.id,
          createdAt: options.now,
          updatedAt: options.now,
        })
        .returning();
      if (!row) throw new Error('insert into scheduled_tasks returned no row');
      await recordAudit(tx, {
        actor: options.actor.id,
        action: 'task.created',
        taskId: row.id,
        taskName: row.name,
        after: editableSnapshot(row),
        at: options.now,
      });
      return row;
    });
  } catch (error) {
    if (isDuplicateName(error)) throw duplicateNameError(draft.name, error);
    throw error;
  }
}

export async function getTask(db: Queryable, id: string): Promise<TaskRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(scheduledTasks).where(eq(scheduledTasks.id, id));
  return row;
}

export async function getTaskOrThrow(db: Queryable, id: string): Promise<TaskRow> {
  const row = await getTask(db, id);
  if (!row) throw new AppError('task_not_found', `No task with id ${id}.`, 'task');
  return row;
}

/** Names are unique regardless of case. */
export async function findTaskByName(db: Queryable, name: string): Promise<TaskRow | undefined> {
  // No stored name holds a NUL (PostgreSQL text cannot), and sending one would be a query error.
  if (name.includes('\u0000')) return undefined;
  const [row] = await db
    .select()
    .from(scheduledTasks)
    .where(sql`lower(${scheduledTasks.name}) = lower(${name.trim()})`);
  return row;
}

/** A task named by id or by name, as people type it in `/tasks run <task>`. */
export async function findTaskByRef(db: Queryable, ref: string): Promise<TaskRow | undefined> {
  const trimmed = ref.trim();
  return (isUuid(trimmed) ? await getTask(db, trimmed) : undefined) ?? findTaskByName(db, trimmed);
}

export interface ListTasksOptions {
  limit?: number;
  offset?: number;
  enabledOnly?: boolean;
}

/** Alphabetical, system tasks included. */
export async function listTasks(db: Queryable, options: ListTasksOptions = {}): Promise<TaskRow[]> {
  return db
    .select()
    .from(scheduledTasks)
    .where(options.enabledOnly ? eq(scheduledTasks.enabled, true) : undefined)
    .orderBy(asc(sql`lower(${scheduledTasks.name})`))
    .limit(options.limit ?? 1000)
    .offset(options.offset ?? 0);
}

export async function countTasks(db: Queryable): Promise<number> {
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(scheduledTasks);
  return row?.count ?? 0;
}

export interface UpdateTaskOptions {
  actor: Actor;
  now: Date;
  /** The version the editor read; a concurrent save in between makes this one fail. */
  expectedVersion: number;
  approvalState?: ApprovalState;
}

/**
 * Replaces the editable fields of a task (optimistic concurrency on `version`). The draft's nextRunAt is
 * the first occurrence of the new schedule. Throws version_conflict when someone saved first.
 */
export async function updateTask(
  db: Queryable,
  id: string,
  draft: TaskDraft,
  options: UpdateTaskOptions,
): Promise<TaskRow> {
  try {
    return await db.transaction(async (tx) => {
      const [before] = await tx.select().from(scheduledTasks).where(eq(scheduledTasks.id, id)).for('update');
      if (!before) throw new AppError('task_not_found', `No task with id ${id}.`, 'task');
      if (before.version !== options.expectedVersion) {
        throw new AppError(
          'version_conflict',
          `"${before.name}" was changed by ${before.updatedBy ?? 'someone else'} while you were editing it; reopen it to see their changes.`,
          'name',
        );
      }
      if (before.isSystem && draft.type !== before.type) {
        throw new AppError('system_task', 'The type of a system task cannot be changed.', 'type');
      }
      const [row] = await tx
        .update(scheduledTasks)
        .set({
          ...draft,
          // A paused task stays paused through an edit; only resume re-enables it.
          enabled: before.enabled && draft.enabled,
          ...(options.approvalState
            ? approvalColumns(options.approvalState, before.version + 1, options.actor)
            : {}),
          updatedBy: options.actor.id,
          updatedAt: options.now,
          version: before.version + 1,
        })
        .where(and(eq(scheduledTasks.id, id), eq(scheduledTasks.version, options.expectedVersion)))
        .returning();
      if (!row) throw new Error('update of scheduled_tasks matched no row');
      await recordAudit(tx, {
        actor: options.actor.id,
        action: 'task.updated',
        taskId: id,
        taskName: row.name,
        before: editableSnapshot(before),
        after: editableSnapshot(row),
        at: options.now,
      });
      return row;
    });
  } catch (error) {
    if (isDuplicateName(error)) throw duplicateNameError(draft.name, error);
    throw error;
  }
}

/**
 * Applies a state change (pause, resume, approval) and its audit entry in one transaction, bumping the
 * version so an editor holding the old one is told the task changed under them.
 */
async function changeTaskState(
  db: Queryable,
  id: string,
  change: {
    set: Partial<typeof scheduledTasks.$inferInsert>;
    actor: Actor;
    now: Date;
    action: string;
    after?: (row: TaskRow) => Record<string, unknown> | null;
  },
): Promise<TaskRow> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(scheduledTasks)
      .set({ ...change.set, updatedAt: change.now, version: sql`${scheduledTasks.version} + 1` })
      .where(eq(scheduledTasks.id, id))
      .returning();
    if (!row) throw new AppError('task_not_found', `No task with id ${id}.`, 'task');
    await recordAudit(tx, {
      actor: change.actor.id,
      action: change.action,
      taskId: id,
      taskName: row.name,
      after: change.after?.(row) ?? null,
      at: change.now,
    });
    return row;
  });
}

/** Pauses a task: it keeps its schedule but no occurrence is planned until it is resumed. */
export async function pauseTask(
  db: Queryable,
  id: string,
  options: { actor: Actor; now: Date; reason?: string | undefined },
): Promise<TaskRow> {
  return changeTaskState(db, id, {
    set: {
      enabled: false,
      pausedReason: options.reason?.trim() || null,
      pausedBy: options.actor.id,
      pausedAt: options.now,
      updatedBy: options.actor.id,
    },
    actor: options.actor,
    now: options.now,
    action: 'task.paused',
    after: (row) => ({ reason: row.pausedReason }),
  });
}

/**
 * Resumes a paused task. `nextRunAt` is its next occurrence after now (computed by the caller from the
 * cron): occurrences that fell while it was paused are not caught up — a pause is deliberate.
 */
export async function resumeTask(
  db: Queryable,
  id: string,
  options: { actor: Actor; now: Date; nextRunAt: Date | null },
): Promise<TaskRow> {
  return changeTaskState(db, id, {
    set: {
      enabled: true,
      nextRunAt: options.nextRunAt,
      pausedReason: null,
      pausedBy: null,
      pausedAt: null,
      overdueNotifiedFor: null,
      updatedBy: options.actor.id,
    },
    actor: options.actor,
    now: options.now,
    action: 'task.resumed',
  });
}

/** Deletes a task and (by cascade) its history. System tasks cannot be deleted, only paused. */
export async function deleteTask(
  db: Queryable,
  id: string,
  options: { actor: Actor; now: Date },
): Promise<TaskRow> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(scheduledTasks).where(eq(scheduledTasks.id, id)).for('update');
    if (!before) throw new AppError('task_not_found', `No task with id ${id}.`, 'task');
    if (before.isSystem) {
      throw new AppError(
        'system_task',
        `"${before.name}" is a system task: it can be paused but not deleted.`,
        'task',
      );
    }
    await tx.delete(scheduledTasks).where(eq(scheduledTasks.id, id));
    await recordAudit(tx, {
      actor: options.actor.id,
      action: 'task.deleted',
      taskId: id,
      taskName: before.name,
      before: editableSnapshot(before),
      at: options.now,
    });
    return before;
  });
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
