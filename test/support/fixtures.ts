import { prepareTask, type TaskDraft, type TaskInput } from '../../src/domain/task.js';
import type { TaskType } from '../../src/domain/task-types.js';

/** Valid parameters for each task type (params are validated per type). */
export const VALID_PARAMS: Record<TaskType, Record<string, unknown>> = {
  backup: {},
  cleanup: { table: 'logs', timestampColumn: 'created_at', olderThanDays: 30 },
  report: {},
  notification: { query: 'low_quota', threshold: 10 },
  custom: { kind: 'sql', sql: 'select 1' },
};

export const T0 = new Date('2026-11-28T10:00:00.000Z');

let counter = 0;

/**
 * A valid task draft (a cleanup every 5 minutes in Europe/Paris), with overrides. Engine tests pass
 * `params` read by their scripted executor (`{ behaviour: 'hang' }`): those bypass the per-type
 * parameter validation, which is not what they test.
 */
export function makeDraft(overrides: Partial<TaskInput> = {}, now: Date = T0): TaskDraft {
  counter += 1;
  const { params, ...rest } = overrides;
  const type = rest.type ?? 'cleanup';
  const draft = prepareTask(
    {
      name: `task ${counter}`,
      type,
      cron: '*/5 * * * *',
      timezone: 'Europe/Paris',
      params: VALID_PARAMS[type],
      ...rest,
    },
    { now, defaultTimezone: 'Europe/Paris' },
  );
  return params === undefined ? draft : { ...draft, params };
}

/** The actor most tests act as: a plain user id (roles come from the permission checks under test). */
export const actor = { id: 'U1' };

/** One `task_executions` row written directly, for tests that need history without running anything. */
export interface ExecutionRow {
  taskId: string;
  status: string;
  trigger?: string;
  attempt?: number;
  parentExecutionId?: string | null;
  durationMs?: number | null;
  finishedAt?: Date | null;
  createdAt?: Date;
}

/** Inserts an execution row and returns its id. */
export async function insertExecution(
  pool: { query: (text: string, values: unknown[]) => Promise<{ rows: { id: string }[] }> },
  row: ExecutionRow,
): Promise<string> {
  const result = await pool.query(
    `insert into task_executions (task_id, trigger, status, attempt, parent_execution_id, duration_ms, finished_at, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
    [
      row.taskId,
      row.trigger ?? 'manual',
      row.status,
      row.attempt ?? 1,
      row.parentExecutionId ?? null,
      row.durationMs ?? null,
      row.finishedAt ?? null,
      row.createdAt ?? row.finishedAt ?? T0,
    ],
  );
  return result.rows[0]!.id;
}
