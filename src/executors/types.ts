import type { OverlapPolicy, TaskType } from '../domain/task-types.js';

/**
 * The contract between the engine and the task types. The engine owns the execution row, the timeout
 * and the retries; an executor only does the work, honours `signal`, logs through `log`, and returns a
 * structured result. One file per type under executors/; the registry type below makes the compiler
 * refuse a TaskType without an executor.
 */
export interface ExecutionContext {
  readonly task: {
    readonly id: string;
    readonly name: string;
    readonly type: TaskType;
    readonly template: string | null;
    readonly params: Readonly<Record<string, unknown>>;
    readonly timeoutSeconds: number;
    /** Whether another run of this task may be running at the same time (`allow`) or not. */
    readonly overlapPolicy: OverlapPolicy;
    readonly alertChannel: string | null;
  };
  readonly execution: {
    readonly id: string;
    readonly attempt: number;
    readonly trigger: string;
    /** The occurrence this run is for (null for manual runs). */
    readonly scheduledFor: Date | null;
  };
  /** Aborted on timeout, cancellation or shutdown: stop work, cancel SQL, kill children. */
  readonly signal: AbortSignal;
  /** When the engine times the run out (start + the task's timeout); SQL timeouts are bounded by it. */
  readonly deadline?: Date;
  /** Lines land (bounded) in task_executions.logs. */
  readonly log: ExecutionLog;
  /** The injected clock (database time in production). */
  now(): Date;
}

export interface ExecutionLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A message an executor asks to post (report, notification); delivered through the outbox. */
export interface OutboundMessage {
  /** Channel id; null means the task's alert channel or ALERT_CHANNEL. */
  channel: string | null;
  text: string;
  blocks?: readonly Record<string, unknown>[];
  /** Optional CSV attachment (report). */
  file?: { filename: string; content: string; title?: string };
}

export interface ExecutionResult {
  /** One line for humans: "deleted 1,204 rows from logs". */
  summary: string;
  /** Structured figures stored in task_executions.result (rows affected, file, bytes…). */
  data: Record<string, unknown>;
  messages?: OutboundMessage[];
}

export type Executor = (context: ExecutionContext) => Promise<ExecutionResult>;

/** Adding a TaskType without an executor is a compile error here. */
export type ExecutorRegistry = { readonly [K in TaskType]: Executor };
