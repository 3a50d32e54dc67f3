/**
 * The vocabularies shared by the data model, the engine and the Slack surface. String-literal unions
 * (not enums) so they serialise as themselves in SQL, JSON and Block Kit values.
 */
export const TASK_TYPES = ['backup', 'cleanup', 'report', 'notification', 'custom'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export const OVERLAP_POLICIES = ['skip', 'queue', 'allow'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

export const MISFIRE_POLICIES = ['run_once', 'skip', 'run_all'] as const;
export type MisfirePolicyName = (typeof MISFIRE_POLICIES)[number];

export const APPROVAL_STATES = ['approved', 'pending', 'rejected'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

export const EXECUTION_TRIGGERS = ['schedule', 'manual', 'retry', 'catchup', 'sql'] as const;
export type ExecutionTrigger = (typeof EXECUTION_TRIGGERS)[number];

export const EXECUTION_STATUSES = [
  'queued',
  'running',
  'success',
  'failed',
  'timed_out',
  'cancelled',
  'skipped',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const TERMINAL_STATUSES = ['success', 'failed', 'timed_out', 'cancelled', 'skipped'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export function isTerminalStatus(status: ExecutionStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/**
 * Why a slot did not run (or ran differently): recorded on skipped executions and read by `/tasks why`.
 */
export const SLOT_REASONS = [
  'overlap_skipped',
  'misfire_skipped',
  'misfire_caught_up',
  'not_approved',
  'paused',
  'worker_lost',
  'dst_shifted',
  'cancelled_by_user',
] as const;
export type SlotReason = (typeof SLOT_REASONS)[number];

export const DEFAULT_TIMEOUT_SECONDS = 3600;
export const DEFAULT_MAX_RETRIES = 3;
export const MAX_RETRIES_LIMIT = 3;
export const DEFAULT_OVERDUE_GRACE_SECONDS = 300;
export const TASK_NAME_MAX_LENGTH = 80;
/** Execution logs are bounded so one chatty task cannot bloat the table; the tail is replaced by a marker. */
export const EXECUTION_LOG_MAX_BYTES = 64 * 1024;

/**
 * What a person (modal, template, seed) supplies to create or edit a task. Here, beside the types it is
 * made of, so that `templates.ts` can describe templates without importing `task.ts` (which imports them).
 */
export interface TaskInput {
  name: string;
  description?: string | undefined;
  type: TaskType;
  template?: string | null | undefined;
  params?: Record<string, unknown> | undefined;
  cron: string;
  timezone?: string | undefined;
  enabled?: boolean | undefined;
  timeoutSeconds?: number | undefined;
  maxRetries?: number | undefined;
  overlapPolicy?: OverlapPolicy | undefined;
  misfirePolicy?: MisfirePolicyName | undefined;
  overdueGraceSeconds?: number | undefined;
  alertChannel?: string | null | undefined;
  notifyOnSuccess?: boolean | undefined;
}
