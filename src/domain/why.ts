import { type DstNotice, dstNotices, nextRunsAfter, parseCron } from './cron.js';

/**
 * `/tasks why <task>`: why the last slots of a task ran or did not. Pure: the store loads
 * the task, its latest execution rows (every decided slot is a row, with a `reason` when it did not run
 * normally) and the missed-runs summaries that mention it; this turns them into verdicts the Slack
 * side words in the user's language.
 */
export interface WhyTask {
  cron: string;
  timezone: string;
  enabled: boolean;
  approvalState: 'approved' | 'pending' | 'rejected';
  rejectionReason: string | null;
  pausedBy: string | null;
  pausedAt: Date | null;
  pausedReason: string | null;
  nextRunAt: Date | null;
}

export interface WhySlotRow {
  id: string;
  trigger: string;
  scheduledFor: Date | null;
  createdAt: Date;
  status: string;
  reason: string | null;
  attempt: number;
  error: string | null;
  /** The failure's code (task_executions.error_code), when it failed. */
  errorCode: string | null;
  triggeredBy: string | null;
}

export interface WhyMissedSummary {
  /** When the summary was written (the planning after the downtime). */
  at: Date;
  policy: string;
  missedCount: number;
  firstMissedFor: Date;
  lastMissedFor: Date;
  ran: Date[];
  skippedCount: number;
}

export type WhyVerdict =
  | 'succeeded'
  | 'failed'
  | 'timed_out'
  | 'running'
  | 'queued'
  | 'overlap_skipped'
  | 'misfire_skipped'
  | 'caught_up'
  | 'not_approved'
  | 'worker_lost'
  | 'cancelled'
  | 'skipped';

export interface WhySlot {
  executionId: string;
  /** The occurrence (or the creation instant of a manual run). */
  at: Date;
  trigger: string;
  attempt: number;
  verdict: WhyVerdict;
  error: string | null;
  errorCode: string | null;
  triggeredBy: string | null;
  /** A DST remark when this occurrence fell in a gap or an overlap. */
  dst: DstNotice | null;
}

export type WhyState =
  | { kind: 'paused'; by: string | null; at: Date | null; reason: string | null }
  | { kind: 'pending_approval' }
  | { kind: 'rejected'; reason: string | null }
  | { kind: 'active'; nextRunAt: Date | null };

export interface WhyExplanation {
  state: WhyState;
  slots: WhySlot[];
  missed: WhyMissedSummary[];
  /** DST remarks on the coming runs (next 5). */
  upcomingDst: DstNotice[];
}

/** The verdict for one execution row: the reason column first, then the status. */
export function slotVerdict(row: Pick<WhySlotRow, 'status' | 'reason' | 'trigger'>): WhyVerdict {
  switch (row.reason) {
    case 'overlap_skipped':
      return 'overlap_skipped';
    case 'misfire_skipped':
      return 'misfire_skipped';
    case 'not_approved':
      return 'not_approved';
    case 'worker_lost':
      return 'worker_lost';
    case 'cancelled_by_user':
      return 'cancelled';
    default:
      break;
  }
  if ((row.reason === 'misfire_caught_up' || row.trigger === 'catchup') && row.status === 'success')
    return 'caught_up';
  switch (row.status) {
    case 'success':
      return 'succeeded';
    case 'failed':
      return 'failed';
    case 'timed_out':
      return 'timed_out';
    case 'running':
      return 'running';
    case 'queued':
      return 'queued';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'skipped';
  }
}

export function explainSlots(
  task: WhyTask,
  rows: readonly WhySlotRow[],
  missed: readonly WhyMissedSummary[],
  now: Date,
): WhyExplanation {
  let cron: ReturnType<typeof parseCron> | undefined;
  try {
    cron = parseCron(task.cron, task.timezone);
  } catch {
    cron = undefined;
  }
  // The notice, not its English sentence: the reader's language is chosen where it is shown.
  const dstFor = (at: Date | null): DstNotice | null => {
    if (!cron || !at) return null;
    return dstNotices(cron, [at])[0] ?? null;
  };
  const state: WhyState = !task.enabled
    ? { kind: 'paused', by: task.pausedBy, at: task.pausedAt, reason: task.pausedReason }
    : task.approvalState === 'pending'
      ? { kind: 'pending_approval' }
      : task.approvalState === 'rejected'
        ? { kind: 'rejected', reason: task.rejectionReason }
        : { kind: 'active', nextRunAt: task.nextRunAt };
  const slots = rows.map((row) => ({
    executionId: row.id,
    at: row.scheduledFor ?? row.createdAt,
    trigger: row.trigger,
    attempt: row.attempt,
    verdict: slotVerdict(row),
    error: row.error,
    errorCode: row.errorCode,
    triggeredBy: row.triggeredBy,
    dst: dstFor(row.scheduledFor),
  }));
  const upcomingDst = cron && task.enabled ? dstNotices(cron, nextRunsAfter(cron, now, 5)) : [];
  return { state, slots, missed: [...missed], upcomingDst };
}
