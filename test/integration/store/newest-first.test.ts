import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditForTask } from '../../../src/store/audit.js';
import type { Database } from '../../../src/store/database.js';
import { listExecutionHistory, listRecentFailures } from '../../../src/store/executions.js';
import * as schema from '../../../src/store/schema.js';
import { findActiveExecution, queueManualRunOnce } from '../../../src/store/slack-queries.js';
import { createTask } from '../../../src/store/tasks.js';
import { loadWhyInputs } from '../../../src/store/why.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { makeDraft, T0 } from '../../support/fixtures.js';

/**
 * "Newest first" reads must come from the history indexes in their order (DESC NULLS LAST, see
 * src/store/newest-first.ts), or PostgreSQL fetches and sorts every matching row before the LIMIT: the
 * App Home's five recent failures sorted all 20,000 failed executions of a million-row history (50 ms).
 * With sorting disabled the planner still sorts when nothing else can give the order, so a plain Sort
 * node in the plan means the query asks for an order no index has. (Incremental Sort — an index order
 * refined by a tie-breaker — is fine.)
 */

interface Captured {
  text: string;
  params: unknown[];
}

let database: TestDatabase;
let taskId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  const task = await createTask(database.db, makeDraft(), { actor: { id: 'U1' }, now: T0 });
  taskId = task.id;
  for (const [i, status] of ['success', 'failed', 'timed_out', 'queued', 'success'].entries()) {
    await database.pool.query(
      `insert into task_executions (task_id, trigger, status, created_at, finished_at)
       values ($1, 'schedule', $2, $3, $3)`,
      [taskId, status, new Date(T0.getTime() - i * 60_000)],
    );
  }
});
afterAll(async () => {
  await database.drop();
});

/** A drizzle database on the test pool that records every statement it sends. */
function recordingDb(): { db: Database; queries: Captured[] } {
  const queries: Captured[] = [];
  const db = drizzle(database.pool, {
    schema,
    logger: { logQuery: (text, params) => queries.push({ text, params }) },
  }) as Database;
  return { db, queries };
}

/** A pool whose query() records what raw-SQL store functions send. */
function recordingPool(): { pool: pg.Pool; queries: Captured[] } {
  const queries: Captured[] = [];
  const target = database.pool;
  const pool = new Proxy(target, {
    get(object, property) {
      if (property === 'query')
        return (text: string, params: unknown[] = []) => {
          queries.push({ text, params });
          return object.query(text, params);
        };
      const value = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
  return { pool, queries };
}

/** The node types of the statement's plan, planned with sorting disabled. */
async function planNodes(query: Captured): Promise<string[]> {
  const client = await database.pool.connect();
  try {
    await client.query('begin');
    await client.query('set local enable_sort = off');
    const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      `explain (format json) ${query.text}`,
      query.params,
    );
    await client.query('rollback');
    const nodes: string[] = [];
    const walk = (plan: PlanNode) => {
      nodes.push(plan['Node Type']);
      for (const child of plan.Plans ?? []) walk(child);
    };
    walk(rows[0]!['QUERY PLAN'][0]!.Plan);
    return nodes;
  } finally {
    client.release();
  }
}

interface PlanNode {
  'Node Type': string;
  Plans?: PlanNode[];
}

const ordered = (queries: Captured[]) => {
  const found = queries.filter((query) => /order by/i.test(query.text));
  expect(found.length).toBeGreaterThan(0);
  return found;
};

describe('newest-first reads are served in index order', () => {
  it('recent failures (App Home)', async () => {
    const { db, queries } = recordingDb();
    expect((await listRecentFailures(db, 5)).map((row) => row.status)).toEqual(['failed', 'timed_out']);
    for (const query of ordered(queries)) expect(await planNodes(query)).not.toContain('Sort');
  });

  it("a task's history, first page and after a cursor (`/tasks logs`, `history`)", async () => {
    const { db, queries } = recordingDb();
    const first = await listExecutionHistory(db, taskId, { limit: 2 });
    expect(first.next).toBeDefined();
    await listExecutionHistory(db, taskId, { limit: 2, after: first.next });
    expect(ordered(queries)).toHaveLength(2);
    for (const query of ordered(queries)) expect(await planNodes(query)).not.toContain('Sort');
  });

  it('the active execution (Cancel) and the run-now duplicate check', async () => {
    const { db, queries } = recordingDb();
    expect((await findActiveExecution(db, taskId))?.status).toBe('queued');
    await queueManualRunOnce(db, { taskId, userId: 'U1', now: T0, windowSeconds: 10 });
    expect(ordered(queries)).toHaveLength(2);
    for (const query of ordered(queries)) expect(await planNodes(query)).not.toContain('Sort');
  });

  it("a task's audit trail and `/tasks why`", async () => {
    const { db, queries } = recordingDb();
    expect((await listAuditForTask(db, taskId)).length).toBeGreaterThan(0);
    const raw = recordingPool();
    expect((await loadWhyInputs(raw.pool, taskId)).slots.length).toBeGreaterThan(0);
    const history = raw.queries.filter((query) => query.text.includes('from task_executions'));
    for (const query of [...ordered(queries), ...ordered(history)])
      expect(await planNodes(query)).not.toContain('Sort');
  });
});
