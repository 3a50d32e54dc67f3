import { formatInZone } from '../blockkit/dates.js';
import { escapeMrkdwn, truncateText } from '../blockkit/mrkdwn.js';
import { listAuditForTask } from '../store/audit.js';
import { findAuditedTasks } from '../store/audited-tasks.js';
import { buildAuditMessage } from './blocks/messages.js';
import { type SlackDeps, uiOf } from './deps.js';
import { taskLabel } from './operations.js';
import type { Replier } from './reply.js';
import { lookupTask } from './task-ref.js';

/** Entries shown by `/tasks audit`, newest first. */
export const AUDIT_ENTRIES_SHOWN = 30;

/**
 * `/tasks audit <task>`: a live task by its id or name first; otherwise the audit log's own memory of
 * tasks, so that a deleted task's history, its deletion included, is still reached by its id or by a
 * name it had. A name several tasks had is answered with their ids to ask again with; a name nobody
 * had, with the usual "did you mean".
 */
export async function answerTaskAudit(deps: SlackDeps, reply: Replier, ref: string): Promise<void> {
  const { m } = deps;
  const ui = uiOf(deps);
  const live = await lookupTask(deps.db, ref, m);
  if (live.ok) {
    const entries = await listAuditForTask(deps.db, live.task.id, AUDIT_ENTRIES_SHOWN);
    return reply.ephemeral(
      m.audit.title(taskLabel(live.task)),
      buildAuditMessage(live.task.name, entries, live.task.timezone, ui),
    );
  }
  const known = await findAuditedTasks(deps.db, ref);
  const [only] = known;
  if (!only) return reply.ephemeral(live.message);
  const zoneOf = (task: { timezone: string | null }) => task.timezone ?? deps.config.defaultTimezone;
  if (known.length > 1) {
    const listed = known
      .map((task) => {
        const deleted = task.deletedAt
          ? ` (${m.audit.deletedOn(formatInZone(task.deletedAt, zoneOf(task), deps.locale))})`
          : '';
        return `\`${task.taskId}\`${deleted}`;
      })
      .join(', ');
    return reply.ephemeral(m.audit.several(escapeMrkdwn(truncateText(ref.trim(), 80)), listed));
  }
  const entries = await listAuditForTask(deps.db, only.taskId, AUDIT_ENTRIES_SHOWN);
  const label = taskLabel(only);
  return reply.ephemeral(
    only.deletedAt ? m.audit.titleDeleted(label) : m.audit.title(label),
    buildAuditMessage(only.name, entries, zoneOf(only), ui, { deleted: only.deletedAt !== null }),
  );
}
