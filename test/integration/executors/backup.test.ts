import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statfsSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { OverlapPolicy } from '../../../src/domain/task-types.js';
import { createBackupExecutor } from '../../../src/executors/backup.js';
import { AppError } from '../../../src/shared/errors.js';
import { ensureDemoSchema } from '../../../src/store/demo-schema.js';
import { createTask } from '../../../src/store/tasks.js';
import { makeDraft } from '../../support/fixtures.js';
import {
  countRows,
  createExecutorTestBed,
  createTestContext,
  DEMO_TABLES,
  type ExecutorTestBed,
  NOW,
} from './support.js';

const PG_RESTORE = existsSync('/usr/lib/postgresql/15/bin/pg_restore')
  ? '/usr/lib/postgresql/15/bin/pg_restore'
  : '/usr/bin/pg_restore';
const PG_DUMP = existsSync('/usr/lib/postgresql/15/bin/pg_dump')
  ? '/usr/lib/postgresql/15/bin/pg_dump'
  : '/usr/bin/pg_dump';
/** The task id createTestContext gives unless told otherwise: its archives live in a folder so named. */
const TASK_ID = '00000000-0000-4000-8000-000000000001';
const OTHER_TASK_ID = '00000000-0000-4000-8000-0000000000b2';
let bed: ExecutorTestBed;

beforeAll(async () => {
  bed = await createExecutorTestBed();
  await ensureDemoSchema(bed.database.pool, { now: NOW });
  await createTask(bed.database.db, makeDraft({ name: 'backed up task' }), {
    actor: { id: 'UTEST' },
    now: NOW,
  });
});
afterAll(async () => {
  await bed.close();
});

interface RunOptions {
  keep?: number;
  now?: Date;
  pgDumpPath?: string;
  backupDir?: string;
  taskId?: string;
  overlapPolicy?: OverlapPolicy;
  timeoutSeconds?: number;
  readFreeBytes?: (dir: string) => Promise<number>;
  signal?: AbortSignal;
  onLine?: (level: string, line: string) => void;
}

