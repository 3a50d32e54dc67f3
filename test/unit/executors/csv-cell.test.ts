import { describe, expect, it } from 'vitest';
import { csvCell } from '../../../src/executors/csv-cell.js';
import { type ReportResultData, reportCsv } from '../../../src/executors/report.js';

describe('csvCell: spreadsheet formulas are neutralised (OWASP CSV injection)', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-2+3', "'-2+3"],
    ['-5', "'-5"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', `"'\r=1+1"`],
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
  ])('text %j becomes %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it.each([
    [-5, '-5'],
    [-0.25, '-0.25'],
    [42, '42'],
    [-9007199254740993n, '-9007199254740993'],
  ])('the number %s stays a number', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('leaves ordinary text, dates and empty values as they were', () => {
    expect(csvCell('nightly backup')).toBe('nightly backup');
    expect(csvCell('a, b')).toBe('"a, b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('x=1')).toBe('x=1');
    expect(csvCell(new Date('2026-11-28T10:00:00Z'))).toBe('2026-11-28T10:00:00.000Z');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });
});

describe('reportCsv', () => {
  it('neutralises a task name written as a formula, and keeps negative figures numeric', () => {
    const data: ReportResultData = {
      since: '2026-11-27T10:00:00.000Z',
      until: '2026-11-28T10:00:00.000Z',
      figures: {
        failing_tasks: {
          title: 'Failing tasks',
          kind: 'rows',
          rows: [{ name: '=HYPERLINK("http://evil.example","open")', failures: 2, runs: 3 }],
        },
        new_users_24h: { title: 'New users', kind: 'value', value: -3 },
      },
      skipped: [],
    };
    expect(reportCsv(data).split('\n')).toEqual([
      'query,row,metric,value',
      `failing_tasks,1,name,"'=HYPERLINK(""http://evil.example"",""open"")"`,
      'failing_tasks,1,failures,2',
      'failing_tasks,1,runs,3',
      'new_users_24h,,value,-3',
      '',
    ]);
  });
});
