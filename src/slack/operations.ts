import { formatInZone } from '../blockkit/dates.js';
import { escapeMrkdwn, truncateText } from '../blockkit/mrkdwn.js';
import type { ApprovalRefusal } from '../domain/approval-decision.js';
import { type ApprovalRef, approvalRequestKey } from '../domain/approval-ref.js';
import { nextRunAfter, parseCron } from '../domain/cron.js';
import { runsUserSql } from '../domain/user-code.js';
import { isAppError } from '../shared/errors.js';
import {
  decideApproval as decideApprovalInStore,
  refreshApprovalCard,
  supersedeApprovalCards,
} from '../store/approvals.js';
import { redeliverDeadAlert } from '../store/dead-alerts.js';
import { cancelExecution, retryExecution } from '../store/execution-commands.js';
import { getExecution } from '../store/executions.js';
import { enqueueOutboxWith } from '../store/outbox.js';
import type { TaskRow } from '../store/schema.js';
import { queueManualRunOnce } from '../store/slack-queries.js';
import { deleteTask, getTask, pauseTask, resumeTask } from '../store/tasks.js';
import { approvalRequestEntry } from './approval-request.js';
import { deadAlertSubject } from './blocks/dead-alerts.js';
import { type SlackDeps, uiOf } from './deps.js';
import { type Permission, REQUIRED_ROLE, roleAllows } from './permissions.js';

/**
 * The actions people take on tasks and executions, shared by slash commands and buttons. Each checks
 * the role first (a forbidden action changes nothing), then acts through the store (which records the
 * audit entry in the same transaction), and returns the sentence to show and whether it announces a
 * change to the channel.
 */
export interface Outcome {
  text: string;
  /** True when the change is announced to the channel; false for a private answer. */
  announce: boolean;
  /** The execution queued (run now, retry), also when an equivalent one was already queued. */
  executionId?: string;
}

/** A run-now click repeated within this many seconds by the same person is the same click. */
export const RUN_NOW_DEDUPE_SECONDS = 10;

const privately = (text: string): Outcome => ({ text, announce: false });
const publicly = (text: string): Outcome => ({ text, announce: true });

export function taskLabel(task: { name: string }): string {
  return escapeMrkdwn(truncateText(task.name, 80));
}

/** Undefined when `userId` may do `permission`; otherwise the sentence naming the role needed. */
export async function forbiddenMessage(
  deps: SlackDeps,
  userId: string,
  permission: Permission,
): Promise<string | undefined> {
  const role = await deps.roles.roleOf(userId);
  return roleAllows(role, permission) ? undefined : deps.m.forbidden(deps.m.roles[REQUIRED_ROLE[permission]]);
}

function afterChange(deps: SlackDeps): void {
  deps.track(deps.republishHomes());
}

export async function runTaskNow(deps: SlackDeps, userId: string, task: TaskRow): Promise<Outcome> {
  const forbidden = await forbiddenMessage(deps, userId, 'run');
  if (forbidden) return privately(forbidden);
  if (task.approvalState !== 'approved') return privately(deps.m.notApproved(taskLabel(task)));
  if (!deps.userSqlAvailable && runsUserSql(task.type, task.params))
    return privately(deps.m.userSqlUnavailable(taskLabel(task)));
  let executionId: string;
  try {
    const outcome = await queueManualRunOnce(deps.db, {
      taskId: task.id,
      userId,
      now: deps.clock.now(),
      windowSeconds: RUN_NOW_DEDUPE_SECONDS,
    });
    if (!outcome.created)
      return { ...privately(deps.m.runAlreadyQueued(taskLabel(task))), executionId: outcome.executionId };
    executionId = outcome.executionId;
  } catch (error) {
    if (isAppError(error, 'forbidden')) return privately(deps.m.notApproved(taskLabel(task)));
    if (isAppError(error, 'task_not_found')) return privately(deps.m.taskNotFound(taskLabel(task)));
    throw error;
  }
  deps.wakeScheduler?.();
  afterChange(deps);
  return { ...publicly(deps.m.runQueued(userId, taskLabel(task))), executionId };
}

export async function pauseTaskFor(
  deps: SlackDeps,
  userId: string,
  task: TaskRow,
  reason: string | undefined,
): Promise<Outcome> {
  const forbidden = await forbiddenMessage(deps, userId, 'pause');
  if (forbidden) return privately(forbidden);
  if (!task.enabled) return privately(deps.m.alreadyPaused(taskLabel(task)));
  await pauseTask(deps.db, task.id, { actor: { id: userId }, now: deps.clock.now(), reason });
  afterChange(deps);
  const shownReason = reason?.trim() ? escapeMrkdwn(truncateText(reason.trim(), 500)) : undefined;
  return publicly(deps.m.paused(userId, taskLabel(task), shownReason));
}

