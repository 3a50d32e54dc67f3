import { describe, expect, it } from 'vitest';
import {
  deriveTaskStatus,
  SOON_WINDOW_MS,
  statusEmoji,
  type TaskStatus,
  type TaskStatusInput,
} from '../../../src/domain/task-status.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const GRACE_SECONDS = 300;

function input(overrides: Partial<TaskStatusInput>): TaskStatusInput {
  return {
    enabled: true,
    approvalState: 'approved',
    isRunning: false,
    nextRunAt: new Date(NOW.getTime() + 2 * SOON_WINDOW_MS),
    overdueGraceSeconds: GRACE_SECONDS,
    ...overrides,
  };
}

/** An instant `ms` milliseconds after NOW (negative: before). */
function inMs(ms: number): Date {
  return new Date(NOW.getTime() + ms);
}

describe('deriveTaskStatus', () => {
  it('uses a one-hour soon window', () => {
    expect(SOON_WINDOW_MS).toBe(3_600_000);
  });

  it.each<[string, Partial<TaskStatusInput>, TaskStatus]>([
    ['not enabled', { enabled: false }, 'disabled'],
    ['pending approval', { approvalState: 'pending' }, 'disabled'],
    ['rejected', { approvalState: 'rejected' }, 'disabled'],
    ['not enabled beats running', { enabled: false, isRunning: true }, 'disabled'],
    ['pending beats overdue', { approvalState: 'pending', nextRunAt: inMs(-86_400_000) }, 'disabled'],
    ['running', { isRunning: true }, 'running'],
    ['running beats overdue', { isRunning: true, nextRunAt: inMs(-86_400_000) }, 'running'],
    ['running with no next run', { isRunning: true, nextRunAt: null }, 'running'],
    ['running since its start instant', { isRunning: true, lastRunAt: inMs(0) }, 'running'],
    [
      'recorded running ahead of its instant',
      { isRunning: true, lastRunAt: inMs(1), nextRunAt: inMs(60_000) },
      'soon',
    ],
    ['late by exactly the grace period', { nextRunAt: inMs(-GRACE_SECONDS * 1000) }, 'soon'],
    ['late by grace + 1 ms', { nextRunAt: inMs(-GRACE_SECONDS * 1000 - 1) }, 'overdue'],
    ['late by a day', { nextRunAt: inMs(-86_400_000) }, 'overdue'],
    ['late by 1 ms with no grace', { nextRunAt: inMs(-1), overdueGraceSeconds: 0 }, 'overdue'],
    ['due exactly now with no grace', { nextRunAt: inMs(0), overdueGraceSeconds: 0 }, 'soon'],
    ['due now', { nextRunAt: inMs(0) }, 'soon'],
    ['in 1 h - 1 ms', { nextRunAt: inMs(SOON_WINDOW_MS - 1) }, 'soon'],
    ['in exactly 1 h', { nextRunAt: inMs(SOON_WINDOW_MS) }, 'scheduled'],
    ['in 1 h + 1 ms', { nextRunAt: inMs(SOON_WINDOW_MS + 1) }, 'scheduled'],
    ['in a week', { nextRunAt: inMs(7 * 86_400_000) }, 'scheduled'],
    ['no next run', { nextRunAt: null }, 'scheduled'],
  ])('%s → %s', (_label, overrides, expected) => {
    expect(deriveTaskStatus(input(overrides), NOW)).toBe(expected);
  });
});

describe('statusEmoji', () => {
  it.each<[TaskStatus, string]>([
    ['disabled', ':white_circle:'],
    ['running', ':arrows_counterclockwise:'],
    ['overdue', ':red_circle:'],
    ['soon', ':large_yellow_circle:'],
    ['scheduled', ':large_green_circle:'],
  ])('%s → %s', (status, emoji) => {
    expect(statusEmoji(status)).toBe(emoji);
  });
});
