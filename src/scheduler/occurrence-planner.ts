import { LRUCache } from 'lru-cache';
import { type ParsedCron, parseCron } from '../domain/cron.js';
import { type MissedSummary, planSlots } from '../domain/slot-planning.js';
import type { Logger } from '../shared/logger.js';
import type { DueTask, TaskPlanResult } from '../store/planned-slots.js';

const MAX_SKIPPED_RECORDED = 100;
/** Above the number of distinct schedules a deployment has (one per task at most). */
export const SCHEDULE_CACHE_MAX = 20_000;
const MAX_ON_TIME_RUNS = 200;

export interface MissedRuns {
  taskId: string;
  taskName: string;
  summary: MissedSummary;
}

export interface OccurrencePlanner {
  /** The parsed schedule, cached per (cron, zone); null when it no longer parses (edited by SQL). */
  parsedCron(expression: string, timezone: string): ParsedCron | null;
  /** The slots of a due task up to now + look-ahead (docs/ARCHITECTURE.md §5.1, §5.7); misses are appended. */
  planTask(task: DueTask, now: Date, missed: MissedRuns[]): TaskPlanResult;
  /** How many parsed schedules are cached (at most `scheduleCacheMax`). */
  cachedSchedules(): number;
}

/** What the claim phase decides for each due task: pure planning over a per-replica schedule cache. */
export function createOccurrencePlanner(options: {
  logger: Logger;
  planHorizonMs: number;
  misfireThresholdMs: number;
  catchupWindowSeconds: number;
  maxCatchupRuns: number;
  scheduleCacheMax?: number;
}): OccurrencePlanner {
  // Parsed schedules by (zone, expression), least recently used evicted: edited and deleted tasks'
  // schedules would otherwise stay for the life of the process. Parsing again costs ~65 µs.
  const cronCache = new LRUCache<string, { parsed: ParsedCron | null }>({
    max: options.scheduleCacheMax ?? SCHEDULE_CACHE_MAX,
  });

  const parsedCron = (expression: string, timezone: string): ParsedCron | null => {
    const key = `${timezone}\u0000${expression}`;
    let entry = cronCache.get(key);
    if (entry === undefined) {
      try {
        entry = { parsed: parseCron(expression, timezone) };
      } catch {
        entry = { parsed: null };
      }
      cronCache.set(key, entry);
    }
    return entry.parsed;
  };

  const planTask = (task: DueTask, now: Date, missed: MissedRuns[]): TaskPlanResult => {
    const cron = parsedCron(task.cron, task.timezone);
    if (!cron) {
      // A schedule that no longer parses (edited by SQL) must not stall the loop: park the task.
      options.logger.warn(
        { taskId: task.id, cron: task.cron, timezone: task.timezone },
        'task has an invalid schedule; not planning it',
      );
      return { taskId: task.id, rows: [], nextRunAt: null };
    }
    const plan = planSlots({
      cron,
      nextRunAt: task.nextRunAt,
      now,
      horizon: new Date(now.getTime() + options.planHorizonMs),
      approved: task.approvalState === 'approved',
      misfirePolicy: task.misfirePolicy,
      misfireThresholdMs: options.misfireThresholdMs,
      catchupWindowMs: options.catchupWindowSeconds * 1000,
      maxCatchupRuns: options.maxCatchupRuns,
      maxSkippedRecorded: MAX_SKIPPED_RECORDED,
      maxOnTimeRuns: MAX_ON_TIME_RUNS,
    });
    if (plan.missed) missed.push({ taskId: task.id, taskName: task.name, summary: plan.missed });
    return {
      taskId: task.id,
      nextRunAt: plan.nextRunAt,
      rows: plan.slots.map((slot) => ({
        scheduledFor: slot.scheduledFor,
        trigger: slot.trigger,
        action: slot.action,
        reason: slot.reason,
      })),
    };
  };

  return { parsedCron, planTask, cachedSchedules: () => cronCache.size };
}
