/**
 * Task status is derived, never stored (docs/ARCHITECTURE.md §5.9): it depends on the current instant, which
 * only the caller knows.
 */
export type TaskStatus = 'disabled' | 'running' | 'overdue' | 'soon' | 'scheduled';

export type ApprovalState = 'approved' | 'pending' | 'rejected';

/** A next run closer than this (strictly) makes the task "soon": one hour, in milliseconds. */
export const SOON_WINDOW_MS = 60 * 60 * 1000;

export interface TaskStatusInput {
  enabled: boolean;
  approvalState: ApprovalState;
  isRunning: boolean;
  /** When its latest run started, or starts: a run the engine recorded ahead of its instant (started at
   * the claim, docs/ENGINE.md) carries that future instant and is not shown running before it. */
  lastRunAt?: Date | null;
  /** The next planned occurrence (an instant), or null when none is planned. */
  nextRunAt: Date | null;
  /** How late (seconds) an unclaimed occurrence may be before the task counts as overdue. */
  overdueGraceSeconds: number;
}

/**
 * The status shown in the App Home and `/tasks list`, by precedence:
 *
 * 1. `disabled`: not enabled, or not approved (a pending custom task cannot run);
 * 2. `running`, once the latest run's start instant has come (a run recorded ahead of its instant is
 *    still `soon`);
 * 3. `overdue`: `nextRunAt + grace < now`, strictly (exactly at the grace limit is not yet overdue);
 * 4. `soon`: `nextRunAt - now < SOON_WINDOW_MS`, strictly, which includes a run that is already late
 *    but still within its grace period;
 * 5. `scheduled`: everything else, including an enabled task with no next run.
 *
 * @param now the caller's clock reading (database time in production).
 */
export function deriveTaskStatus(input: TaskStatusInput, now: Date): TaskStatus {
  if (!input.enabled || input.approvalState !== 'approved') return 'disabled';
  if (input.isRunning && !(input.lastRunAt && input.lastRunAt.getTime() > now.getTime())) return 'running';
  if (input.nextRunAt === null) return 'scheduled';
  const untilRunMs = input.nextRunAt.getTime() - now.getTime();
  if (untilRunMs + input.overdueGraceSeconds * 1000 < 0) return 'overdue';
  if (untilRunMs < SOON_WINDOW_MS) return 'soon';
  return 'scheduled';
}

const STATUS_EMOJI: Readonly<Record<TaskStatus, string>> = {
  disabled: ':white_circle:',
  running: ':arrows_counterclockwise:',
  overdue: ':red_circle:',
  soon: ':large_yellow_circle:',
  scheduled: ':large_green_circle:',
};

/** The Slack emoji code shown next to a status. */
export function statusEmoji(status: TaskStatus): string {
  return STATUS_EMOJI[status];
}
