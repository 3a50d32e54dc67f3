import { closestMatches } from '../domain/fuzzy-match.js';
import { escapeMrkdwn, truncateText } from '../domain/mrkdwn.js';
import type { Queryable } from '../store/database.js';
import type { TaskRow } from '../store/schema.js';
import { findTaskByRef, getTask, listTaskNames } from '../store/tasks.js';
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
  const names = (await listTaskNames(db)).map((entry) => entry.name);
  return { ok: false, message: notFound(ref, names, m) };
}

/**
 * For `pause <task> [reason]`: the longest leading run of words that names a task (names may contain
 * spaces), the remaining words being the reason. One query for all names, not one per prefix.
 */
export async function lookupTaskPrefix(
  db: Queryable,
  words: readonly string[],
  m: Messages,
): Promise<TaskLookup> {
  const entries = await listTaskNames(db);
  const byKey = new Map<string, string>();
  let longestKey = 0;
  for (const entry of entries) {
    const name = entry.name.toLowerCase();
    byKey.set(name, entry.id);
    byKey.set(entry.id.toLowerCase(), entry.id);
    longestKey = Math.max(longestKey, name.length, entry.id.length);
  }
  // Only leading runs no longer than the longest name can name a task: trying every prefix of a
  // 100 kB text would be quadratic and freeze the event loop.
  let fitting = 0;
  for (let length = -1; fitting < words.length; fitting++) {
    length += (words[fitting]?.toLowerCase().length ?? 0) + 1;
    if (length > longestKey) break;
  }
  for (let count = fitting; count >= 1; count--) {
    const id = byKey.get(words.slice(0, count).join(' ').toLowerCase());
    if (!id) continue;
    const task = await getTask(db, id);
    if (task) return { ok: true, task, rest: words.slice(count).join(' ') };
  }
  return {
    ok: false,
    message: notFound(
      words.join(' '),
      entries.map((e) => e.name),
      m,
    ),
  };
}
