import { createBackupExecutor } from './backup.js';
import { createCleanupExecutor } from './cleanup.js';
import { createCustomExecutor } from './custom.js';
import type { ExecutorDeps } from './deps.js';
import { createNotificationExecutor } from './notification.js';
import { createReportExecutor } from './report.js';
import type { ExecutorRegistry } from './types.js';

export type { ExecutorDeps } from './deps.js';

/**
 * One executor per task type. The return type is the mapped ExecutorRegistry, so a TaskType added
 * without an executor here does not compile.
 */
export function createExecutorRegistry(deps: ExecutorDeps): ExecutorRegistry {
  return {
    backup: createBackupExecutor(deps),
    cleanup: createCleanupExecutor(deps),
    report: createReportExecutor(deps),
    notification: createNotificationExecutor(deps),
    custom: createCustomExecutor(deps),
  };
}
