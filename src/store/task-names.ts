import { inArray, or, sql } from 'drizzle-orm';
import type { Queryable } from './database.js';
import { scheduledTasks, type TaskRow } from './schema.js';
import { isUuid } from './tasks.js';

/** Task names are 1 to 80 characters (scheduled_tasks_name_length); ids are 36. */
const LONGEST_REFERENCE = 80;
/** What a mistyped reference is compared on: longer input is no closer to any name. */
const SUGGESTION_INPUT_MAX = 2 * LONGEST_REFERENCE;

/**
 * Names close to a mistyped reference, best first, at most `limit`: trigram similarity above
 * pg_trgm's threshold (0.3) or containing the text, both answered by the trigram index
 * (migration 0009), so a workspace with 100,000 tasks sends a handful of rows, not all its names.
 * The caller ranks these few by edit distance (domain/fuzzy-match.ts).
 */
export async function suggestTaskNames(db: Queryable, typed: string, limit = 20): Promise<string[]> {
  const wanted = typed.trim().slice(0, SUGGESTION_INPUT_MAX).toLowerCase().replaceAll('\u0000', '');
  if (wanted === '') return [];
  const contains = `%${wanted.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const result = await db.execute<{ name: string }>(sql`
    select name
      from scheduled_tasks
     where lower(name) % ${wanted}
        or (char_length(${wanted}) >= 3 and lower(name) like ${contains})
     order by similarity(lower(name), ${wanted}) desc, lower(name)
     limit ${limit}
  `);
  return result.rows.map((row) => row.name);
}

/**
 * The task named by the longest leading run of `words` (names may contain spaces), and how many words
 * that took: `pause nightly backup too slow today` names "nightly backup". Only runs of at most 80
 * characters can name a task, so a 100 kB text costs one query with a few dozen candidates.
 */
export async function findTaskByLeadingWords(
  db: Queryable,
  words: readonly string[],
): Promise<{ task: TaskRow; wordCount: number } | undefined> {
  const candidates: string[] = [];
  let text = '';
  for (const word of words) {
    text = text === '' ? word : `${text} ${word}`;
    if (text.length > LONGEST_REFERENCE) break;
    if (!text.includes('\u0000')) candidates.push(text.toLowerCase());
  }
  if (candidates.length === 0) return undefined;
  const ids = candidates.filter(isUuid);
  const rows = await db
    .select()
    .from(scheduledTasks)
    .where(
      or(
        inArray(sql`lower(${scheduledTasks.name})`, candidates),
        ids.length > 0 ? inArray(scheduledTasks.id, ids) : undefined,
      ),
    );
  for (let count = candidates.length; count >= 1; count--) {
    const key = candidates[count - 1];
    const task = rows.find((row) => row.name.toLowerCase() === key || row.id === key);
    if (task) return { task, wordCount: count };
  }
  return undefined;
}