export async function resumeTaskFor(deps: SlackDeps, userId: string, task: TaskRow): Promise<Outcome> {
  const forbidden = await forbiddenMessage(deps, userId, 'resume');
  if (forbidden) return privately(forbidden);
  if (task.enabled) return privately(deps.m.alreadyActive(taskLabel(task)));
  const now = deps.clock.now();
  // Occurrences missed while paused are not caught up: a pause is deliberate (store/tasks.ts).
  const nextRunAt = nextRunAfter(parseCron(task.cron, task.timezone), now);
  await resumeTask(deps.db, task.id, { actor: { id: userId }, now, nextRunAt });
  afterChange(deps);
  const next = nextRunAt
    ? `${formatInZone(nextRunAt, task.timezone, deps.locale)} (${task.timezone})`
    : deps.m.dateNever;
  return publicly(deps.m.resumed(userId, taskLabel(task), next));
}

export async function deleteTaskFor(deps: SlackDeps, userId: string, task: TaskRow): Promise<Outcome> {
  const forbidden = await forbiddenMessage(deps, userId, 'delete');
  if (forbidden) return privately(forbidden);
  if (task.isSystem) return privately(deps.m.systemTask(taskLabel(task)));
  try {
    await deleteTask(deps.db, task.id, { actor: { id: userId }, now: deps.clock.now() });
  } catch (error) {
    // Two confirmations racing: the second finds nothing left to delete.
    if (isAppError(error, 'task_not_found')) return privately(deps.m.taskNotFound(taskLabel(task)));
    throw error;
  }
  afterChange(deps);
  return publicly(deps.m.deleted(userId, taskLabel(task)));
}

export async function retryExecutionFor(
  deps: SlackDeps,
  userId: string,
  executionId: string,
): Promise<Outcome> {
  const forbidden = await forbiddenMessage(deps, userId, 'retry');
  if (forbidden) return privately(forbidden);
  const execution = await getExecution(deps.db, executionId);
  if (!execution) return privately(deps.m.executionNotFound(escapeMrkdwn(truncateText(executionId, 60))));
  const task = await getTask(deps.db, execution.taskId);
  const label = task ? taskLabel(task) : execution.taskId;
  if (task && !deps.userSqlAvailable && runsUserSql(task.type, task.params))
    return privately(deps.m.userSqlUnavailable(label));
  if (!['failed', 'timed_out', 'cancelled'].includes(execution.status)) {
    return privately(deps.m.notRetryable(deps.m.executionStatus[execution.status] ?? execution.status));
  }
  let outcome: Awaited<ReturnType<typeof retryExecution>>;
  try {
    outcome = await retryExecution(deps.pool, { executionId, actorId: userId, now: deps.clock.now() });
  } catch (error) {
    if (isAppError(error, 'forbidden')) return privately(deps.m.notApproved(label));
    throw error;
  }
  const zone = task?.timezone ?? deps.config.defaultTimezone;
  const at = (instant: Date) => `${formatInZone(instant, zone, deps.locale)} ${zone}`;
  switch (outcome.kind) {
    case 'running':
      return { ...privately(deps.m.retryRunning(label, at(outcome.startedAt))), executionId: outcome.id };
    case 'starting':
      return { ...privately(deps.m.retryStarting(label)), executionId: outcome.id };
    case 'brought_forward':
    case 'created':
      break;
  }
  deps.wakeScheduler?.();
  afterChange(deps);
  const text =
    outcome.kind === 'brought_forward'
      ? deps.m.retryBroughtForward(userId, label, at(outcome.wasDueAt))
      : deps.m.retryQueued(userId, label);
  return { ...publicly(text), executionId: outcome.id };
}

export async function cancelExecutionFor(
  deps: SlackDeps,
  userId: string,
  executionId: string,
): Promise<Outcome> {
  const forbidden = await forbiddenMessage(deps, userId, 'cancel');
  if (forbidden) return privately(forbidden);
  const execution = await getExecution(deps.db, executionId);
  if (!execution) return privately(deps.m.executionNotFound(escapeMrkdwn(truncateText(executionId, 60))));
  const task = await getTask(deps.db, execution.taskId);
  const label = task ? taskLabel(task) : execution.taskId;
  const outcome = await cancelExecution(deps.pool, { executionId, actorId: userId, now: deps.clock.now() });
  if (outcome === 'already_finished') return privately(deps.m.cancelOutcome.already_finished(label));
  afterChange(deps);
  return publicly(deps.m.cancelOutcome[outcome](label));
}

/**
 * Redeliver on an undeliverable alert (`ref`: its outbox id, from the button): back to pending with its
 * attempts reset, audited, delivered by the notifier (woken by the status change). Operators and
 * admins only; an alert that is not dead any more (a second click, someone else was quicker) is left
 * as it is. `changed` says whether a list showing it should be refreshed.
 */
