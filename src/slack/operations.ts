import { nextRunAfter, parseCron } from '../domain/cron.js';
import { escapeMrkdwn, truncateText } from '../domain/mrkdwn.js';
import { runsUserSql } from '../domain/user-code.js';
import { isAppError } from '../shared/errors.js';
import { cancelExecution, retryExecution } from '../store/execution-commands.js';
import { getExecution } from '../store/executions.js';
import { findApprovalRequest, setAlertState } from '../store/outbox-delivery.js';
import type { TaskRow } from '../store/schema.js';
import { queueManualRunOnce } from '../store/slack-queries.js';
import { deleteTask, getTask, pauseTask, resumeTask, setApprovalState } from '../store/tasks.js';
import type { SlackDeps } from './deps.js';
import { formatInZone } from './format.js';
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

export async function togglePause(deps: SlackDeps, userId: string, task: TaskRow): Promise<Outcome> {
  return task.enabled ? pauseTaskFor(deps, userId, task, undefined) : resumeTaskFor(deps, userId, task);
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
 * Approves or rejects a custom task. Only an admin other than its author (creator or last editor) may
 * approve; a rejection carries a reason (asked in a modal). The approval request in the channel is
 * updated in place (through the outbox: the notifier re-renders it).
 */
export async function decideApproval(
  deps: SlackDeps,
  userId: string,
  task: TaskRow,
  decision: 'approved' | 'rejected',
  reason?: string,
): Promise<Outcome> {
  const forbidden = await forbiddenMessage(deps, userId, 'approve');
  if (forbidden) return privately(forbidden);
  if (decision === 'approved' && (task.createdBy === userId || task.updatedBy === userId))
    return privately(deps.m.cannotApproveOwn);
  const shownReason = reason?.trim() ? truncateText(reason.trim(), 500) : undefined;
  if (decision === 'rejected' && !shownReason) return privately(deps.m.rejectReasonRequired);
  const now = deps.clock.now();
  await setApprovalState(deps.db, task.id, decision, { actor: { id: userId }, now, reason: shownReason });
  const request = await findApprovalRequest(deps.pool, task.id);
  if (request) {
    await setAlertState(deps.pool, {
      id: request.id,
      now,
      state:
        decision === 'approved'
          ? { kind: 'approved', by: userId, at: now.toISOString() }
          : { kind: 'rejected', by: userId, at: now.toISOString(), reason: shownReason ?? '' },
    });
  }
  afterChange(deps);
  return publicly(
    decision === 'approved'
      ? deps.m.approvedBy(userId, taskLabel(task))
      : deps.m.rejectedBy(userId, taskLabel(task), escapeMrkdwn(shownReason ?? '')),
  );
}
