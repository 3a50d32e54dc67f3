import type { App } from '@slack/bolt';
import { escapeMrkdwn } from '../../blockkit/mrkdwn.js';
import { type ApprovalRef, parseApprovalRef } from '../../domain/approval-ref.js';
import { findApprovalCard } from '../../store/approvals.js';
import { getExecution, listExecutionHistory } from '../../store/executions.js';
import {
  type AlertState,
  findAlertByMessage,
  type OutboxDeliveryRow,
  setAlertState,
  setMissedDecision,
} from '../../store/outbox-delivery.js';
import { countTasks, getTask, listTasks } from '../../store/tasks.js';
import { ALERTS_LIST_LIMIT, buildDeadAlertsMessage } from '../blocks/dead-alerts.js';
import { buildExecutionModal } from '../blocks/execution-modal.js';
import { buildFullTextModal, parseFullTextPage } from '../blocks/full-text-modal.js';
import { ACTION, CALLBACK } from '../blocks/ids.js';
import { buildPauseModal } from '../blocks/pause-modal.js';
import { buildRejectModal } from '../blocks/reject-modal.js';
import { buildTaskListMessage, LIST_PAGE_SIZE } from '../blocks/task-list.js';
import { loadDeadAlertsView } from '../dead-alerts-view.js';
import { type SlackClient, type SlackDeps, uiOf } from '../deps.js';
import {
  cancelExecutionFor,
  decideApproval,
  deleteTaskFor,
  forbiddenMessage,
  type Outcome,
  redeliverAlertFor,
  resumeTaskFor,
  retryExecutionFor,
  runTaskNow,
  taskLabel,
} from '../operations.js';
import { answerAfterAck, makeReplier, type Replier, type Respond } from '../reply.js';
import { openCreateModal, openEditModal, refreshTaskModal, type ViewPayload } from '../task-modal-flow.js';

/** The fields of a block_actions payload the handlers read. */
export interface ActionBody {
  user: { id: string };
  trigger_id: string;
  channel?: { id: string };
  /** The message the button is on (channel messages only). */
  message?: { ts: string };
  container?: { type?: string; message_ts?: string; channel_id?: string };
  response_url?: string;
  view?: ViewPayload & { type: string; callback_id?: string };
  actions: Array<{ action_id: string; value?: string; selected_option?: { value: string } | null }>;
}

export interface ActionArgs {
  body: ActionBody;
  ack: () => Promise<void>;
  respond?: Respond;
  client: SlackClient;
}

interface ActionContext {
  body: ActionBody;
  value: string;
  user: string;
  client: SlackClient;
  reply: Replier;
}

type ActionWork = (deps: SlackDeps, ctx: ActionContext) => Promise<void>;

/**
 * Wraps an action: ack first, then the work (in the after-ack queue), with failures turned into a
 * sentence and a log line.
 */
export function makeActionHandler(deps: SlackDeps, work: ActionWork) {
  return async ({ body, ack, respond, client }: ActionArgs): Promise<void> => {
    await ack();
    const action = body.actions[0];
    const value = action?.value ?? action?.selected_option?.value ?? '';
    const reply = makeReplier(deps, client, {
      respond: body.response_url ? respond : undefined,
      userId: body.user.id,
      channelId: body.channel?.id,
    });
    await answerAfterAck(
      deps,
      reply,
      { message: 'Slack action failed', logFields: { action: action?.action_id } },
      () => work(deps, { body, value, user: body.user.id, client, reply }),
    );
  };
}

async function deliver(reply: Replier, outcome: Outcome): Promise<void> {
  await (outcome.announce ? reply.announce(outcome.text) : reply.ephemeral(outcome.text));
}

/** Runs `work` on the task named by the button's value, or says it no longer exists. */
function onTask(
  work: (
    deps: SlackDeps,
    ctx: ActionContext,
    task: NonNullable<Awaited<ReturnType<typeof getTask>>>,
  ) => Promise<void>,
): ActionWork {
  return async (deps, ctx) => {
    const task = await getTask(deps.db, ctx.value);
    if (!task) return ctx.reply.ephemeral(deps.m.taskNotFound(escapeMrkdwn(ctx.value.slice(0, 60))));
    return work(deps, ctx, task);
  };
}

/** After an action inside the execution modal, show the execution's new state in place. */
async function refreshExecutionModal(
  deps: SlackDeps,
  ctx: ActionContext,
  executionId: string,
): Promise<void> {
  const view = ctx.body.view;
  if (!view || view.callback_id !== CALLBACK.executionModal) return;
  const execution = await getExecution(deps.db, executionId);
  const task = execution ? await getTask(deps.db, execution.taskId) : undefined;
  if (!execution || !task) return;
  await ctx.client.views.update({ view_id: view.id, view: buildExecutionModal(execution, task, uiOf(deps)) });
}