export async function redeliverAlertFor(
  deps: SlackDeps,
  userId: string,
  value: string,
): Promise<Outcome & { changed: boolean }> {
  const ref = String(value); // a forged payload may carry anything
  const forbidden = await forbiddenMessage(deps, userId, 'redeliver');
  if (forbidden) return { ...privately(forbidden), changed: false };
  const notFound = {
    ...privately(deps.m.alerts.notFound(escapeMrkdwn(truncateText(ref, 40)))),
    changed: false,
  };
  if (!/^\d{1,15}$/.test(ref)) return notFound;
  const outcome = await redeliverDeadAlert(deps.pool, {
    id: Number(ref),
    actorId: userId,
    now: deps.clock.now(),
  });
  if (outcome.kind === 'not_found') return notFound;
  const subject = deadAlertSubject(outcome.alert, uiOf(deps));
  if (outcome.kind === 'not_dead') {
    const status = deps.m.alerts.status[outcome.status] ?? outcome.status;
    return { ...privately(deps.m.alerts.notDead(subject, status)), changed: false };
  }
  afterChange(deps);
  return { ...privately(deps.m.alerts.redelivered(userId, subject)), changed: true };
}

/**
 * Approves or rejects the version of a task's code that a card showed (`ref`, from its button). The
 * rule (domain/approval-decision.ts) is checked in the store on the locked task row, and the decision,
 * its audit entry and the card's new state commit together; any refusal is an ephemeral sentence and
 * changes nothing. A card from before approvals named a version is refreshed instead.
 */
export async function decideApproval(
  deps: SlackDeps,
  userId: string,
  ref: ApprovalRef | { taskId: string; version?: undefined },
  decision: 'approved' | 'rejected',
  reason?: string,
): Promise<Outcome> {
  const forbidden = await forbiddenMessage(deps, userId, 'approve');
  if (forbidden) return privately(forbidden);
  const now = deps.clock.now();
  if (ref.version === undefined) return refreshLegacyCard(deps, ref.taskId, now);
  const shownReason = reason?.trim() ? truncateText(reason.trim(), 500) : undefined;
  const result = await decideApprovalInStore(deps.db, {
    ref,
    approverId: userId,
    approverIsAdmin: true,
    decision,
    reason: shownReason,
    now,
  });
  if (!result.ok) return privately(approvalRefusalText(deps, result.refusal, result.task, ref));
  afterChange(deps);
  const label = taskLabel(result.task);
  return publicly(
    decision === 'approved'
      ? deps.m.approvedBy(userId, label)
      : deps.m.rejectedBy(userId, label, escapeMrkdwn(shownReason ?? '')),
  );
}

function approvalRefusalText(
  deps: SlackDeps,
  refusal: ApprovalRefusal,
  task: TaskRow | undefined,
  ref: ApprovalRef,
): string {
  const label = task ? taskLabel(task) : ref.taskId;
  const refused = deps.m.approvalRefused;
  switch (refusal.kind) {
    case 'not_admin':
      return deps.m.forbidden(deps.m.roles.admin);
    case 'task_deleted':
      return deps.m.taskNotFound(escapeMrkdwn(ref.taskId));
    case 'superseded':
      return refused.superseded(label, ref.version, refusal.newerAwaitsApproval);
    case 'already_approved':
      return refused.alreadyApproved(label, refusal.by);
    case 'already_rejected':
      return refused.alreadyRejected(label, refusal.by);
    case 'own_change':
      return deps.m.cannotApproveOwn;
    case 'reason_required':
      return deps.m.rejectReasonRequired;
  }
}

/**
 * A click on a card whose buttons carry only the task id (posted before approvals named a version):
 * it cannot say what the approver saw, so it decides nothing; the task's current card is re-rendered
 * with versioned buttons (or posted, if it has none) for the approver to read and click again.
 */
async function refreshLegacyCard(deps: SlackDeps, taskId: string, now: Date): Promise<Outcome> {
  const task = await getTask(deps.db, taskId);
  if (!task) return privately(deps.m.taskNotFound(escapeMrkdwn(taskId.slice(0, 60))));
  if (task.approvalState !== 'pending' || task.approvalVersion === null)
    return privately(deps.m.approvalRefused.notPending(taskLabel(task)));
  const ref = { taskId: task.id, version: task.approvalVersion };
  if (!(await refreshApprovalCard(deps.db, ref, now))) {
    await enqueueOutboxWith(
      deps.db,
      [approvalRequestEntry(task, task.approvalRequestedBy ?? '?', true)],
      now,
    );
  }
  await supersedeApprovalCards(deps.db, {
    taskId: task.id,
    keepKey: approvalRequestKey(ref),
    version: task.approvalVersion,
    now,
  });
  return privately(deps.m.approvalRefused.legacyCard(taskLabel(task), task.approvalVersion));
}
