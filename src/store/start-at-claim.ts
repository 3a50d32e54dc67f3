import type { OverlapDecision, OverlapInput } from '../domain/overlap.js';
import type { OverlapPolicy } from '../domain/task-types.js';
import type { PlannedRow, TaskPlanResult } from './planned-slots.js';

/** What the decision reads of a due task, as the claim's query locked it. */
export interface ClaimedTaskState {
  approval_state: string;
  overlap_policy: OverlapPolicy;
  is_running: boolean;
  /** A retry or manual run of the task is due and waiting for it to be idle. */
  has_waiting_run: boolean;
}

/**
 * Which run slots the claim starts itself (docs/ENGINE.md, "Started at the claim"): those due by
 * `startBy` of approved tasks, in due order, that `decide` would start against the task's `is_running`
 * (an idle task's first slot; every due slot of an `allow` task). Anything else is left queued for the
 * start transaction to decide at its instant. Pure: `is_running` was read under the claim's row lock,
 * so the answer is the one the start transaction would give.
 */
export function decideStartsAtClaim(
  taskById: ReadonlyMap<string, ClaimedTaskState>,
  results: readonly TaskPlanResult[],
  startBy: Date | undefined,
  decide: ((inputs: OverlapInput[]) => OverlapDecision[]) | undefined,
): Set<PlannedRow> {
  const startNow = new Set<PlannedRow>();
  if (!startBy || !decide) return startNow;
  const candidates: PlannedRow[] = [];
  const inputs: OverlapInput[] = [];
  for (const result of results) {
    const task = taskById.get(result.taskId);
    if (task?.approval_state !== 'approved') continue;
    // Decided at its instant instead, after the waiting run had its chance to start.
    if (task.has_waiting_run && task.overlap_policy !== 'allow') continue;
    for (const row of result.rows) {
      if (row.action !== 'run' || row.scheduledFor > startBy) continue;
      candidates.push(row);
      inputs.push({
        taskId: result.taskId,
        trigger: row.trigger,
        overlapPolicy: task.overlap_policy,
        runningCount: task.is_running ? 1 : 0,
      });
    }
  }
  if (candidates.length === 0) return startNow;
  const decisions = decide(inputs);
  candidates.forEach((row, index) => {
    if (decisions[index] === 'start') startNow.add(row);
  });
  return startNow;
}
