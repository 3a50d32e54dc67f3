import { eq, sql } from 'drizzle-orm';
import { prepareTask } from '../domain/task.js';
import { validateTaskParams } from '../domain/task-params.js';
import { type SystemTaskOptions, systemTaskDefinitions } from '../domain/templates.js';
import { isAppError } from '../shared/errors.js';
import type { Queryable } from './database.js';
import { scheduledTasks } from './schema.js';
import { createTask } from './tasks.js';

/** Arbitrary constant shared by every replica (next to the migration lock's 727_274_001). */
const SYSTEM_TASKS_LOCK_KEY = 727_274_002;
const SYSTEM_ACTOR = { id: 'system' };

export interface EnsureSystemTasksOptions extends SystemTaskOptions {
  /** Instant the first occurrences are computed after (the clock's now at start). */
  now: Date;
}

export interface EnsureSystemTasksResult {
  /** Names of the tasks this call created. */
  created: string[];
  /** Keys of the system tasks that already existed. */
  existing: string[];
}

/**
 * Creates the missing system tasks (docs/ARCHITECTURE.md §6), marked `is_system`, approved. Idempotent, and safe
 * when several replicas start at once: the whole check-then-insert runs under a transaction-scoped
 * advisory lock, so the second replica waits, then finds the first one's rows and creates nothing.
 *
 * A system task is recognised by its key in `template` (people may rename it, and its name is then free
 * for a user task); when a user task already holds the default name, the system task is created as
 * "<name> (system)" rather than failing the start.
 */
export async function ensureSystemTasks(
  db: Queryable,
  options: EnsureSystemTasksOptions,
): Promise<EnsureSystemTasksResult> {
  const definitions = systemTaskDefinitions(options);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SYSTEM_TASKS_LOCK_KEY})`);
    const present = await tx
      .select({ template: scheduledTasks.template })
      .from(scheduledTasks)
      .where(eq(scheduledTasks.isSystem, true));
    const presentKeys = new Set(present.map((row) => row.template));
    const result: EnsureSystemTasksResult = { created: [], existing: [] };
    for (const definition of definitions) {
      if (presentKeys.has(definition.key)) {
        result.existing.push(definition.key);
        continue;
      }
      const checked = validateTaskParams(definition.input.type, definition.key, definition.input.params);
      if (!checked.ok)
        throw new Error(
          `system task ${definition.key} has invalid params: ${JSON.stringify(checked.errors)}`,
        );
      const input = { ...definition.input, params: checked.params };
      const prepare = (name: string) =>
        prepareTask({ ...input, name }, { now: options.now, defaultTimezone: options.defaultTimezone });
      try {
        const row = await createTask(tx, prepare(input.name), {
          actor: SYSTEM_ACTOR,
          now: options.now,
          isSystem: true,
        });
        result.created.push(row.name);
      } catch (error) {
        if (!isAppError(error, 'duplicate_task_name')) throw error;
        const suffix = options.locale === 'fr' ? ' (système)' : ' (system)';
        const row = await createTask(tx, prepare(`${input.name}${suffix}`), {
          actor: SYSTEM_ACTOR,
          now: options.now,
          isSystem: true,
        });
        result.created.push(row.name);
      }
    }
    return result;
  });
}
