import { nextRunAfter, type ParsedCron } from './cron.js';
import { collectMissedOccurrences, planMisfire } from './misfire.js';
import type { MisfirePolicyName, SlotReason } from './task-types.js';

/**
 * What to do with a task's due occurrences at one planning instant (docs/ARCHITECTURE.md §5.1, §5.7). Pure.
 *
 * An occurrence is *on time* when it is at most `misfireThresholdMs` late: it runs, however many there
 * are (an every-second task 5 s behind runs its 5 occurrences). An occurrence later than that was
 * *missed* (the scheduler was down, or saturated) and the task's misfire policy decides: run the latest
 * once, skip them all, or run each within the catch-up window. Occurrences up to `horizon` (a little
 * ahead of now) are planned too, so the engine can start them at their exact instant.
 */
export interface SlotPlanInput {
  cron: ParsedCron;
  /** The task's stored next occurrence; the plan starts here (inclusive). */
  nextRunAt: Date;
  now: Date;
  /** Plan occurrences up to this instant (inclusive); >= now. */
  horizon: Date;
  approved: boolean;
  misfirePolicy: MisfirePolicyName;
  misfireThresholdMs: number;
  catchupWindowMs: number;
  maxCatchupRuns: number;
  /** Bound on skipped occurrences written as rows (an every-second task down for a day must not write 86,400). */
  maxSkippedRecorded: number;
  /** Bound on on-time occurrences run in one plan. */
  maxOnTimeRuns: number;
}

export interface PlannedSlot {
  scheduledFor: Date;
  trigger: 'schedule' | 'catchup';
  action: 'run' | 'skip';
  reason: SlotReason | null;
}

export interface MissedSummary {
  policy: MisfirePolicyName;
  /** Missed occurrences found (a lower bound when `truncated`). */
  missedCount: number;
  truncated: boolean;
  firstMissedFor: Date;
  lastMissedFor: Date;
  ran: Date[];
  skippedCount: number;
}

export interface SlotPlan {
  slots: PlannedSlot[];
  /** The first occurrence after everything planned here; null when the schedule never fires again. */
  nextRunAt: Date | null;
  missed: MissedSummary | null;
}

const MISSED_COLLECT_LIMIT = 1000;

export function planSlots(input: SlotPlanInput): SlotPlan {
  const missedCutoffMs = input.now.getTime() - input.misfireThresholdMs;
  const slots: PlannedSlot[] = [];

  // Missed: occurrences in [nextRunAt, now - threshold).
  let missed: Date[] = [];
  let truncated = false;
  if (input.nextRunAt.getTime() < missedCutoffMs) {
    const collected = collectMissedOccurrences(
      input.cron,
      new Date(input.nextRunAt.getTime() - 1),
      new Date(missedCutoffMs - 1),
      MISSED_COLLECT_LIMIT,
    );
    missed = collected.missed;
    truncated = collected.truncated;
  }

  // On time: occurrences in [max(nextRunAt, cutoff), horizon].
  const onTime: Date[] = [];
  let cursor: Date | null =
    input.nextRunAt.getTime() >= missedCutoffMs
      ? input.nextRunAt
      : nextRunAfter(input.cron, new Date(Math.max(missedCutoffMs - 1, missed.at(-1)?.getTime() ?? 0)));
  let lastConsidered: Date | null = missed.at(-1) ?? null;
  while (cursor && cursor.getTime() <= input.horizon.getTime() && onTime.length < input.maxOnTimeRuns) {
    onTime.push(cursor);
    lastConsidered = cursor;
    cursor = nextRunAfter(input.cron, cursor);
  }
  const nextRunAt = lastConsidered ? nextRunAfter(input.cron, lastConsidered) : input.nextRunAt;

  if (!input.approved) {
    // Slots of a task awaiting approval never run; those already due are recorded as such.
    const due = [...missed, ...onTime].filter((at) => at.getTime() <= input.now.getTime());
    for (const at of due.slice(-input.maxSkippedRecorded)) {
      slots.push({ scheduledFor: at, trigger: 'schedule', action: 'skip', reason: 'not_approved' });
    }
    const upcoming = onTime.find((at) => at.getTime() > input.now.getTime());
    return { slots, nextRunAt: upcoming ?? nextRunAt, missed: null };
  }

  let summary: MissedSummary | null = null;
  if (missed.length > 0) {
    const onTimeAlreadyDue = onTime.some((at) => at.getTime() <= input.now.getTime());
    const decision =
      input.misfirePolicy === 'run_once' && onTimeAlreadyDue
        ? { run: [] as Date[], skip: missed }
        : planMisfire({
            policy: input.misfirePolicy,
            missed,
            now: input.now,
            catchupWindowMs: input.catchupWindowMs,
            maxCatchupRuns: input.maxCatchupRuns,
          });
    for (const at of decision.skip.slice(-input.maxSkippedRecorded)) {
      slots.push({ scheduledFor: at, trigger: 'schedule', action: 'skip', reason: 'misfire_skipped' });
    }
    for (const at of decision.run) {
      slots.push({ scheduledFor: at, trigger: 'catchup', action: 'run', reason: 'misfire_caught_up' });
    }
    summary = {
      policy: input.misfirePolicy,
      missedCount: missed.length,
      truncated,
      firstMissedFor: missed[0]!,
      lastMissedFor: missed.at(-1)!,
      ran: decision.run,
      skippedCount: decision.skip.length,
    };
  }
  for (const at of onTime) slots.push({ scheduledFor: at, trigger: 'schedule', action: 'run', reason: null });
  slots.sort((a, b) => a.scheduledFor.getTime() - b.scheduledFor.getTime());
  return { slots, nextRunAt, missed: summary };
}
