import type { KnownBlock } from '@slack/types';
import { formatInZone } from '../../blockkit/dates.js';
import { actions, button, context, fieldsSection, header, section } from '../../blockkit/kit.js';
import { codeBlock, escapeMrkdwn, truncateText } from '../../blockkit/mrkdwn.js';
import { describeCron } from '../../domain/cron-description.js';
import type { TaskStatus } from '../../domain/task-status.js';
import { statusEmoji } from '../../domain/task-status.js';
import { TASK_TEMPLATES, TEMPLATE_IDS } from '../../domain/templates.js';
import type { AuditRow, ExecutionRow } from '../../store/schema.js';
import { ACTION } from './ids.js';
import { deleteButton, type ExecutionSummary, executionRowBlocks } from './task-row.js';
import type { Ui } from './ui.js';

export function buildHelpMessage(ui: Ui, intro?: string): KnownBlock[] {
  const { m } = ui;
  return [
    ...(intro ? [section(intro)] : []),
    header(m.help.title),
    section(m.help.lines.join('\n')),
    context([m.help.footer]),
  ];
}

export function buildStatsMessage(
  stats: { activeTasks: number; running: number; successes24h: number; failures24h: number },
  byStatus: Readonly<Record<TaskStatus, number>>,
  ui: Ui,
): KnownBlock[] {
  const { m } = ui;
  const statuses: TaskStatus[] = ['scheduled', 'soon', 'running', 'overdue', 'disabled'];
  return [
    header(m.stats.title),
    fieldsSection([
      `*${m.stats.active}*\n${stats.activeTasks}`,
      `*${m.stats.running}*\n${stats.running}`,
      `*${m.stats.successes}*\n${stats.successes24h}`,
      `*${m.stats.failures}*\n${stats.failures24h}`,
    ]),
    section(
      `*${m.stats.byStatus}*\n${statuses.map((s) => `${statusEmoji(s)} ${m.taskStatus[s]}: ${byStatus[s]}`).join('   ')}`,
    ),
  ];
}

export function buildTemplatesMessage(ui: Ui): KnownBlock[] {
  const { m, locale } = ui;
  const blocks: KnownBlock[] = [header(m.templates.title), context([m.templates.intro])];
  for (const id of TEMPLATE_IDS) {
    const template = TASK_TEMPLATES[id];
    blocks.push(
      section(
        `*${template.name[locale]}* · \`${id}\` · ${m.modal.types[template.type] ?? template.type}\n${
          template.description[locale]
        }\n\`${template.cron}\` — ${describeCron(template.cron, locale)}`,
        { accessory: button(m.actions.useTemplate, ACTION.useTemplate, id) },
      ),
    );
  }
  return blocks;
}

/** Fields whose values differ between an audit entry's before and after. */
function changedFields(entry: AuditRow): string[] {
  if (!entry.before || !entry.after) return [];
  const keys = new Set([...Object.keys(entry.before), ...Object.keys(entry.after)]);
  return [...keys].filter(
    (key) => JSON.stringify(entry.before?.[key]) !== JSON.stringify(entry.after?.[key]),
  );
}

export function buildAuditMessage(
  taskName: string,
  entries: readonly AuditRow[],
  timezone: string,
  ui: Ui,
  options: { deleted?: boolean } = {},
): KnownBlock[] {
  const { m, locale } = ui;
  const title = options.deleted ? m.audit.titleDeleted : m.audit.title;
  const blocks: KnownBlock[] = [header(title(truncateText(taskName, 100)))];
  if (entries.length === 0) return [...blocks, section(m.audit.empty)];
  const lines = entries.map((entry) => {
    const changed = changedFields(entry);
    const detail =
      changed.length > 0
        ? ` — ${m.audit.changed(changed.map((field) => `\`${field}\``).join(', '))}`
        : entry.after && typeof entry.after.reason === 'string'
          ? ` — ${escapeMrkdwn(truncateText(entry.after.reason, 200))}`
          : '';
    const actor = /^[UW][A-Z0-9]+$/.test(entry.actor) ? `<@${entry.actor}>` : escapeMrkdwn(entry.actor);
    return `${formatInZone(entry.createdAt, timezone, locale)} · ${actor} · \`${entry.action}\`${detail}`;
  });
  // One section per 10 lines keeps each far below 3000 characters.
  for (let index = 0; index < lines.length && blocks.length < 45; index += 10) {
    blocks.push(section(lines.slice(index, index + 10).join('\n')));
  }
  return blocks;
}

export function buildHistoryMessage(
  taskName: string,
  timezone: string,
  executions: readonly ExecutionSummary[],
  ui: Ui,
): KnownBlock[] {
  const { m } = ui;
  if (executions.length === 0) return [section(m.history.empty(escapeMrkdwn(taskName)))];
  const blocks: KnownBlock[] = [header(m.history.title(truncateText(taskName, 100)))];
  for (const execution of executions.slice(0, 20)) {
    blocks.push(...executionRowBlocks(execution, undefined, timezone, ui, { logTail: true }));
  }
  return blocks;
}

/** Characters of logs shown in a message or modal section (a section holds 3000 with the fences). */
export const LOG_EXCERPT_CHARS = 2500;

/**
 * The tail of `logs` that fits in one section, and a note when it was cut. A running execution's logs
 * are stored when it ends (scheduler/execution-runner.ts): until then it says so, not "no output".
 */
export function logExcerpt(
  logs: string,
  ui: Ui,
  status?: string,
): { text: string; note: string | undefined } {
  if (logs.trim() === '') {
    return { text: status === 'running' ? ui.m.logs.whileRunning : ui.m.logs.empty, note: undefined };
  }
  // Escaping can lengthen the text (& → &amp;): cut after escaping, keeping the end of the logs.
  const escapedLength = codeBlock(logs).length;
  if (escapedLength <= LOG_EXCERPT_CHARS) return { text: codeBlock(logs), note: undefined };
  let tail = logs.slice(-LOG_EXCERPT_CHARS);
  while (codeBlock(tail).length > LOG_EXCERPT_CHARS) tail = tail.slice(Math.ceil(tail.length / 10));
  return { text: codeBlock(tail), note: ui.m.logs.truncated(tail.length, logs.length) };
}

export function buildLogsMessage(
  taskName: string,
  timezone: string,
  execution: ExecutionRow,
  ui: Ui,
): KnownBlock[] {
  const excerpt = logExcerpt(execution.logs, ui, execution.status);
  return [
    header(ui.m.logs.header(truncateText(taskName, 100))),
    ...executionRowBlocks(execution, undefined, timezone, ui),
    section(excerpt.text),
    ...(excerpt.note ? [context([excerpt.note])] : []),
  ];
}

export function buildDeletePrompt(task: { id: string; name: string }, ui: Ui): KnownBlock[] {
  return [
    section(ui.m.deleteModal.text(escapeMrkdwn(task.name))),
    actions([deleteButton(task, ui)], 'delete_prompt'),
  ];
}

export function noticeBlocks(text: string): KnownBlock[] {
  return [section(text)];
}
