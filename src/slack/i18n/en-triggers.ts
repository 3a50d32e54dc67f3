import type { ExecutionTrigger } from '../../domain/task-types.js';

/** What started an execution, as the execution modal shows it (the stored value is the key). */
export const enTriggers: Readonly<Record<ExecutionTrigger, string>> = {
  schedule: 'schedule',
  manual: 'manual',
  retry: 'retry',
  catchup: 'catch-up',
  sql: 'sql',
};
