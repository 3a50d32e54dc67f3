import type { SchedulerEvents } from '../scheduler/events.js';
import type { Logger } from '../shared/logger.js';

/** The scheduler's events as log lines: each finished task, each recovered run, each missed run. */
export function logSchedulerEvents(events: SchedulerEvents, logger: Logger): void {
  events.on('execution.finished', (execution) => {
    const line = {
      taskId: execution.taskId,
      executionId: execution.id,
      status: execution.status,
      durationMs: execution.durationMs,
    };
    if (execution.status === 'success') logger.info(line, `task "${execution.taskName}" succeeded`);
    else
      logger.warn(
        { ...line, error: execution.error, errorCode: execution.errorCode },
        `task "${execution.taskName}" ${execution.status.replace('_', ' ')}`,
      );
  });
  events.on('worker.lost', ({ execution, workerId }) =>
    logger.warn(
      { taskId: execution.taskId, executionId: execution.id, lostWorker: workerId },
      'recovered an execution from a lost worker',
    ),
  );
  events.on('runs.missed', ({ taskId, taskName, summary }) =>
    logger.warn(
      { taskId, missed: summary.missedCount, policy: summary.policy },
      `"${taskName}" missed runs while no scheduler was running`,
    ),
  );
}
