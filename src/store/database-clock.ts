import type pg from 'pg';
import { type Clock, realTimer } from '../shared/clock.js';

/**
 * docs/ARCHITECTURE.md §5.2: the database's clock is the reference for due-ness and leases, so replicas with
 * skewed clocks agree. We measure the offset between local time and `now()` (clock_timestamp()),
 * correcting for half the round trip, and re-measure periodically.
 */
export interface DatabaseClock extends Clock {
  /** Local minus database, in ms, from the latest measurement. */
  offsetMs(): number;
  /** Measures again; returns the new offset. */
  resync(): Promise<number>;
}

export async function createDatabaseClock(
  pool: pg.Pool,
  local: { nowMs(): number } = { nowMs: () => Date.now() },
): Promise<DatabaseClock> {
  let offset = 0;
  const measure = async (): Promise<number> => {
    let best: { rtt: number; offset: number } | undefined;
    // Take the sample with the shortest round trip of a few: it bounds the error best.
    for (let i = 0; i < 3; i++) {
      const before = local.nowMs();
      const result = await pool.query<{ ms: number }>(
        'select (extract(epoch from clock_timestamp()) * 1000)::float8 as ms',
      );
      const after = local.nowMs();
      const dbMs = Number(result.rows[0]?.ms);
      const rtt = after - before;
      const sample = { rtt, offset: dbMs - (before + rtt / 2) };
      if (!best || sample.rtt < best.rtt) best = sample;
    }
    offset = best ? best.offset : 0;
    return offset;
  };
  await measure();
  return {
    after: realTimer,
    nowMs: () => local.nowMs() + offset,
    now: () => new Date(local.nowMs() + offset),
    offsetMs: () => -offset,
    resync: async () => -(await measure()),
  };
}
