// Who looks at their App Home, shared by every replica: a change made through one replica republishes
// the homes opened through any of them.
import { sql } from 'drizzle-orm';
import type { Queryable } from './database.js';

export interface HomeViewer {
  userId: string;
  /** The page (task offset) they were looking at. */
  offset: number;
}

/** Records that `userId` is looking at their App Home, at page `offset`. */
export async function rememberHomeViewer(db: Queryable, viewer: HomeViewer, now: Date): Promise<void> {
  await db.execute(sql`
    insert into app_home_viewers (user_id, page_offset, opened_at)
    values (${viewer.userId}, ${viewer.offset}, ${now})
    on conflict (user_id) do update set page_offset = excluded.page_offset, opened_at = excluded.opened_at
  `);
}

/** The most recent viewers since `since`, newest first, at most `limit`. */
export async function listRecentHomeViewers(
  db: Queryable,
  options: { since: Date; limit: number },
): Promise<HomeViewer[]> {
  const result = await db.execute<{ user_id: string; page_offset: number }>(sql`
    select user_id, page_offset from app_home_viewers
     where opened_at >= ${options.since}
     order by opened_at desc
     limit ${options.limit}
  `);
  return result.rows.map((row) => ({ userId: row.user_id, offset: Number(row.page_offset) }));
}
