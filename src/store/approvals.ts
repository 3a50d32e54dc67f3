import { eq, sql } from 'drizzle-orm';
import {
  type ApprovalRefusal,
  type ApprovalTaskState,
  decideApprovalRequest,
} from '../domain/approval-decision.js';
import { type ApprovalRef, approvalRequestKey } from '../domain/approval-ref.js';
import { recordAudit } from './audit.js';
import type { Queryable } from './database.js';
import type { AlertState } from './outbox-delivery.js';
import { scheduledTasks, type TaskRow } from './schema.js';

/** What the store knows of a task for the approval rule (domain/approval-decision.ts). */
function approvalStateOf(row: TaskRow): ApprovalTaskState {
  return {
    approvalState: row.approvalState,
    approvalVersion: row.approvalVersion,
    createdBy: row.createdBy,
    approvalRequestedBy: row.approvalRequestedBy,
    approvalDecidedBy: row.approvalState === 'rejected' ? row.rejectedBy : row.approvedBy,
    version: row.version,
  };
}

export interface ApprovalDecisionInput {
  /** The task and version the card (its button) names. */
  ref: ApprovalRef;
  approverId: string;
  approverIsAdmin: boolean;
  decision: 'approved' | 'rejected';
  reason?: string | undefined;
  now: Date;
}

export type ApprovalDecisionResult =
  | { ok: true; task: TaskRow }
  | { ok: false; refusal: ApprovalRefusal; task: TaskRow | undefined };

/**
 * Takes an approval decision, or refuses it and changes nothing. The task row is locked (`for update`)
 * while the rule is checked, and the decision, its audit entry and the card's new state are written in
 * the same transaction: two admins clicking at once, or a click racing an edit, cannot both pass, and a
 * decision can only be about the version the card showed.
 */
export async function decideApproval(
  db: Queryable,
  input: ApprovalDecisionInput,
): Promise<ApprovalDecisionResult> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(scheduledTasks)
      .where(eq(scheduledTasks.id, input.ref.taskId))
      .for('update');
    const verdict = decideApprovalRequest({
      task: row ? approvalStateOf(row) : undefined,
      cardVersion: input.ref.version,
      approverId: input.approverId,
      approverIsAdmin: input.approverIsAdmin,
      decision: input.decision,
      reason: input.reason,
    });
    if (!verdict.ok || !row) {
      return { ok: false, refusal: verdict.ok ? { kind: 'task_deleted' } : verdict.refusal, task: row };
    }
    const approved = input.decision === 'approved';
    const reason = approved ? null : (input.reason?.trim() ?? null);
    const [decided] = await tx
      .update(scheduledTasks)
      .set({
        approvalState: input.decision,
        approvedBy: approved ? input.approverId : null,
        rejectedBy: approved ? null : input.approverId,
        rejectionReason: reason,
        updatedAt: input.now,
        // An editor holding the previous version is told the task changed under them.
        version: sql`${scheduledTasks.version} + 1`,
      })
      .where(eq(scheduledTasks.id, row.id))
      .returning();
    if (!decided) throw new Error('approval update matched no row');
    await recordAudit(tx, {
      actor: input.approverId,
      action: `task.${input.decision}`,
      taskId: row.id,
      taskName: row.name,
      after: { approvalVersion: input.ref.version, ...(reason ? { reason } : {}) },
      at: input.now,
    });
    const at = input.now.toISOString();
    await setApprovalCardState(
      tx,
      approvalRequestKey(input.ref),
      approved
        ? { kind: 'approved', by: input.approverId, at }
        : { kind: 'rejected', by: input.approverId, at, reason: reason ?? '' },
      input.now,
    );
    return { ok: true, task: decided };
  });
}

/**
 * Marks every undecided approval card of a task other than `keepKey`'s as superseded by `version`, so
 * the notifier re-renders them in place without buttons. Called in the transaction of the save that
 * makes them stale (an edit asking again, or an edit that removes the code).
 */
export async function supersedeApprovalCards(
  db: Queryable,
  options: { taskId: string; keepKey: string | null; version: number; now: Date },
): Promise<number> {
  const state: AlertState = { kind: 'superseded', version: options.version, at: options.now.toISOString() };
  const result = await db.execute(
    sql`update notification_outbox
           set payload = payload || jsonb_build_object('state', ${JSON.stringify(state)}::jsonb),
               ${rerender(options.now)}
         where kind = 'approval_requested' and task_id = ${options.taskId}::uuid
           and dedupe_key is distinct from ${options.keepKey}
           and not (payload ? 'state')`,
  );
  return result.rowCount ?? 0;
}

/** Sets the state of one approval card, queuing its re-rendering when it is already in Slack. */
async function setApprovalCardState(db: Queryable, key: string, state: AlertState, now: Date): Promise<void> {
  await db.execute(
    sql`update notification_outbox
           set payload = payload || jsonb_build_object('state', ${JSON.stringify(state)}::jsonb),
               ${rerender(now)}
         where dedupe_key = ${key}`,
  );
}

/**
 * Queues a card already posted for re-rendering (the notifier edits it in place with chat.update); a
 * card not posted yet is simply posted with its new state.
 */
function rerender(now: Date) {
  return sql`status = case when status = 'delivered' and slack_ts is not null then 'pending' else status end,
             next_attempt_at = case when status = 'delivered' and slack_ts is not null
                                    then ${now.toISOString()}::timestamptz else next_attempt_at end`;
}

/** The code and task name an approval card showed, read back for its View full text modal. */
export async function findApprovalCard(
  db: Queryable,
  ref: ApprovalRef,
): Promise<{ payload: Record<string, unknown> } | undefined> {
  const result = await db.execute<{ payload: Record<string, unknown> }>(
    sql`select payload from notification_outbox where dedupe_key = ${approvalRequestKey(ref)}`,
  );
  return result.rows[0];
}

/**
 * Queues the approval card of a pending task's current request again: re-rendered in place if it was
 * posted (an old card without a version in its buttons gets versioned ones), or posted if it never was
 * (a task that became pending by migration). Returns whether a card existed.
 */
export async function refreshApprovalCard(db: Queryable, ref: ApprovalRef, now: Date): Promise<boolean> {
  const result = await db.execute(
    sql`update notification_outbox
           set ${rerender(now)}
         where dedupe_key = ${approvalRequestKey(ref)}`,
  );
  return (result.rowCount ?? 0) > 0;
}

/** Pending tasks whose current request has no card: those a migration made pending. */
export async function listPendingWithoutCard(db: Queryable): Promise<TaskRow[]> {
  const rows = await db
    .select()
    .from(scheduledTasks)
    .where(
      sql`${scheduledTasks.approvalState} = 'pending' and ${scheduledTasks.approvalVersion} is not null
          and not exists (select 1 from notification_outbox o
                           where o.dedupe_key = 'approval_requested:' || ${scheduledTasks.id}::text || ':'
                                                || ${scheduledTasks.approvalVersion}::text)`,
    );
  return rows;
}
