import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OverlapPolicy, TaskType } from '../../../src/domain/task-types.js';
import type { ExecutorDeps } from '../../../src/executors/deps.js';
import type { ExecutionContext } from '../../../src/executors/types.js';
import { type BoundedLog, createBoundedLog } from '../../../src/shared/bounded-log.js';
import { CHRONOPS_TABLES } from '../../../src/store/chronops-tables.js';
import { DEMO_TABLES as DEMO_TABLE_NAMES } from '../../../src/store/demo-schema.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { T0 as NOW } from '../../support/fixtures.js';
import { createTestTaskLogin } from '../../support/task-login.js';

/** The instant every executor test runs at (a fake clock: rows are placed relative to it). */
export { NOW };

export interface ExecutorTestBed {
  database: TestDatabase;
  deps: ExecutorDeps;
  /** A private temp folder (backups/, scripts/ live under it). */
  dir: string;
  /** The restricted task login of this bed (a role of its own: roles are shared by the cluster). */
  taskRole: string;
  /** Grants the task login the demo tables again (call after creating them). */
  grantTaskLogin(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A migrated test database as the target database, temp folders for backups and scripts, and a
 * restricted task login (test/support/task-login.ts).
 */
export async function createExecutorTestBed(): Promise<ExecutorTestBed> {
  const database = await createTestDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'chronops-executors-'));
  const login = await createTestTaskLogin(database);
  return {
    database,
    dir,
    taskRole: login.role,
    deps: {
      targetPool: database.pool,
      targetDatabaseUrl: database.url,
      taskDatabaseUrl: login.url,
      protectedTables: CHRONOPS_TABLES,
      backupDir: join(dir, 'backups'),
      scriptsDir: join(dir, 'scripts'),
    },
    grantTaskLogin: () => login.grant(),
    close: async () => {
      await database.drop();
      await login.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type LogLevel = 'info' | 'warn' | 'error';

export interface TestContextOptions {
  type: TaskType;
  params: Record<string, unknown>;
  name?: string;
  template?: string | null;
  timeoutSeconds?: number;
  overlapPolicy?: OverlapPolicy;
  /** The task id (default a fixed one). */
  taskId?: string;
  now?: Date;
  signal?: AbortSignal;
  /** Every log line, as it is written (e.g. to abort when a child says it is ready). */
  onLine?: (level: LogLevel, message: string) => void;
}

/**
 * An ExecutionContext as the engine would build it (the engine's bounded log, the fake clock), whose
 * log also reports each line to `onLine` so a test can react to what the executor says.
 */
export function createTestContext(options: TestContextOptions): {
  context: ExecutionContext;
  log: BoundedLog;
} {
  const now = options.now ?? NOW;
  const bounded = createBoundedLog(64 * 1024, () => new Date(now));
  const write = (level: LogLevel) => (message: string) => {
    bounded[level](message);
    options.onLine?.(level, message);
  };
  const log: BoundedLog = {
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    text: () => bounded.text(),
    get truncated() {
      return bounded.truncated;
    },
  };
  return {
    log,
    context: {
      task: {
        id: options.taskId ?? '00000000-0000-4000-8000-000000000001',
        name: options.name ?? `test ${options.type}`,
        type: options.type,
        template: options.template ?? null,
        params: options.params,
        timeoutSeconds: options.timeoutSeconds ?? 60,
        overlapPolicy: options.overlapPolicy ?? 'skip',
        alertChannel: null,
      },
      execution: {
        id: '00000000-0000-4000-8000-000000000002',
        attempt: 1,
        trigger: 'manual',
        scheduledFor: null,
      },
      signal: options.signal ?? new AbortController().signal,
      log,
      now: () => new Date(now),
    },
  };
}

/** Row counts of the given tables, for "nothing was executed" assertions. */
export async function countRows(
  database: TestDatabase,
  tables: readonly string[],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await database.pool.query<{ count: number }>(
      `select count(*)::int4 as count from ${table}`,
    );
    counts[table] = rows[0]?.count ?? -1;
  }
  return counts;
}

export const DEMO_TABLES = DEMO_TABLE_NAMES;