export const runNow: ActionWork = onTask(async (deps, ctx, task) => {
  const outcome = await runTaskNow(deps, ctx.user, task);
  // From an overdue alert: the message says who asked for the run, and when.
  if (outcome.announce)
    await markAlert(deps, ctx.body, {
      kind: 'run_requested',
      by: ctx.user,
      at: deps.clock.now().toISOString(),
    });
  await deliver(ctx.reply, outcome);
});

/**
 * Pause asks for an optional reason first, in a small modal (the task is paused on its submission,
 * views.ts, as `/tasks pause <task> [reason]` would); Resume acts at once. Someone who may not pause is
 * told so before any modal opens, and the submission checks the role again.
 */
export const pauseResume: ActionWork = onTask(async (deps, ctx, task) => {
  if (!task.enabled) return deliver(ctx.reply, await resumeTaskFor(deps, ctx.user, task));
  const forbidden = await forbiddenMessage(deps, ctx.user, 'pause');
  if (forbidden) return ctx.reply.ephemeral(forbidden);
  const meta = { t: task.id, ...(ctx.body.channel ? { c: ctx.body.channel.id } : {}) };
  await ctx.client.views.open({
    trigger_id: ctx.body.trigger_id,
    view: buildPauseModal(task, meta, uiOf(deps)),
  });
});

export const remove: ActionWork = onTask(async (deps, ctx, task) =>
  deliver(ctx.reply, await deleteTaskFor(deps, ctx.user, task)),
);

export const approve: ActionWork = async (deps, ctx) => {
  const ref = parseApprovalRef(ctx.value);
  if (!ref) return ctx.reply.ephemeral(deps.m.taskNotFound(escapeMrkdwn(ctx.value.slice(0, 60))));
  await deliver(ctx.reply, await decideApproval(deps, ctx.user, ref, 'approved'));
};

/**
 * Reject asks for a reason first (a modal that keeps the version the card showed); the decision is
 * taken on its submission (views.ts), under the same rule as Approve.
 */
export const reject: ActionWork = async (deps, ctx) => {
  const forbidden = await forbiddenMessage(deps, ctx.user, 'approve');
  if (forbidden) return ctx.reply.ephemeral(forbidden);
  const ref = parseApprovalRef(ctx.value);
  if (!ref) return ctx.reply.ephemeral(deps.m.taskNotFound(escapeMrkdwn(ctx.value.slice(0, 60))));
  // A card without a version decides nothing: it is refreshed instead (see decideApproval).
  if (ref.version === undefined)
    return deliver(ctx.reply, await decideApproval(deps, ctx.user, ref, 'rejected'));
  const task = await getTask(deps.db, ref.taskId);
  if (!task) return ctx.reply.ephemeral(deps.m.taskNotFound(escapeMrkdwn(ref.taskId)));
  const view = buildRejectModal(
    task,
    { t: task.id, v: ref.version, ...(ctx.body.channel ? { c: ctx.body.channel.id } : {}) },
    uiOf(deps),
  );
  // From the review modal the reason modal is stacked on it; from a card it opens on its own.
  await (ctx.body.view
    ? ctx.client.views.push({ trigger_id: ctx.body.trigger_id, view })
    : ctx.client.views.open({ trigger_id: ctx.body.trigger_id, view }));
};

/** View full text on an approval card: a modal with every character of the version it asks about. */
export const viewFullText: ActionWork = async (deps, ctx) => {
  const ref = parseApprovalRef(ctx.value);
  if (ref?.version === undefined) {
    return ctx.reply.ephemeral(deps.m.taskNotFound(escapeMrkdwn(ctx.value.slice(0, 60))));
  }
  const view = await fullTextView(deps, { taskId: ref.taskId, version: ref.version }, 0);
  if (typeof view === 'string') return ctx.reply.ephemeral(view);
  await ctx.client.views.open({ trigger_id: ctx.body.trigger_id, view });
};

/** Previous / Next inside the full-text modal: the same view, another page. */
export const fullTextPage: ActionWork = async (deps, ctx) => {
  const page = parseFullTextPage(ctx.value);
  const ref = page ? parseApprovalRef(page.ref) : undefined;
  const view = ctx.body.view;
  if (!page || !ref || ref.version === undefined || !view) return;
  const next = await fullTextView(deps, { taskId: ref.taskId, version: ref.version }, page.page);
  if (typeof next === 'string') return ctx.reply.ephemeral(next);
  await ctx.client.views.update({ view_id: view.id, view: next });
};

