import { escapeMrkdwn, truncateText } from '../blockkit/mrkdwn.js';
import { closestMatches } from '../domain/fuzzy-match.js';
import type { Queryable } from '../store/database.js';
import type { TaskRow } from '../store/schema.js';
import { findTaskByLeadingWords, suggestTaskNames } from '../store/task-names.js';
import { findTaskByRef } from '../store/tasks.js';
import type { Messages } from './i18n/index.js';

export type TaskLookup = { ok: true; task: TaskRow; rest: string } | { ok: false; message: string };

function notFound(ref: string, names: readonly string[], m: Messages): string {
  const suggestions = closestMatches(ref, names);
  const shown = escapeMrkdwn(truncateText(ref, 80)).replace(/`/g, "'");
  return [m.taskNotFound(shown), suggestions.length > 0 ? m.didYouMean(suggestions.map(escapeMrkdwn)) : '']
    .filter(Boolean)
    .join(' ');
}

/** A task named by its id or name (case-insensitive), or a "not found / did you mean" sentence. */
export async function lookupTask(db: Queryable, ref: string, m: Messages): Promise<TaskLookup> {
  const task = await findTaskByRef(db, ref);
  if (task) return { ok: true, task, rest: '' };
  return { ok: false, message: notFound(ref, await suggestTaskNames(db, ref), m) };
}

/**
 * For `pause <task> [reason]`: the longest leading run of words that names a task (names may contain
 * spaces), the remaining words being the reason. One query, whatever the number of tasks.
 */
export async function lookupTaskPrefix(
  db: Queryable,
  words: readonly string[],
  m: Messages,
): Promise<TaskLookup> {
  const found = await findTaskByLeadingWords(db, words);
  if (found) return { ok: true, task: found.task, rest: words.slice(found.wordCount).join(' ') };
  const typed = words.join(' ');
  return { ok: false, message: notFound(typed, await suggestTaskNames(db, typed), m) };
}
