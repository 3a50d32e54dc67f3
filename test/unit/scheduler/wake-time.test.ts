import { describe, expect, it } from 'vitest';
import { BUSY_RECHECK_MS, sleepMs, type WakeInputs, wakeAtMs } from '../../../src/scheduler/wake-time.js';

const NOW = 1_000_000;
const base: WakeInputs = {
  nowMs: NOW,
  nextDueMs: null,
  earliestDeadlineMs: Number.POSITIVE_INFINITY,
  pollIntervalMs: 60_000,
  lookaheadMs: 1500,
  startLeadMs: 250,
  planBacklog: false,
  stopping: false,
};

describe('wakeAtMs', () => {
  const cases: Array<[string, Partial<WakeInputs> & { nextDueMs: number }, number]> = [
    ['due later: a look-ahead before it', { nextDueMs: NOW + 10_000 }, NOW + 8500],
    [
      'due exactly a look-ahead away, so this tick left it unclaimed: recheck',
      { nextDueMs: NOW + 1500 },
      NOW + BUSY_RECHECK_MS,
    ],
    [
      'due within the look-ahead, unclaimed: look again shortly',
      { nextDueMs: NOW + 1000 },
      NOW + BUSY_RECHECK_MS,
    ],
    [
      'due within the start lead: at the lead, if sooner than the recheck',
      { nextDueMs: NOW + 280 },
      NOW + 30,
    ],
    ['overdue and unclaimed: never a busy loop', { nextDueMs: NOW - 5000 }, NOW + 1],
    ['the last plan hit its batch limit: at once', { nextDueMs: NOW + 1000, planBacklog: true }, NOW - 500],
    ['stopping: no recheck', { nextDueMs: NOW + 1000, stopping: true }, NOW - 500],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => expect(wakeAtMs({ ...base, ...input })).toBe(expected));
  }
});

describe('sleepMs', () => {
  const cases: Array<[string, Partial<WakeInputs>, number]> = [
    ['nothing known: the safety poll', {}, 60_000],
    ['work due in a minute and a half: the poll still bounds it', { nextDueMs: NOW + 90_000 }, 60_000],
    ['work due in 10 s', { nextDueMs: NOW + 10_000 }, 8500],
    ['a run’s deadline first', { nextDueMs: NOW + 10_000, earliestDeadlineMs: NOW + 2000 }, 2000],
    ['a deadline already passed: at once', { earliestDeadlineMs: NOW - 1 }, 0],
    ['backlog: at once', { nextDueMs: NOW + 1000, planBacklog: true }, 0],
    ['busy task due within the look-ahead', { nextDueMs: NOW + 1000 }, BUSY_RECHECK_MS],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => expect(sleepMs({ ...base, ...input })).toBe(expected));
  }
});
