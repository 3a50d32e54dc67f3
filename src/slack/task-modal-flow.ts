import type { ModalView } from '@slack/types';
import { isTemplateId, TASK_TEMPLATES } from '../domain/templates.js';
import { needsSecondApproval, runsUserSql } from '../domain/user-code.js';
import { isAppError, toError } from '../shared/errors.js';
import { supersedeApprovalCards } from '../store/approvals.js';
import { enqueueOutboxWith } from '../store/outbox.js';
import type { TaskRow } from '../store/schema.js';
import { listScheduleSummaries } from '../store/slack-queries.js';
import { createTask, getTask, updateTask } from '../store/tasks.js';
import { approvalRequestEntry } from './approval-request.js';
import { BLOCK, paramBlockId } from './blocks/ids.js';
import { buildTaskModal, CRON_PRESETS } from './blocks/task-modal.js';
import { buildCronPreview } from './cron-preview.js';
import { type SlackClient, type SlackDeps, uiOf } from './deps.js';
import {
  keepReadOnlyParams,
  mayBeTruncated,
  mayHaveReadOnlyParams,
  truncationErrors,
} from './long-text-fields.js';
import { nextRunDstWarning } from './next-run-dst.js';
import { forbiddenMessage, taskLabel } from './operations.js';
import type { Replier } from './reply.js';
import {
  decodeMeta,
  formFromTask,
  newForm,
  readTaskForm,
  type StateValues,
  type TaskForm,
  type TaskModalMeta,
  validateTaskForm,
} from './task-form.js';

/**
 * The create/edit modal's life: open (from a command, a template or a task row), live updates while the
 * user types the cron or changes the type or frequency preset (views.update), and submission.
 */

/**
 * How long a submission may wait for the database before acknowledging: Slack drops the request after
 * 3 s, and field errors (duplicate name, version conflict) can only be shown in the acknowledgement.
 * One indexed write normally takes milliseconds; past this budget the modal closes and the outcome is
 * sent as a message instead.
 */
export const SAVE_BUDGET_MS = 2000;

export async function renderTaskModal(
  deps: SlackDeps,
  form: TaskForm,
  meta: TaskModalMeta,
): Promise<ModalView> {
  const others = await listScheduleSummaries(deps.db);
  const ui = uiOf(deps);
  const preview = buildCronPreview(
    { cron: form.cron, timezone: form.timezone, taskId: meta.t, others, now: ui.now },
    deps.m,
    deps.locale,
  );
  return buildTaskModal(form, { ...meta, tp: form.template, ty: form.type }, preview, ui);
}

export async function openCreateModal(
  deps: SlackDeps,
  client: SlackClient,
  triggerId: string,
  options: { template?: string | undefined; channelId?: string | undefined },
): Promise<void> {
  const template = options.template && isTemplateId(options.template) ? options.template : undefined;
  const form = newForm(template, deps.config.defaultTimezone, deps.locale);
  const view = await renderTaskModal(deps, form, {
    r: 0,
    ...(options.channelId ? { c: options.channelId } : {}),
  });
  await client.views.open({ trigger_id: triggerId, view });
}

export async function openEditModal(
  deps: SlackDeps,
  client: SlackClient,
  triggerId: string,
  task: TaskRow,
  channelId: string | undefined,
): Promise<void> {
  const view = await renderTaskModal(deps, formFromTask(task), {
    t: task.id,
    v: task.version,
    r: 0,
    ...(channelId ? { c: channelId } : {}),
  });
  await client.views.open({ trigger_id: triggerId, view });
}

/** The view fields Slack sends back with block_actions and view_submission. */
export interface ViewPayload {
  id: string;
  hash?: string;
  private_metadata: string;
  state: { values: StateValues };
}

