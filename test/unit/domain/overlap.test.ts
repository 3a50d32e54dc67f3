import { describe, expect, it } from 'vitest';
import { decideOverlap, type OverlapInput } from '../../../src/domain/overlap.js';

const run = (overrides: Partial<OverlapInput>): OverlapInput => ({
  taskId: 't1',
  trigger: 'schedule',
  overlapPolicy: 'skip',
  runningCount: 0,
  ...overrides,
});

describe('decideOverlap', () => {
  const cases: Array<[string, OverlapInput[], string[]]> = [
    ['an idle task starts', [run({})], ['start']],
    ['skip: a scheduled slot over a running one is skipped', [run({ runningCount: 1 })], ['skip']],
    ['queue: it waits', [run({ runningCount: 1, overlapPolicy: 'queue' })], ['requeue']],
    ['allow: it runs alongside', [run({ runningCount: 3, overlapPolicy: 'allow' })], ['start']],
    [
      'a manual run is never dropped, even under skip',
      [run({ runningCount: 1, trigger: 'manual' })],
      ['requeue'],
    ],
    ['nor a retry', [run({ runningCount: 1, trigger: 'retry' })], ['requeue']],
    ['nor a catch-up run', [run({ runningCount: 1, trigger: 'catchup' })], ['requeue']],
    ['an earlier start in the batch counts as running', [run({}), run({})], ['start', 'skip']],
    [
      'under queue as well',
      [run({ overlapPolicy: 'queue' }), run({ overlapPolicy: 'queue' })],
      ['start', 'requeue'],
    ],
    ['other tasks are independent', [run({}), run({ taskId: 't2' })], ['start', 'start']],
    [
      'allow starts every one of a batch',
      [run({ overlapPolicy: 'allow' }), run({ overlapPolicy: 'allow' })],
      ['start', 'start'],
    ],
  ];
  for (const [name, inputs, expected] of cases)
    it(name, () => expect(decideOverlap(inputs)).toEqual(expected));
});