async function fullTextView(deps: SlackDeps, ref: ApprovalRef, page: number) {
  const card = await findApprovalCard(deps.db, ref);
  const taskName = typeof card?.payload.taskName === 'string' ? card.payload.taskName : ref.taskId;
  if (!card || typeof card.payload.code !== 'string') return deps.m.fullText.missing(escapeMrkdwn(taskName));
  const task = await getTask(deps.db, ref.taskId);
  const stillPending = task?.approvalState === 'pending' && task.approvalVersion === ref.version;
  return buildFullTextModal({ taskName, code: card.payload.code }, ref, page, stillPending, uiOf(deps));
}

/** The channel alert the button was clicked on, if it is one the notifier posted. */
async function alertOf(deps: SlackDeps, body: ActionBody): Promise<OutboxDeliveryRow | undefined> {
  const channel = body.channel?.id ?? body.container?.channel_id;
  const ts = body.message?.ts ?? body.container?.message_ts;
  if (!channel || !ts) return undefined;
  return findAlertByMessage(deps.pool, { channel, ts });
}

/** Records on the alert who did what, so the notifier updates the message in place. */
async function markAlert(deps: SlackDeps, body: ActionBody, state: AlertState): Promise<void> {
  const alert = await alertOf(deps, body);
  if (alert) await setAlertState(deps.pool, { id: alert.id, state, now: deps.clock.now() });
}

/** Records on the missed-runs summary (re-rendered in place by the notifier) who decided what for a task. */
async function recordMissedDecision(
  deps: SlackDeps,
  ctx: ActionContext,
  taskId: string,
  kind: 'run' | 'skip',
): Promise<void> {
  const alert = await alertOf(deps, ctx.body);
  if (alert?.kind !== 'missed_runs') return;
  const now = deps.clock.now();
  await setMissedDecision(deps.pool, {
    id: alert.id,
    taskId,
    decision: { kind, by: ctx.user, at: now.toISOString() },
    now,
  });
}

/** Missed-runs summary: run that task now (its latest missed occurrence, late). */
export const missedRunLatest: ActionWork = onTask(async (deps, ctx, task) => {
  const outcome = await runTaskNow(deps, ctx.user, task);
  if (outcome.executionId) await recordMissedDecision(deps, ctx, task.id, 'run');
  await deliver(ctx.reply, outcome);
});

/** Missed-runs summary: leave the missed occurrences skipped, and say who decided. */
export const missedSkip: ActionWork = onTask(async (deps, ctx, task) => {
  const forbidden = await forbiddenMessage(deps, ctx.user, 'run');
  if (forbidden) return ctx.reply.ephemeral(forbidden);
  await recordMissedDecision(deps, ctx, task.id, 'skip');
  await ctx.reply.announce(deps.m.missedSkipped(ctx.user, taskLabel(task)));
});

/**
 * Redeliver, on `/tasks alerts` or the App Home. From the list (a message), the list is replaced by
 * its new state with the outcome on top; from the App Home the outcome is a private message and the
 * Home is republished (by the operation, as after any change).
 */
export const redeliverAlert: ActionWork = async (deps, ctx) => {
  const outcome = await redeliverAlertFor(deps, ctx.user, ctx.value);
  if (ctx.body.container?.type !== 'message' || !ctx.body.response_url) return deliver(ctx.reply, outcome);
  const view = await loadDeadAlertsView(deps, ctx.user, ALERTS_LIST_LIMIT);
  await ctx.reply.replace(outcome.text, buildDeadAlertsMessage(view, uiOf(deps), outcome.text));
};

export const edit: ActionWork = onTask(async (deps, ctx, task) => {
  const forbidden = await forbiddenMessage(deps, ctx.user, 'edit');
  if (forbidden) return ctx.reply.ephemeral(forbidden);
  return openEditModal(deps, ctx.client, ctx.body.trigger_id, task, ctx.body.channel?.id);
});

export const useTemplate: ActionWork = async (deps, ctx) => {
  const forbidden = await forbiddenMessage(deps, ctx.user, 'create');
  if (forbidden) return ctx.reply.ephemeral(forbidden);
  return openCreateModal(deps, ctx.client, ctx.body.trigger_id, {
    template: ctx.value,
    channelId: ctx.body.channel?.id,
  });
};