function currentForm(deps: SlackDeps, view: ViewPayload): { form: TaskForm; meta: TaskModalMeta } {
  const meta = decodeMeta(view.private_metadata);
  const blank = newForm(undefined, deps.config.defaultTimezone, deps.locale);
  const fallback: TaskForm = { ...blank, type: meta.ty ?? blank.type, template: meta.tp ?? null, params: {} };
  const form = readTaskForm(view.state.values, fallback);
  if (form.type !== fallback.type) {
    // A new type: its parameters start from the template's when the template makes that type.
    const template = form.template && isTemplateId(form.template) ? TASK_TEMPLATES[form.template] : undefined;
    if (template && template.type === form.type) form.params = { ...template.params };
    else if (!form.template?.startsWith('system:')) form.template = null;
  }
  return { form, meta };
}

/**
 * Text parameters too long for an input are shown read-only and absent from the view's state: they get
 * their stored value back. Returns errors for a text submitted at the input's limit that is a cut copy
 * of a longer stored one (long-text-fields.ts). Reads the task only when the view may carry either.
 */
async function reconcileLongTexts(
  deps: SlackDeps,
  form: TaskForm,
  meta: TaskModalMeta,
  values: StateValues,
): Promise<Record<string, string>> {
  if (!meta.t) return {};
  const readOnly = form.type === meta.ty && mayHaveReadOnlyParams(form, values);
  if (!readOnly && !mayBeTruncated(form.type, values)) return {};
  const stored = await getTask(deps.db, meta.t);
  if (!stored) return {};
  keepReadOnlyParams(form, values, stored, meta.ty);
  return truncationErrors(form.type, values, stored, deps.m);
}

/** Re-renders the modal after a block action: the cron typed, the type changed, or a preset chosen. */
export async function refreshTaskModal(
  deps: SlackDeps,
  client: SlackClient,
  view: ViewPayload,
  change: { presetId?: string | undefined },
): Promise<void> {
  const { form, meta } = currentForm(deps, view);
  await reconcileLongTexts(deps, form, meta, view.state.values);
  let nextMeta = meta;
  const preset = CRON_PRESETS.find((candidate) => candidate.id === change.presetId);
  if (preset) {
    form.cron = preset.cron;
    // A new cron block id, or Slack would keep showing what was typed before.
    nextMeta = { ...meta, r: meta.r + 1 };
  }
  const rendered = await renderTaskModal(deps, form, nextMeta);
  try {
    await client.views.update({
      view_id: view.id,
      ...(view.hash ? { hash: view.hash } : {}),
      view: rendered,
    });
  } catch (error) {
    // hash_conflict: the user typed again meanwhile; the next keystroke brings a fresher update.
    deps.logger.debug({ err: toError(error) }, 'task modal update skipped');
  }
}

export type SubmitAck = (response?: {
  response_action: 'errors';
  errors: Record<string, string>;
}) => Promise<void>;

type SaveResult =
  | { kind: 'saved'; task: TaskRow; created: boolean }
  | { kind: 'errors'; errors: Record<string, string> }
  | { kind: 'forbidden'; text: string };

/**
 * Validates and saves a submitted task modal. Invalid input is acknowledged with errors per block and
 * nothing is stored; a concurrent edit (optimistic version) or a duplicate name comes back as an error
 * on the name field.
 *
 * Stays whole: the submission's steps (check, save, answer) share the view's metadata and the errors.
 */
