/**
 * When the scheduler loop ticks next: pure, so every case is a row of a table test
 * (test/unit/scheduler/wake-time.test.ts) instead of ticks counted in real time.
 */

// How soon the loop looks again for tasks due within the look-ahead whose previous run was still in
// progress: their next slot is started at the claim once that run has ended.
export const BUSY_RECHECK_MS = 50;

export interface WakeInputs {
  nowMs: number;
  /** The earliest next_run_at / run_after of work not yet claimed (null: none known). */
  nextDueMs: number | null;
  /** The earliest deadline of a run in this process (+Infinity: none). */
  earliestDeadlineMs: number;
  pollIntervalMs: number;
  lookaheadMs: number;
  startLeadMs: number;
  /** The last plan stopped at its batch limit: more may be due now. */
  planBacklog: boolean;
  stopping: boolean;
}

/**
 * The instant to tick for the earliest due instant `nextDueMs`: a look-ahead before it. When that has
 * passed and the last tick still left it unclaimed (a task whose run is in progress is claimed when it
 * ends, at the latest within the start lead; or a run queued behind one), look again shortly — not in a
 * busy loop.
 */
export function wakeAtMs(
  input: Omit<WakeInputs, 'earliestDeadlineMs' | 'pollIntervalMs'> & { nextDueMs: number },
): number {
  const atMs = input.nextDueMs - input.lookaheadMs;
  if (atMs > input.nowMs || input.planBacklog || input.stopping) return atMs;
  return Math.max(
    input.nowMs + 1,
    Math.min(input.nextDueMs - input.startLeadMs, input.nowMs + BUSY_RECHECK_MS),
  );
}

/** How long the loop sleeps: until the due work, a run's deadline or the safety poll, whichever is first. */
export function sleepMs(input: WakeInputs): number {
  let sleep = input.pollIntervalMs;
  if (input.nextDueMs !== null)
    sleep = Math.min(sleep, Math.max(0, wakeAtMs({ ...input, nextDueMs: input.nextDueMs }) - input.nowMs));
  return Math.min(sleep, Math.max(0, input.earliestDeadlineMs - input.nowMs));
}
