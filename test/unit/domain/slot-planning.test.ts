import { describe, expect, it } from 'vitest';
import { parseCron } from '../../../src/domain/cron.js';
import { planSlots, type SlotPlanInput } from '../../../src/domain/slot-planning.js';

const at = (iso: string) => new Date(iso);
const base = (overrides: Partial<SlotPlanInput>): SlotPlanInput => ({
  cron: parseCron('*/5 * * * *', 'UTC'),
  nextRunAt: at('2026-11-28T10:05:00Z'),
  now: at('2026-11-28T10:05:00.010Z'),
  horizon: at('2026-11-28T10:05:01.510Z'),
  approved: true,
  misfirePolicy: 'run_once',
  misfireThresholdMs: 60_000,
  catchupWindowMs: 3_600_000,
  maxCatchupRuns: 10,
  maxSkippedRecorded: 100,
  maxOnTimeRuns: 200,
  ...overrides,
});
const summary = (input: Partial<SlotPlanInput>) => {
  const plan = planSlots(base(input));
  return {
    slots: plan.slots.map(
      (slot) =>
        `${slot.scheduledFor.toISOString().slice(11, 16)} ${slot.trigger} ${slot.action}${slot.reason ? ` ${slot.reason}` : ''}`,
    ),
    next: plan.nextRunAt?.toISOString().slice(11, 16) ?? null,
    missed: plan.missed?.missedCount ?? 0,
  };
};

describe('planSlots', () => {
  const cases: Array<[string, Partial<SlotPlanInput>, ReturnType<typeof summary>]> = [
    [
      'due now: runs once, next in 5 minutes',
      {},
      { slots: ['10:05 schedule run'], next: '10:10', missed: 0 },
    ],
    [
      'not due yet, beyond the horizon: nothing',
      { nextRunAt: at('2026-11-28T10:10:00Z') },
      { slots: [], next: '10:10', missed: 0 },
    ],
    [
      'late within the misfire threshold: still on time, runs',
      { now: at('2026-11-28T10:05:59Z'), horizon: at('2026-11-28T10:06:00Z') },
      { slots: ['10:05 schedule run'], next: '10:10', missed: 0 },
    ],
    [
      'down until 10:33, run_once: the latest missed runs once, late (catch-up), the others are skipped',
      { now: at('2026-11-28T10:33:00Z'), horizon: at('2026-11-28T10:33:01.500Z') },
      {
        slots: [
          '10:05 schedule skip misfire_skipped',
          '10:10 schedule skip misfire_skipped',
          '10:15 schedule skip misfire_skipped',
          '10:20 schedule skip misfire_skipped',
          '10:25 schedule skip misfire_skipped',
          '10:30 catchup run misfire_caught_up',
        ],
        next: '10:35',
        missed: 6,
      },
    ],
    [
      'down until an occurrence is due, run_once: that occurrence is the one run',
      { now: at('2026-11-28T10:35:00.010Z'), horizon: at('2026-11-28T10:35:01.510Z') },
      {
        slots: [
          '10:05 schedule skip misfire_skipped',
          '10:10 schedule skip misfire_skipped',
          '10:15 schedule skip misfire_skipped',
          '10:20 schedule skip misfire_skipped',
          '10:25 schedule skip misfire_skipped',
          '10:30 schedule skip misfire_skipped',
          '10:35 schedule run',
        ],
        next: '10:40',
        missed: 6,
      },
    ],
    [
      'skip: every missed occurrence is skipped, the due one runs',
      { misfirePolicy: 'skip', now: at('2026-11-28T10:15:00.010Z'), horizon: at('2026-11-28T10:15:01.510Z') },
      {
        slots: [
          '10:05 schedule skip misfire_skipped',
          '10:10 schedule skip misfire_skipped',
          '10:15 schedule run',
        ],
        next: '10:20',
        missed: 2,
      },
    ],
    [
      'not approved: the due slot is recorded, not run',
      { approved: false },
      { slots: ['10:05 schedule skip not_approved'], next: '10:10', missed: 0 },
    ],
  ];
  for (const [name, input, expected] of cases) it(name, () => expect(summary(input)).toEqual(expected));
});
