import type { ApprovalState } from './task-types.js';

/**
 * Whether an approval card's Approve or Reject may take effect (docs/ARCHITECTURE.md §8b, docs/SECURITY.md): a
 * decision is about one saved version of the task's code, the one the card showed. The store runs this
 * on the row it holds locked (`for update`) and writes the decision in the same transaction, so two
 * clicks, or a click racing an edit, cannot both pass.
 */
export interface ApprovalTaskState {
  approvalState: ApprovalState;
  /** The version whose code awaits (or received) a decision; null when the task carries no user code. */
  approvalVersion: number | null;
  /** Who created the task. */
  createdBy: string | null;
  /** Who saved `approvalVersion`: the last editor of the code (not whoever paused the task since). */
  approvalRequestedBy: string | null;
  /** Who approved or rejected `approvalVersion`. */
  approvalDecidedBy: string | null;
  /** The task's current version (pause and resume bump it too). */
  version: number;
}

export interface ApprovalRequest {
  /** The task as stored now, or undefined when it was deleted. */
  task: ApprovalTaskState | undefined;
  /** The version the card (or review modal) showed and its button carries. */
  cardVersion: number;
  approverId: string;
  approverIsAdmin: boolean;
  decision: 'approved' | 'rejected';
  /** A rejection's reason, trimmed; required for a rejection. */
  reason?: string | undefined;
}

/** Why a decision is refused; nothing is changed in any of these cases. */
export type ApprovalRefusal =
  | { kind: 'not_admin' }
  | { kind: 'task_deleted' }
  /** The card is for an earlier version; `currentVersion` is the task's version now. */
  | { kind: 'superseded'; currentVersion: number; newerAwaitsApproval: boolean }
  | { kind: 'already_approved'; by: string | null }
  | { kind: 'already_rejected'; by: string | null }
  | { kind: 'own_change' }
  | { kind: 'reason_required' };

export type ApprovalVerdict = { ok: true } | { ok: false; refusal: ApprovalRefusal };

const refuse = (refusal: ApprovalRefusal): ApprovalVerdict => ({ ok: false, refusal });

/**
 * Decides whether `request` may approve or reject the task. In order: the role (an operator learns
 * nothing about the task), the task's existence, the version (an earlier card cannot decide for later
 * code), a decision already taken at that version, the two-person rule (the creator and the last
 * editor of the code may not approve it; either may still reject it, which only withdraws it), and a
 * rejection's reason.
 */
export function decideApprovalRequest(request: ApprovalRequest): ApprovalVerdict {
  const { task } = request;
  if (!request.approverIsAdmin) return refuse({ kind: 'not_admin' });
  if (!task) return refuse({ kind: 'task_deleted' });
  if (task.approvalVersion !== request.cardVersion) {
    return refuse({
      kind: 'superseded',
      currentVersion: task.version,
      newerAwaitsApproval: task.approvalState === 'pending' && task.approvalVersion !== null,
    });
  }
  if (task.approvalState === 'approved')
    return refuse({ kind: 'already_approved', by: task.approvalDecidedBy });
  if (task.approvalState === 'rejected')
    return refuse({ kind: 'already_rejected', by: task.approvalDecidedBy });
  if (
    request.decision === 'approved' &&
    (request.approverId === task.createdBy || request.approverId === task.approvalRequestedBy)
  ) {
    return refuse({ kind: 'own_change' });
  }
  if (request.decision === 'rejected' && !request.reason?.trim()) return refuse({ kind: 'reason_required' });
  return { ok: true };
}
