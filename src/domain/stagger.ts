import { nextRunAfter, type ParsedCron } from './cron.js';

/**
 * Stagger analysis: the maintenance guide's advice is not to start many tasks in the same minute
 * (they compete for the same database). Collisions are counted per UTC minute.
 */
export interface StaggerTask {
  id: string;
  name: string;
  cron: ParsedCron;
  enabled: boolean;
}

export interface MinuteCollision {
  /** Start of the UTC minute. */
  minute: Date;
  /** Ids of the enabled tasks with a run in that minute, in input order. */
  taskIds: string[];
}

/**
 * At most this many distinct minutes are enumerated per task and window. A task running every
 * minute or every second occupies every minute, and 1,500 minutes cover a full day of it (1,440),
 * so a one-day window is exact; longer windows are truncated for such tasks only, which bounds the
 * work to 1,500 nextRunAfter calls per task whatever the schedule.
 */
export const MAX_MINUTES_PER_TASK = 1_500;

const MINUTE_MS = 60_000;

/** Distinct UTC minute starts (ms, ascending) in which `cron` runs within [fromMs, toMs). */
function busyMinutes(cron: ParsedCron, fromMs: number, toMs: number): number[] {
  const minutes: number[] = [];
  let cursor = fromMs - 1;
  while (minutes.length < MAX_MINUTES_PER_TASK) {
    const run = nextRunAfter(cron, new Date(cursor));
    if (run === null || run.getTime() >= toMs) break;
    const minute = Math.floor(run.getTime() / MINUTE_MS) * MINUTE_MS;
    minutes.push(minute);
    // Skip the rest of that minute: an every-second task costs one call per minute, not sixty.
    cursor = minute + MINUTE_MS - 1;
  }
  return minutes;
}

function enabledOnce(tasks: readonly StaggerTask[]): StaggerTask[] {
  const seen = new Set<string>();
  return tasks.filter((task) => {
    if (!task.enabled || seen.has(task.id)) return false;
    seen.add(task.id);
    return true;
  });
}

/**
 * UTC minutes in [from, to) in which two or more enabled tasks run, ascending. Disabled tasks are
 * ignored and a task listed twice counts once. Work: at most {@link MAX_MINUTES_PER_TASK} minutes
 * per task.
 */
export function findCollisions(tasks: readonly StaggerTask[], from: Date, to: Date): MinuteCollision[] {
  const byMinute = new Map<number, string[]>();
  for (const task of enabledOnce(tasks)) {
    for (const minute of busyMinutes(task.cron, from.getTime(), to.getTime())) {
      const ids = byMinute.get(minute);
      if (ids === undefined) byMinute.set(minute, [task.id]);
      else ids.push(task.id);
    }
  }
  return [...byMinute]
    .filter(([, ids]) => ids.length >= 2)
    .sort(([a], [b]) => a - b)
    .map(([minute, taskIds]) => ({ minute: new Date(minute), taskIds }));
}

export interface FreeMinuteSuggestion {
  /** Minutes to add to the candidate's minute field (0 when it is already free). */
  minuteOffset: number;
  /** The candidate's expression with the minute field rewritten. */
  expression: string;
}

/** How far from the requested minute a suggestion may move, in minutes, either way. */
const MAX_SUGGESTION_OFFSET = 30;

/**
 * For a fixed-minute candidate (its minute field is a single number: `0 3 * * *`, `0 15 3 * * *`),
 * the nearest minute in the same hour(s) whose runs collide with no enabled task of `others` during
 * [from, from + horizonMs). Tries the candidate's own minute first (offset 0: nothing to change),
 * then +1, −1, +2, −2… up to ±30, staying within 0–59 so that the hour field keeps its meaning.
 * Leave the edited task itself out of `others`, or it collides with its own old schedule.
 *
 * @returns null when the minute field is not a single number or no minute within ±30 is free.
 */
export function suggestFreeMinute(
  candidate: ParsedCron,
  others: readonly StaggerTask[],
  from: Date,
  horizonMs: number,
): FreeMinuteSuggestion | null {
  const fields = candidate.expression.split(' ');
  const minuteIndex = candidate.hasSeconds ? 1 : 0;
  const minuteField = fields[minuteIndex];
  if (minuteField === undefined || !/^\d+$/.test(minuteField)) return null;
  const requested = Number(minuteField);
  const fromMs = from.getTime();
  const toMs = fromMs + horizonMs;
  const busy = new Set<number>();
  for (const task of enabledOnce(others)) {
    for (const minute of busyMinutes(task.cron, fromMs, toMs)) busy.add(minute);
  }
  for (let distance = 0; distance <= MAX_SUGGESTION_OFFSET; distance++) {
    for (const minuteOffset of distance === 0 ? [0] : [distance, -distance]) {
      const minute = requested + minuteOffset;
      if (minute < 0 || minute > 59) continue;
      const rewritten = fields.map((field, index) => (index === minuteIndex ? String(minute) : field));
      const expression = rewritten.join(' ');
      const runs = busyMinutes({ ...candidate, expression }, fromMs, toMs);
      if (runs.every((run) => !busy.has(run))) return { minuteOffset, expression };
    }
  }
  return null;
}