export async function submitTaskModal(
  deps: SlackDeps,
  view: ViewPayload,
  userId: string,
  ack: SubmitAck,
  reply: (channelId: string | undefined) => Replier,
): Promise<void> {
  const { form, meta } = currentForm(deps, view);
  const cut = await reconcileLongTexts(deps, form, meta, view.state.values);
  if (Object.keys(cut).length > 0) {
    await ack({ response_action: 'errors', errors: cut });
    return;
  }
  const now = deps.clock.now();
  const validation = validateTaskForm(form, {
    now,
    defaultTimezone: deps.config.defaultTimezone,
    cronRevision: meta.r,
    m: deps.m,
    locale: deps.locale,
  });
  if (!validation.ok) {
    await ack({ response_action: 'errors', errors: validation.errors });
    return;
  }
  const draft = validation.draft;
  if (!deps.userSqlAvailable && runsUserSql(draft.type, draft.params)) {
    await ack({
      response_action: 'errors',
      errors: { [paramBlockId(draft.type, 'sql')]: deps.m.modal.userSqlUnavailable },
    });
    return;
  }
  const save = async (): Promise<SaveResult> => {
    const forbidden = await forbiddenMessage(deps, userId, meta.t ? 'edit' : 'create');
    if (forbidden) return { kind: 'forbidden', text: forbidden };
    // A task running code a person wrote (SQL, a script) waits for another admin's approval of exactly
    // the version saved here; any save of it asks again (docs/SECURITY.md).
    const approvalState = needsSecondApproval(draft.type, draft.params) ? 'pending' : 'approved';
    try {
      // One transaction: the task, the approval card of a version now pending, and the older cards
      // marked superseded (re-rendered in place without buttons).
      return await deps.db.transaction(async (tx) => {
        const task = meta.t
          ? await updateTask(tx, meta.t, draft, {
              actor: { id: userId },
              now,
              expectedVersion: meta.v ?? -1,
              approvalState,
            })
          : await createTask(tx, draft, { actor: { id: userId }, now, approvalState });
        const request =
          task.approvalState === 'pending' ? approvalRequestEntry(task, userId, Boolean(meta.t)) : null;
        if (meta.t) {
          await supersedeApprovalCards(tx, {
            taskId: task.id,
            keepKey: request?.dedupeKey ?? null,
            version: task.version,
            now,
          });
        }
        if (request) await enqueueOutboxWith(tx, [request], now);
        return { kind: 'saved' as const, task, created: !meta.t };
      });
    } catch (error) {
      if (isAppError(error, 'version_conflict') && meta.t) {
        const current = await getTask(deps.db, meta.t);
        return { kind: 'errors', errors: { [BLOCK.name]: deps.m.modal.conflict(current?.updatedBy ?? '?') } };
      }
      if (isAppError(error, 'duplicate_task_name')) {
        return { kind: 'errors', errors: { [BLOCK.name]: deps.m.modal.duplicateName } };
      }
      if (isAppError(error, 'system_task'))
        return { kind: 'errors', errors: { [BLOCK.type]: error.message } };
      if (isAppError(error, 'task_not_found')) {
        return { kind: 'errors', errors: { [BLOCK.name]: deps.m.taskNotFound(taskLabel(draft)) } };
      }
      throw error;
    }
  };
  const saving = save();
  const timedOut = Symbol('timed out');
  let timer: NodeJS.Timeout | undefined;
  const first = await Promise.race([
    saving,
    new Promise<typeof timedOut>((resolve) => {
      timer = setTimeout(() => resolve(timedOut), SAVE_BUDGET_MS);
    }),
  ]).finally(() => clearTimeout(timer));
  if (first === timedOut) {
    await ack();
    await reply(undefined).ephemeral(deps.m.modal.saveTimeout);
    await announceSave(deps, await saving, userId, meta, reply);
    return;
  }
  if (first.kind === 'errors') {
    await ack({ response_action: 'errors', errors: first.errors });
    return;
  }
  await ack();
  await announceSave(deps, first, userId, meta, reply);
}

async function announceSave(
  deps: SlackDeps,
  result: SaveResult,
  userId: string,
  meta: TaskModalMeta,
  reply: (channelId: string | undefined) => Replier,
): Promise<void> {
  const replier = reply(meta.c);
  if (result.kind === 'forbidden') return replier.ephemeral(result.text);
  if (result.kind === 'errors') return replier.ephemeral(Object.values(result.errors).join(' '));
  const label = taskLabel(result.task);
  const pending = result.task.approvalState === 'pending';
  const text = !result.created
    ? pending
      ? deps.m.updatedPending(userId, label)
      : deps.m.updated(userId, label)
    : pending
      ? deps.m.createdPending(userId, label)
      : deps.m.created(userId, label);
  deps.track(deps.republishHomes());
  const dst = nextRunDstWarning(result.task, deps.clock.now(), deps.m, deps.locale);
  await replier.announce(dst ? `${text}\n${dst}` : text);
}