function run(options: RunOptions = {}) {
  const executor = createBackupExecutor({
    ...bed.deps,
    ...(options.pgDumpPath ? { pgDumpPath: options.pgDumpPath } : {}),
    ...(options.backupDir ? { backupDir: options.backupDir } : {}),
    ...(options.readFreeBytes ? { readFreeBytes: options.readFreeBytes } : {}),
  });
  const { context, log } = createTestContext({
    type: 'backup',
    params: options.keep === undefined ? {} : { keep: options.keep },
    ...(options.taskId ? { taskId: options.taskId } : {}),
    ...(options.overlapPolicy ? { overlapPolicy: options.overlapPolicy } : {}),
    ...(options.timeoutSeconds ? { timeoutSeconds: options.timeoutSeconds } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  return { promise: executor(context), log };
}

/** A stand-in pg_dump written as a shell script, to play the failures a real one cannot. */
function fakePgDump(name: string, body: string): string {
  const dir = join(bed.dir, 'fake-bin', name);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'pg_dump');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('backup executor', () => {
  it('dumps the target database to a timestamped, verified archive that restores with the same row counts', async () => {
    const result = await run().promise;
    const fileName = `${bed.database.name}-20261128T100000Z.dump`;
    const file = join(bed.deps.backupDir, TASK_ID, fileName);
    expect(result.data).toMatchObject({ file, bytes: statSync(file).size, kept: 1, deleted: [] });
    expect(result.data.bytes).toBeGreaterThan(10_000);
    expect(result.data.entries).toBeGreaterThan(20);
    expect(result.data.durationMs).toEqual(expect.any(Number));
    expect(readdirSync(bed.deps.backupDir)).toEqual([TASK_ID]);
    expect(readdirSync(join(bed.deps.backupDir, TASK_ID))).toEqual([fileName]);

    const restored = `chronops_restore_${bed.database.name.slice(-12)}`;
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    try {
      await admin.query(`create database ${restored}`);
      const url = new URL(bed.database.url);
      const password = decodeURIComponent(url.password);
      url.password = '';
      url.pathname = `/${restored}`;
      execFileSync(PG_RESTORE, ['--no-owner', '--exit-on-error', `--dbname=${url}`, file], {
        env: { PATH: '/usr/bin:/bin', PGPASSWORD: password },
        stdio: 'pipe',
      });
      url.password = password;
      const copy = new pg.Client({ connectionString: url.toString() });
      await copy.connect();
      try {
        const tables = [...DEMO_TABLES, 'scheduled_tasks', 'audit_log'];
        const expected = await countRows(bed.database, tables);
        const actual: Record<string, number> = {};
        for (const table of tables) {
          const { rows } = await copy.query<{ count: number }>(
            `select count(*)::int4 as count from ${table}`,
          );
          actual[table] = rows[0]?.count ?? -1;
        }
        expect(actual).toEqual(expected);
        expect(actual.users).toBe(600);
      } finally {
        await copy.end();
      }
    } finally {
      await admin.query(`drop database if exists ${restored} with (force)`);
      await admin.end();
    }
  });

  it("keeps the task's last N archives of this database only, deleting the older ones", async () => {
    const dir = join(bed.dir, 'retention');
    const taskDir = join(dir, TASK_ID);
    mkdirSync(taskDir, { recursive: true, mode: 0o700 });
    const prefix = bed.database.name;
    const old = ['20261101T020000Z', '20261102T020000Z', '20261103T020000Z', '20261104T020000Z'].map(
      (stamp) => `${prefix}-${stamp}.dump`,
    );
    const foreign = [
      'otherdb-20200101T000000Z.dump',
      `${prefix}-notes.txt`,
      `x${prefix}-20200101T000000Z.dump`,
    ];
    // 10 kB each: the free-space check reads the newest as the size to expect.
    for (const name of [...old, ...foreign]) writeFileSync(join(taskDir, name), 'x'.repeat(10_000));

    const result = await run({ keep: 3, backupDir: dir, now: new Date('2026-11-29T02:00:00Z') }).promise;
    expect(result.data).toMatchObject({ kept: 3, deleted: [old[1], old[0]] });
    expect(readdirSync(taskDir).sort()).toEqual(
      [old[2], old[3], `${prefix}-20261129T020000Z.dump`, ...foreign].sort(),
    );
  });

  it('fails with what to install when pg_dump is missing, leaving nothing behind', async () => {
    const dir = join(bed.dir, 'missing');
    const error = await run({
      pgDumpPath: join(bed.dir, 'nowhere', 'pg_dump'),
      backupDir: dir,
    }).promise.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'executor_failed', field: 'PG_DUMP_PATH' });
    expect((error as Error).message).toMatch(/pg_dump could not be started .*ENOENT/);
    expect((error as Error).message).toContain('apt-get install postgresql-client-15');
    expect((error as Error).message).toContain('set PG_DUMP_PATH');
    expect(existsSync(dir)).toBe(false);
  });

  it('fails with what to install when pg_dump is older than the server', async () => {
    const pgDump = fakePgDump('old', 'echo "pg_dump (PostgreSQL) 13.4"');
    const error = await run({ pgDumpPath: pgDump }).promise.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'executor_failed', field: 'PG_DUMP_PATH' });
    expect((error as Error).message).toMatch(/pg_dump 13\.4 .* is older than the server \(PostgreSQL 15\)/);
    expect((error as Error).message).toContain('apt-get install postgresql-client-15');
  });

  it('explains a "server version mismatch" reported by pg_dump itself', async () => {
    const pgDump = fakePgDump(
      'mismatch',
      `[ "$1" = --version ] && { echo "pg_dump (PostgreSQL) 15.18"; exit 0; }
echo 'pg_dump: error: aborting because of server version mismatch' >&2; exit 1`,
    );
    const error = await run({ pgDumpPath: pgDump, backupDir: join(bed.dir, 'mismatch-out') }).promise.catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'executor_failed', field: 'PG_DUMP_PATH' });
    expect((error as Error).message).toContain('server version mismatch');
    expect((error as Error).message).toContain('postgresql-client-15');
    expect(readdirSync(join(bed.dir, 'mismatch-out', TASK_ID))).toEqual([]);
  });

  it('kills pg_dump on abort, even one that ignores SIGTERM, and removes the partial file', async () => {
    const pgDump = fakePgDump(
      'stuck',
      `[ "$1" = --version ] && { echo "pg_dump (PostgreSQL) 15.18"; exit 0; }
trap '' TERM
for arg in "$@"; do case "$arg" in --file=*) echo partial > "\${arg#--file=}";; esac; done
echo "fake pg_dump is dumping" >&2
sleep 60 & wait`,
    );
    const dir = join(bed.dir, 'aborted');
    const controller = new AbortController();
    const started = performance.now();
    const error = await run({
      pgDumpPath: pgDump,
      backupDir: dir,
      signal: controller.signal,
      // Abort once the child says it is working: an event, not a guess at how long it takes to start.
      onLine: (_level, line) => {
        if (line.includes('fake pg_dump is dumping'))
          controller.abort(new AppError('timed_out', 'test timeout'));
      },
    }).promise.catch((e: unknown) => e);
    const elapsedMs = performance.now() - started;
    expect(error).toMatchObject({ code: 'timed_out', message: 'test timeout' });
    expect(elapsedMs).toBeLessThan(5000);
    expect(readdirSync(join(dir, TASK_ID))).toEqual([]);
  });
});