/** View logs: the value is an execution id, or `task:<id>` for a task's latest execution. */
export const viewExecution: ActionWork = async (deps, ctx) => {
  let executionId = ctx.value;
  if (ctx.value.startsWith('task:')) {
    const task = await getTask(deps.db, ctx.value.slice('task:'.length));
    if (!task) return ctx.reply.ephemeral(deps.m.taskNotFound(escapeMrkdwn(ctx.value.slice(0, 60))));
    const latest = (await listExecutionHistory(deps.db, task.id, { limit: 1 })).rows[0];
    if (!latest) return ctx.reply.ephemeral(deps.m.logs.none(taskLabel(task)));
    executionId = latest.id;
  }
  const execution = await getExecution(deps.db, executionId);
  const task = execution ? await getTask(deps.db, execution.taskId) : undefined;
  if (!execution || !task)
    return ctx.reply.ephemeral(deps.m.executionNotFound(escapeMrkdwn(executionId.slice(0, 60))));
  const view = buildExecutionModal(execution, task, uiOf(deps));
  // From inside a modal (a task's history), stack the details on top of it.
  if (ctx.body.view?.type === 'modal') await ctx.client.views.push({ trigger_id: ctx.body.trigger_id, view });
  else await ctx.client.views.open({ trigger_id: ctx.body.trigger_id, view });
};

export const retry: ActionWork = async (deps, ctx) => {
  const outcome = await retryExecutionFor(deps, ctx.user, ctx.value);
  // From a failure alert: the message shows who retried and when; the run's details go in its thread.
  if (outcome.announce && outcome.executionId) {
    await markAlert(deps, ctx.body, {
      kind: 'retry_requested',
      by: ctx.user,
      at: deps.clock.now().toISOString(),
      executionId: outcome.executionId,
    });
  }
  await deliver(ctx.reply, outcome);
  await refreshExecutionModal(deps, ctx, ctx.value);
};

export const cancel: ActionWork = async (deps, ctx) => {
  await deliver(ctx.reply, await cancelExecutionFor(deps, ctx.user, ctx.value));
  await refreshExecutionModal(deps, ctx, ctx.value);
};

export const listPage: ActionWork = async (deps, ctx) => {
  const offset = Math.max(0, Number.parseInt(ctx.value, 10) || 0);
  const total = await countTasks(deps.db);
  const tasks = await listTasks(deps.db, { limit: LIST_PAGE_SIZE, offset });
  await ctx.reply.replace(
    deps.m.list.title(total),
    buildTaskListMessage(tasks, { offset, total }, uiOf(deps)),
  );
};

export const homePage: ActionWork = async (deps, ctx) => {
  await deps.publishHome(ctx.client, ctx.user, Math.max(0, Number.parseInt(ctx.value, 10) || 0));
};

/** Block actions inside the task modal: the cron or zone typed, the type changed, or a preset chosen. */
export const modalChange: ActionWork = async (deps, ctx) => {
  const view = ctx.body.view;
  if (!view || view.callback_id !== CALLBACK.taskModal) return;
  const action = ctx.body.actions[0];
  await refreshTaskModal(deps, ctx.client, view, {
    presetId: action?.action_id === ACTION.presetSelect ? ctx.value : undefined,
  });
};

export function register(app: App, deps: SlackDeps): void {
  const bind = (actionId: string | RegExp, work: ActionWork) => {
    const handler = makeActionHandler(deps, work);
    app.action(actionId, async (args) => handler(args as unknown as ActionArgs));
  };
  bind(ACTION.runNow, runNow);
  bind(ACTION.edit, edit);
  bind(ACTION.pauseResume, pauseResume);
  bind(ACTION.delete, remove);
  bind(ACTION.approve, approve);
  bind(ACTION.reject, reject);
  bind(ACTION.viewFullText, viewFullText);
  bind(new RegExp(`^${ACTION.fullTextPage}_(prev|next)$`), fullTextPage);
  bind(ACTION.missedRunLatest, missedRunLatest);
  bind(ACTION.missedSkip, missedSkip);
  bind(ACTION.redeliverAlert, redeliverAlert);
  bind(ACTION.useTemplate, useTemplate);
  bind(ACTION.viewExecution, viewExecution);
  bind(ACTION.retryExecution, retry);
  bind(ACTION.cancelExecution, cancel);
  bind(new RegExp(`^${ACTION.listPage}_(prev|next)$`), listPage);
  bind(new RegExp(`^${ACTION.homePage}_(prev|next)$`), homePage);
  bind(ACTION.cronInput, modalChange);
  bind(ACTION.typeSelect, modalChange);
  bind(ACTION.presetSelect, modalChange);
  bind(ACTION.timezoneInput, modalChange);
}
