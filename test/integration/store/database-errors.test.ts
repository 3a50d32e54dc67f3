import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

let database: TestDatabase;
let handle: DatabaseHandle;
beforeAll(async () => {
  database = await createTestDatabase();
  handle = createDatabase(database.url, { max: 2 });
});
afterAll(async () => {
  await handle.close();
  await database.drop();
});

describe('a pooled connection lost while checked out', () => {
  it('does not crash the process: the next query fails instead', async () => {
    const client = await handle.pool.connect();
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    // The server goes away between two queries of a transaction (a restart, a failover).
    await database.pool.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
    await sleep(300);
    await expect(client.query('select 1')).rejects.toThrow();
    client.release(true);
    // The pool carries on with a fresh connection.
    expect((await handle.pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });
});