/** A pg_dump that records the mode of the file it was given, then runs the real one. */
function modeRecordingPgDump(record: string): string {
  const dir = join(bed.dir, 'fake-bin', 'mode-recording');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'pg_dump');
  writeFileSync(
    path,
    `#!/bin/sh
for arg in "$@"; do case "$arg" in --file=*) stat -c %a "\${arg#--file=}" > '${record}';; esac; done
exec '${PG_DUMP}' "$@"
`,
  );
  chmodSync(path, 0o755);
  if (!existsSync(join(dir, 'pg_restore'))) symlinkSync(PG_RESTORE, join(dir, 'pg_restore'));
  return path;
}

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8).padStart(3, '0');
}

describe('backup files', () => {
  it('creates BACKUP_DIR and the task folder 0700, and the archive 0600 from its first byte', async () => {
    const dir = join(bed.dir, 'private', 'backups');
    const record = join(bed.dir, 'mode-seen-by-pg-dump');
    // The usual umask, set here so the old behaviour (0755 folders, 0644 archives) would show.
    const umask = process.umask(0o022);
    try {
      const result = await run({ backupDir: dir, pgDumpPath: modeRecordingPgDump(record) }).promise;
      expect(modeOf(dir)).toBe('700');
      expect(modeOf(join(dir, TASK_ID))).toBe('700');
      expect(modeOf(result.data.file as string)).toBe('600');
      // What pg_dump found when it opened its output file: already private, not chmod-ed afterwards.
      expect(readFileSync(record, 'utf8').trim()).toBe('600');
      // Parents keep the default mode (the data folder above BACKUP_DIR has its own owner and mode).
      expect(modeOf(join(bed.dir, 'private'))).toBe('755');
    } finally {
      process.umask(umask);
    }
  });

  it('tightens an existing BACKUP_DIR open to other users to 0700, saying so in the log', async () => {
    const dir = join(bed.dir, 'loose');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const { promise, log } = run({ backupDir: dir });
    await promise;
    expect(modeOf(dir)).toBe('700');
    expect(log.text()).toContain(`BACKUP_DIR ${dir} was open to other users (mode 0777): made it 0700`);
  });

  it('keeps each task its own archives: two backup tasks of one database, keep 1, never delete each other', async () => {
    const dir = join(bed.dir, 'two-tasks');
    mkdirSync(dir, { recursive: true });
    const prefix = bed.database.name;
    // An archive from before per-task folders: no task prunes it any more.
    const legacy = `${prefix}-20261101T020000Z.dump`;
    writeFileSync(join(dir, legacy), 'an old archive');
    const runs = [
      { taskId: TASK_ID, at: '2026-11-28T02:00:00Z' },
      { taskId: OTHER_TASK_ID, at: '2026-11-28T03:00:00Z' },
      { taskId: TASK_ID, at: '2026-11-29T02:00:00Z' },
      { taskId: OTHER_TASK_ID, at: '2026-11-29T03:00:00Z' },
    ];
    const results = [];
    for (const { taskId, at } of runs) {
      results.push((await run({ backupDir: dir, taskId, keep: 1, now: new Date(at) }).promise).data);
    }
    expect(results.map((data) => data.deleted)).toEqual([
      [],
      [],
      [`${prefix}-20261128T020000Z.dump`],
      [`${prefix}-20261128T030000Z.dump`],
    ]);
    expect(readdirSync(join(dir, TASK_ID))).toEqual([`${prefix}-20261129T020000Z.dump`]);
    expect(readdirSync(join(dir, OTHER_TASK_ID))).toEqual([`${prefix}-20261129T030000Z.dump`]);
    expect(readdirSync(dir).sort()).toEqual([OTHER_TASK_ID, TASK_ID, legacy].sort());
  });

  it('fails before dumping, with a clear sentence, when the disk has less room than the archive needs', async () => {
    const dir = join(bed.dir, 'full-disk');
    const askedFor: string[] = [];
    const error = await run({
      backupDir: dir,
      readFreeBytes: async (folder) => {
        askedFor.push(folder);
        return 1000;
      },
    }).promise.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'executor_failed', field: 'BACKUP_DIR' });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^not enough free space in BACKUP_DIR \\(${dir}\\): need about \\d+\\.\\d+ MB, 0\\.00 MB free \\(estimate: the size of the table data`,
      ),
    );
    expect(askedFor).toEqual([join(dir, TASK_ID)]);
    // Nothing written: no partial, no archive.
    expect(readdirSync(join(dir, TASK_ID))).toEqual([]);
  });

  it('expects 1.5 × the last archive once the task has one: refused 1 byte short of it, run with exactly that', async () => {
    const dir = join(bed.dir, 'growth');
    const first = await run({ backupDir: dir, now: new Date('2026-11-28T02:00:00Z') }).promise;
    const needed = Math.ceil((first.data.bytes as number) * 1.5);
    const short = await run({
      backupDir: dir,
      now: new Date('2026-11-29T02:00:00Z'),
      readFreeBytes: async () => needed - 1,
    }).promise.catch((e: unknown) => e);
    expect((short as Error).message).toContain('(estimate: 1.5 × the last archive)');
    expect(readdirSync(join(dir, TASK_ID))).toEqual([basename(first.data.file as string)]);
    const enough = await run({
      backupDir: dir,
      now: new Date('2026-11-29T02:00:00Z'),
      readFreeBytes: async () => needed,
    }).promise;
    expect(enough.data).toMatchObject({ neededBytes: needed, freeBytes: needed });
  });

  it('reads the free space of the real file system (statfs) and logs it before dumping', async () => {
    const dir = join(bed.dir, 'statfs');
    const { promise, log } = run({ backupDir: dir });
    const result = await promise;
    const info = statfsSync(join(dir, TASK_ID));
    const freeNow = info.bavail * info.bsize;
    // Others write to this disk meanwhile: the figure read before the dump is close to today's, not equal.
    expect(Math.abs((result.data.freeBytes as number) - freeNow)).toBeLessThan(200 * 1024 * 1024);
    // First run: the table data is the estimate, and the archive came out smaller than it.
    expect(result.data.neededBytes as number).toBeGreaterThan(result.data.bytes as number);
    expect(log.text()).toMatch(
      /free space: need about [\d.]+ MB \(the size of the table data, first backup of this task\), [\d,.]+ MB free/,
    );
  });

  it('removes the partial file a crashed dump of this task left, and only that', async () => {
    const dir = join(bed.dir, 'leftovers');
    const prefix = bed.database.name;
    const taskDir = join(dir, TASK_ID);
    const otherDir = join(dir, OTHER_TASK_ID);
    mkdirSync(taskDir, { recursive: true, mode: 0o700 });
    mkdirSync(otherDir, { recursive: true, mode: 0o700 });
    const crashed = `${prefix}-20261127T020000Z.dump.partial`;
    const notOurs = [`${prefix}-notes.partial`, `otherdb-20261127T020000Z.dump.partial`];
    for (const name of [crashed, ...notOurs]) writeFileSync(join(taskDir, name), 'half a dump');
    writeFileSync(join(otherDir, crashed), "another task's dump in progress");

    const { promise, log } = run({ backupDir: dir });
    const result = await promise;
    expect(result.data.removedPartials).toEqual([crashed]);
    expect(result.summary).toContain('removed 1 partial file of an unfinished dump');
    expect(log.text()).toContain(`removed ${crashed}, left behind by a dump that did not finish`);
    expect(readdirSync(taskDir).sort()).toEqual([...notOurs, basename(result.data.file as string)].sort());
    expect(readdirSync(otherDir)).toEqual([crashed]);
  });

  it('with overlap allowed, removes only partials untouched for longer than the task timeout', async () => {
    const dir = join(bed.dir, 'leftovers-allow');
    const prefix = bed.database.name;
    const taskDir = join(dir, TASK_ID);
    mkdirSync(taskDir, { recursive: true, mode: 0o700 });
    const stale = `${prefix}-20261127T020000Z.dump.partial`;
    const live = `${prefix}-20261128T095930Z.dump.partial`;
    writeFileSync(join(taskDir, stale), 'a dump that died');
    writeFileSync(join(taskDir, live), 'a dump of a concurrent run');
    // The file system's clock decides: 2 minutes old against a 60 s timeout, and 10 s old.
    const nowS = Date.now() / 1000;
    utimesSync(join(taskDir, stale), nowS - 120, nowS - 120);
    utimesSync(join(taskDir, live), nowS - 10, nowS - 10);

    const { promise, log } = run({ backupDir: dir, overlapPolicy: 'allow', timeoutSeconds: 60 });
    const result = await promise;
    expect(result.data.removedPartials).toEqual([stale]);
    expect(log.text()).toContain('kept 1 partial file(s) younger than the task timeout');
    expect(readdirSync(taskDir).sort()).toEqual([live, basename(result.data.file as string)].sort());
  });
});

describe('backup free space after the upgrade to per-task folders', () => {
  it("goes by the newest archive of this database at BACKUP_DIR's top level on a task's first run", async () => {
    const dir = join(bed.dir, 'upgraded');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const prefix = bed.database.name;
    writeFileSync(join(dir, `${prefix}-20261101T020000Z.dump`), 'x'.repeat(1_000));
    writeFileSync(join(dir, `${prefix}-20261102T020000Z.dump`), 'x'.repeat(2_000));
    writeFileSync(join(dir, `otherdb-20261103T020000Z.dump`), 'x'.repeat(9_000));
    const result = await run({ backupDir: dir, readFreeBytes: async () => 10_000_000 }).promise;
    expect(result.data).toMatchObject({ neededBytes: 3_000, freeBytes: 10_000_000 });
  });
});
