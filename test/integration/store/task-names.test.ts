import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messagesFor } from '../../../src/slack/i18n/index.js';
import { lookupTask, lookupTaskPrefix } from '../../../src/slack/task-ref.js';
import type { Database } from '../../../src/store/database.js';
import * as schema from '../../../src/store/schema.js';
import { createTask } from '../../../src/store/tasks.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { actor, makeDraft, T0 } from '../../support/fixtures.js';

const m = messagesFor('en');
const OTHER_TASKS = 5_000;

let database: TestDatabase;
/** The same database through a pool that counts the rows PostgreSQL sends back. */
let counted: { db: Database; rows: () => number; reset: () => void };

function countingDatabase(pool: pg.Pool): typeof counted {
  let rows = 0;
  const client = new Proxy(pool, {
    get(target, property, receiver) {
      if (property !== 'query') return Reflect.get(target, property, receiver);
      return async (...args: Parameters<pg.Pool['query']>) => {
        const result = (await (target.query as (...a: unknown[]) => Promise<pg.QueryResult>)(...args)) ?? {};
        rows += Array.isArray(result.rows) ? result.rows.length : 0;
        return result;
      };
    },
  });
  return {
    db: drizzle(client, { schema }) as unknown as Database,
    rows: () => rows,
    reset: () => {
      rows = 0;
    },
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  const model = await createTask(database.db, makeDraft({ name: 'Nightly backup' }), { actor, now: T0 });
  await createTask(database.db, makeDraft({ name: 'Weekly 100%_done report' }), { actor, now: T0 });
  // Thousands of unrelated tasks, copied from the first row with new ids and names.
  await database.pool.query(
    `insert into scheduled_tasks
     select (jsonb_populate_record(null::scheduled_tasks,
               to_jsonb(t) || jsonb_build_object('id', gen_random_uuid(), 'name', 'tenant ' || g || ' quota'))).*
       from scheduled_tasks t, generate_series(1, $2::int) g
      where t.id = $1`,
    [model.id, OTHER_TASKS],
  );
  counted = countingDatabase(database.pool);
}, 120_000);
afterAll(async () => {
  await database.drop();
});

describe('task references among thousands of tasks', () => {
  it('suggests the close name for a typo from a few rows, not every name', async () => {
    counted.reset();
    const lookup = await lookupTask(counted.db, 'nightly bakup', m);
    expect(lookup.ok).toBe(false);
    if (lookup.ok) return;
    expect(lookup.message).toContain('Nightly backup');
    expect(lookup.message).not.toContain('tenant');
    expect(counted.rows()).toBeLessThanOrEqual(25);
  });

  it('suggests names containing what was typed', async () => {
    const lookup = await lookupTask(counted.db, 'backup', m);
    expect(lookup.ok).toBe(false);
    if (!lookup.ok) expect(lookup.message).toContain('Nightly backup');
  });

  it('treats % and _ in what was typed as text, not as patterns', async () => {
    counted.reset();
    const lookup = await lookupTask(counted.db, '100%_d', m);
    expect(lookup.ok).toBe(false);
    if (!lookup.ok) expect(lookup.message).toContain('Weekly 100%_done report');
    const none = await lookupTask(counted.db, '%%%', m);
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.message).not.toContain('tenant');
    expect(counted.rows()).toBeLessThanOrEqual(50);
  });

  it('finds the task named by the leading words and keeps the rest as the reason, in one small read', async () => {
    counted.reset();
    const lookup = await lookupTaskPrefix(counted.db, ['NIGHTLY', 'backup', 'disk', 'is', 'full'], m);
    expect(lookup.ok).toBe(true);
    if (!lookup.ok) return;
    expect(lookup.task.name).toBe('Nightly backup');
    expect(lookup.rest).toBe('disk is full');
    expect(counted.rows()).toBeLessThanOrEqual(2);
  });

  it('prefers the longest name among the leading words, and accepts an id', async () => {
    const longer = await createTask(database.db, makeDraft({ name: 'Nightly backup disk' }), {
      actor,
      now: T0,
    });
    const byName = await lookupTaskPrefix(counted.db, ['nightly', 'backup', 'disk', 'is', 'full'], m);
    expect(byName.ok && byName.task.id).toBe(longer.id);
    expect(byName.ok && byName.rest).toBe('is full');
    const byId = await lookupTaskPrefix(counted.db, [longer.id.toUpperCase(), 'because'], m);
    expect(byId.ok && byId.task.id).toBe(longer.id);
    expect(byId.ok && byId.rest).toBe('because');
  });

  it('answers a missing task in the leading words with suggestions', async () => {
    const lookup = await lookupTaskPrefix(counted.db, ['nightly', 'bakup', 'now'], m);
    expect(lookup.ok).toBe(false);
    if (!lookup.ok) expect(lookup.message).toContain('Nightly backup');
  });
});
