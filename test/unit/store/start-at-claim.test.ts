import { describe, expect, it } from 'vitest';
import { decideOverlap } from '../../../src/domain/overlap.js';
import type { OverlapPolicy } from '../../../src/domain/task-types.js';
import type { PlannedRow, TaskPlanResult } from '../../../src/store/planned-slots.js';
import { type ClaimedTaskState, decideStartsAtClaim } from '../../../src/store/start-at-claim.js';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 9, 0, second));
const run = (second: number): PlannedRow => ({
  scheduledFor: at(second),
  trigger: 'schedule',
  action: 'run',
  reason: null,
});
const task = (overlap: OverlapPolicy, state: Partial<ClaimedTaskState> = {}): ClaimedTaskState => ({
  approval_state: 'approved',
  overlap_policy: overlap,
  is_running: false,
  has_waiting_run: false,
  ...state,
});
const plan = (taskId: string, rows: PlannedRow[]): TaskPlanResult => ({ taskId, rows, nextRunAt: null });

describe('decideStartsAtClaim', () => {
  it('starts nothing without startBy or a decision', () => {
    const rows = [run(0)];
    const tasks = new Map([['a', task('skip')]]);
    expect(decideStartsAtClaim(tasks, [plan('a', rows)], undefined, decideOverlap).size).toBe(0);
    expect(decideStartsAtClaim(tasks, [plan('a', rows)], at(5), undefined).size).toBe(0);
  });

  it("starts an idle task's first slot due by startBy, and leaves later and skipped slots queued", () => {
    const first = run(0);
    const second = run(1);
    const late = run(10);
    const skipped: PlannedRow = { ...run(2), action: 'skip', reason: 'overlap_skipped' };
    const started = decideStartsAtClaim(
      new Map([['a', task('queue')]]),
      [plan('a', [first, skipped, second, late])],
      at(5),
      decideOverlap,
    );
    expect([...started]).toEqual([first]);
  });

  it('starts every due slot of an allow task, even while it runs', () => {
    const rows = [run(0), run(1)];
    const started = decideStartsAtClaim(
      new Map([['a', task('allow', { is_running: true, has_waiting_run: true })]]),
      [plan('a', rows)],
      at(5),
      decideOverlap,
    );
    expect([...started]).toEqual(rows);
  });

  it('leaves to the start transaction a running task, an unapproved one, and one with a run waiting', () => {
    const started = decideStartsAtClaim(
      new Map([
        ['busy', task('skip', { is_running: true })],
        ['pending', task('skip', { approval_state: 'pending' })],
        ['waiting', task('queue', { has_waiting_run: true })],
      ]),
      [
        plan('busy', [run(0)]),
        plan('pending', [run(0)]),
        plan('waiting', [run(0)]),
        plan('unknown', [run(0)]),
      ],
      at(5),
      decideOverlap,
    );
    expect(started.size).toBe(0);
  });
});
