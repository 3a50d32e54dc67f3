import type { ExecutionTrigger, OverlapPolicy } from './task-types.js';

export interface OverlapInput {
  taskId: string;
  trigger: ExecutionTrigger;
  overlapPolicy: OverlapPolicy;
  /** Executions of the task running before this batch starts. */
  runningCount: number;
}

export type OverlapDecision = 'start' | 'skip' | 'requeue';

/**
 * docs/ARCHITECTURE.md §5.6: what to do with executions about to start while earlier ones of the same task run.
 * Inputs are in start order; an execution started earlier in the batch counts as running for the next.
 *
 * - scheduled occurrences: `skip` records the slot as skipped, `queue` waits for the running one to end,
 *   `allow` runs concurrently;
 * - catch-up, manual, SQL and retry runs are never dropped (the misfire policy chose them, someone asked
 *   for them, or a failure needs another attempt): they wait for the running one unless the task allows
 *   concurrent runs.
 */
export function decideOverlap(inputs: readonly OverlapInput[]): OverlapDecision[] {
  const running = new Map<string, number>();
  return inputs.map((input) => {
    const current = running.get(input.taskId) ?? input.runningCount;
    let decision: OverlapDecision;
    if (current === 0 || input.overlapPolicy === 'allow') decision = 'start';
    else if (input.trigger === 'schedule') decision = input.overlapPolicy === 'skip' ? 'skip' : 'requeue';
    else decision = 'requeue';
    if (decision === 'start') running.set(input.taskId, current + 1);
    else running.set(input.taskId, current);
    return decision;
  });
}
