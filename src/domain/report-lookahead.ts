import { type DstNotice, dstNotices, nextRunAfter, type ParsedCron, parseCron } from './cron.js';
import { findCollisions, type StaggerTask } from './stagger.js';

/**
 * The daily report's look-ahead over the next 24 h, pure: runs that fall in a DST gap or
 * overlap, minutes where several tasks start together, tasks whose recent durations approach their
 * timeout, and tasks paused for a long time. The executor loads the inputs; this decides.
 */
export interface LookaheadTask {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  /** Only approved tasks run; others are left out of DST and collision remarks. */
  approved: boolean;
  timeoutSeconds: number;
  /** Durations of the latest successful runs, newest first. */
  recentDurationsMs: readonly number[];
  pausedAt: Date | null;
  pausedBy: string | null;
  pausedReason: string | null;
}

export interface LookaheadOptions {
  windowMs: number;
  /** A task whose longest recent success exceeds this share of its timeout is reported. */
  timeoutShare: number;
  /** A paused task is reported after this long. */
  longPauseMs: number;
  /** Runs enumerated per task at most (an every-second task is bounded). */
  maxRunsPerTask: number;
}

export const DEFAULT_LOOKAHEAD: Readonly<LookaheadOptions> = {
  windowMs: 24 * 3_600_000,
  timeoutShare: 0.8,
  longPauseMs: 7 * 24 * 3_600_000,
  maxRunsPerTask: 1500,
};

export interface Lookahead {
  dst: Array<{ taskId: string; name: string } & DstNotice>;
  collisions: Array<{ minute: Date; names: string[] }>;
  nearTimeout: Array<{ taskId: string; name: string; maxMs: number; timeoutMs: number; share: number }>;
  longPaused: Array<{
    taskId: string;
    name: string;
    pausedAt: Date;
    pausedBy: string | null;
    reason: string | null;
    days: number;
  }>;
}

function runsWithin(cron: ParsedCron, from: Date, to: Date, max: number): Date[] {
  const runs: Date[] = [];
  let cursor = from;
  while (runs.length < max) {
    const next = nextRunAfter(cron, cursor);
    if (next === null || next.getTime() >= to.getTime()) break;
    runs.push(next);
    cursor = next;
  }
  return runs;
}

export function computeLookahead(
  tasks: readonly LookaheadTask[],
  now: Date,
  options: LookaheadOptions = DEFAULT_LOOKAHEAD,
): Lookahead {
  const until = new Date(now.getTime() + options.windowMs);
  const result: Lookahead = { dst: [], collisions: [], nearTimeout: [], longPaused: [] };
  const stagger: StaggerTask[] = [];
  const names = new Map<string, string>();
  for (const task of tasks) {
    names.set(task.id, task.name);
    const active = task.enabled && task.approved;
    let cron: ParsedCron | undefined;
    try {
      cron = parseCron(task.cron, task.timezone);
    } catch {
      cron = undefined; // an invalid stored schedule is reported elsewhere; nothing to look ahead at
    }
    if (cron && active) {
      stagger.push({ id: task.id, name: task.name, cron, enabled: true });
      const runs = runsWithin(cron, now, until, options.maxRunsPerTask);
      for (const notice of dstNotices(cron, runs)) {
        result.dst.push({ taskId: task.id, name: task.name, ...notice });
      }
    }
    if (active && task.recentDurationsMs.length > 0) {
      const maxMs = Math.max(...task.recentDurationsMs);
      const timeoutMs = task.timeoutSeconds * 1000;
      const share = maxMs / timeoutMs;
      if (share > options.timeoutShare) {
        result.nearTimeout.push({ taskId: task.id, name: task.name, maxMs, timeoutMs, share });
      }
    }
    if (!task.enabled && task.pausedAt && now.getTime() - task.pausedAt.getTime() > options.longPauseMs) {
      result.longPaused.push({
        taskId: task.id,
        name: task.name,
        pausedAt: task.pausedAt,
        pausedBy: task.pausedBy,
        reason: task.pausedReason,
        days: Math.floor((now.getTime() - task.pausedAt.getTime()) / 86_400_000),
      });
    }
  }
  result.collisions = findCollisions(stagger, now, until).map((collision) => ({
    minute: collision.minute,
    names: collision.taskIds.map((id) => names.get(id) ?? id),
  }));
  result.dst.sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
  result.nearTimeout.sort((a, b) => b.share - a.share);
  result.longPaused.sort((a, b) => a.pausedAt.getTime() - b.pausedAt.getTime());
  return result;
}
