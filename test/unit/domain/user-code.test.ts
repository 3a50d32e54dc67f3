import { describe, expect, it } from 'vitest';
import { TASK_TYPES } from '../../../src/domain/task-types.js';
import { needsSecondApproval, runsUserSql, userCodeOf } from '../../../src/domain/user-code.js';

describe('userCodeOf: which tasks carry code a person wrote', () => {
  it.each([
    [
      'custom',
      { kind: 'sql', sql: 'delete from logs' },
      { kind: 'sql', sql: 'delete from logs', readOnly: false },
    ],
    [
      'custom',
      { kind: 'sql', sql: 'select 1', readOnly: true },
      { kind: 'sql', sql: 'select 1', readOnly: true },
    ],
    [
      'custom',
      { kind: 'script', script: 'a.sh', args: ['-x'] },
      { kind: 'script', script: 'a.sh', args: ['-x'], env: [] },
    ],
    ['notification', { query: 'custom', sql: 'select 1' }, { kind: 'sql', sql: 'select 1', readOnly: true }],
    ['notification', { query: 'low_quota', threshold: 5 }, undefined],
    ['backup', { keep: 3 }, undefined],
    ['cleanup', { table: 'logs', timestampColumn: 'created_at', olderThanDays: 3 }, undefined],
    ['report', { queries: ['slowest_tasks'] }, undefined],
  ] as const)('%s %j', (type, params, expected) => {
    expect(userCodeOf(type, params)).toEqual(expected);
    expect(needsSecondApproval(type, params)).toBe(expected !== undefined);
    expect(runsUserSql(type, params)).toBe(expected?.kind === 'sql');
  });

  it('treats an unknown custom or notification shape as SQL, so it still needs approval', () => {
    expect(needsSecondApproval('custom', { kind: 'shell', command: 'rm -rf /' })).toBe(true);
    expect(needsSecondApproval('notification', { query: 'other', sql: 'select 1' })).toBe(true);
  });

  it('answers for every task type', () => {
    for (const type of TASK_TYPES) expect(() => userCodeOf(type, {})).not.toThrow();
  });
});
