import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
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
  signal?: AbortSignal;
  onLine?: (level: string, line: string) => void;
}

function run(options: RunOptions = {}) {
  const executor = createBackupExecutor({
    ...bed.deps,
    ...(options.pgDumpPath ? { pgDumpPath: options.pgDumpPath } : {}),
    ...(options.backupDir ? { backupDir: options.backupDir } : {}),
  });
  const { context, log } = createTestContext({
    type: 'backup',
    params: options.keep === undefined ? {} : { keep: options.keep },
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
    const file = join(bed.deps.backupDir, fileName);
    expect(result.data).toMatchObject({ file, bytes: statSync(file).size, kept: 1, deleted: [] });
    expect(result.data.bytes).toBeGreaterThan(10_000);
    expect(result.data.entries).toBeGreaterThan(20);
    expect(result.data.durationMs).toEqual(expect.any(Number));
    expect(readdirSync(bed.deps.backupDir)).toEqual([fileName]);

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

  it('keeps the last N archives of this database only, deleting the older ones', async () => {
    const dir = join(bed.dir, 'retention');
    mkdirSync(dir, { recursive: true });
    const prefix = bed.database.name;
    const old = ['20261101T020000Z', '20261102T020000Z', '20261103T020000Z', '20261104T020000Z'].map(
      (stamp) => `${prefix}-${stamp}.dump`,
    );
    const foreign = [
      'otherdb-20200101T000000Z.dump',
      `${prefix}-notes.txt`,
      `x${prefix}-20200101T000000Z.dump`,
    ];
    for (const name of [...old, ...foreign]) writeFileSync(join(dir, name), 'not a real archive');

    const result = await run({ keep: 3, backupDir: dir, now: new Date('2026-11-29T02:00:00Z') }).promise;
    expect(result.data).toMatchObject({ kept: 3, deleted: [old[1], old[0]] });
    expect(readdirSync(dir).sort()).toEqual(
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
    expect(readdirSync(join(bed.dir, 'mismatch-out'))).toEqual([]);
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
    expect(readdirSync(dir)).toEqual([]);
  });
});
