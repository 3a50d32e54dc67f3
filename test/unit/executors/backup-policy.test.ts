import { describe, expect, it } from 'vitest';
import {
  archiveName,
  archivePrefix,
  estimateArchiveBytes,
  formatMegabytes,
  isArchiveOf,
  isPartialOf,
  selectLeftoverPartials,
  selectRetention,
  taskFolderName,
} from '../../../src/executors/backup-policy.js';

describe('archive names', () => {
  it('names an archive after its database and UTC instant', () => {
    expect(archiveName(archivePrefix('app db/1'), new Date('2026-03-29T01:30:05.900Z'))).toBe(
      'app_db_1-20260329T013005Z.dump',
    );
  });

  it.each([
    ['app-20261128T020000Z.dump', true, false],
    ['app-20261128T020000Z.dump.partial', false, true],
    ['app-notes.dump', false, false],
    ['xapp-20261128T020000Z.dump', false, false],
    ['app-2-20261128T020000Z.dump', false, false],
    ['app-20261128T020000Z.dump.bak', false, false],
  ])('%s: archive of "app" %s, partial of "app" %s', (name, archive, partial) => {
    expect(isArchiveOf(name, 'app')).toBe(archive);
    expect(isPartialOf(name, 'app')).toBe(partial);
  });

  it('treats the prefix literally (a dot in a database name is no wildcard)', () => {
    expect(isArchiveOf('a.b-20261128T020000Z.dump', 'a.b')).toBe(true);
    expect(isArchiveOf('axb-20261128T020000Z.dump', 'a.b')).toBe(false);
  });

  it('uses the task id as the folder name, and refuses anything that is not one', () => {
    expect(taskFolderName('0B7D8F1E-0000-4000-8000-0000000000B2')).toBe(
      '0b7d8f1e-0000-4000-8000-0000000000b2',
    );
    for (const bad of ['', '..', '../etc', 'a/b', '0b7d8f1e-0000-4000-8000-0000000000b2/..']) {
      expect(() => taskFolderName(bad)).toThrow(/not a task id/);
    }
  });
});

describe('selectRetention', () => {
  const names = [
    'app-20261101T020000Z.dump',
    'app-20261103T020000Z.dump',
    'app-20261102T020000Z.dump',
    'app-20261104T020000Z.dump.partial',
    'other-20261101T020000Z.dump',
    'app-notes.txt',
  ];

  it.each([
    [1, ['app-20261103T020000Z.dump'], ['app-20261102T020000Z.dump', 'app-20261101T020000Z.dump']],
    [2, ['app-20261103T020000Z.dump', 'app-20261102T020000Z.dump'], ['app-20261101T020000Z.dump']],
    [5, ['app-20261103T020000Z.dump', 'app-20261102T020000Z.dump', 'app-20261101T020000Z.dump'], []],
  ])(
    'keep %i: keeps the newest, deletes the older archives of the prefix, nothing else',
    (keep, kept, doomed) => {
      expect(selectRetention(names, 'app', keep)).toEqual({ kept, doomed });
    },
  );
});

describe('selectLeftoverPartials', () => {
  const nowMs = Date.parse('2026-11-28T10:00:00Z');
  const partials = [
    { name: 'b.partial', modifiedAtMs: nowMs - 5_000 },
    { name: 'a.partial', modifiedAtMs: nowMs - 3_600_001 },
    { name: 'c.partial', modifiedAtMs: nowMs - 3_600_000 },
    { name: 'future.partial', modifiedAtMs: nowMs + 60_000 },
  ];

  it.each([
    ['skip', ['a.partial', 'b.partial', 'c.partial', 'future.partial'], []],
    ['queue', ['a.partial', 'b.partial', 'c.partial', 'future.partial'], []],
    // A concurrent run may be writing: only what is older than the timeout (strictly) is a leftover.
    ['allow', ['a.partial'], ['b.partial', 'c.partial', 'future.partial']],
  ] as const)('overlap %s', (overlapPolicy, leftover, young) => {
    expect(selectLeftoverPartials(partials, { overlapPolicy, timeoutSeconds: 3600, nowMs })).toEqual({
      leftover,
      young,
    });
  });
});

describe('estimateArchiveBytes', () => {
  it.each([
    [
      { lastArchiveBytes: 1_000, tableBytes: 50_000 },
      { bytes: 1_500, basis: 'last_archive' },
    ],
    [
      { lastArchiveBytes: 1_001, tableBytes: 0 },
      { bytes: 1_502, basis: 'last_archive' },
    ],
    [
      { lastArchiveBytes: undefined, tableBytes: 50_000 },
      { bytes: 50_000, basis: 'table_data' },
    ],
    // An empty earlier archive says nothing: fall back to the table data.
    [
      { lastArchiveBytes: 0, tableBytes: 50_000 },
      { bytes: 50_000, basis: 'table_data' },
    ],
  ])('%o → %o', (input, expected) => {
    expect(estimateArchiveBytes(input)).toEqual(expected);
  });
});

describe('formatMegabytes', () => {
  it.each([
    [0, '0.00 MB'],
    [170_000, '0.17 MB'],
    [2_345_678, '2.3 MB'],
    [12_500_000, '13 MB'],
    [52_000_000_000, '52,000 MB'],
  ])('%i bytes → %s', (bytes, text) => {
    expect(formatMegabytes(bytes)).toBe(text);
  });
});
