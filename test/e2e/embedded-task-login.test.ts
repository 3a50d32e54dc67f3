import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type RunningService, startService } from '../../src/service/start-service.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { createTask } from '../../src/store/tasks.js';
import { makeDraft } from '../support/fixtures.js';
import { waitUntil } from '../support/wait-until.js';

// The embedded default (no DATABASE_URL): at first start chronops creates the restricted login user
// SQL runs as, and a custom SQL task queued from psql's execute_task_now runs as that login.
let dataDir: string;
let service: RunningService;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'chronops-embedded-'));
  service = await startService(
    loadConfig({ CHRONOPS_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', POLL_INTERVAL_MS: '100' }),
    createSilentLogger(),
  );
}, 120_000);
afterAll(async () => {
  await service?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded database: the restricted task login', () => {
  it('exists with no power beyond its grants, its password kept 0600 in the data folder', async () => {
    const { rows } = await service.database.pool.query(
      "select rolcanlogin, rolsuper, rolcreaterole, rolcreatedb from pg_roles where rolname = 'chronops_task'",
    );
    expect(rows).toEqual([{ rolcanlogin: true, rolsuper: false, rolcreaterole: false, rolcreatedb: false }]);
    expect(statSync(join(dataDir, 'task-password')).mode & 0o777).toBe(0o600);
  });

  it('runs a custom SQL task as that login, not as chronops', async () => {
    const now = new Date();
    const task = await createTask(
      service.database.db,
      makeDraft(
        {
          name: 'who runs my SQL',
          type: 'custom',
          cron: '0 3 1 1 *',
          params: {
            kind: 'sql',
            sql: 'select current_user::text as login, count(*)::int4 as logs from logs',
          },
        },
        now,
      ),
      { actor: { id: 'U1' }, now },
    );
    await service.database.pool.query('select execute_task_now($1, null)', [task.id]);
    await waitUntil(
      async () => {
        const { rows } = await service.database.pool.query(
          "select 1 from task_executions where task_id = $1 and status not in ('queued', 'running')",
          [task.id],
        );
        return rows.length > 0;
      },
      60_000,
      'the queued run finishes',
    );
    const { rows } = await service.database.pool.query(
      'select status, result, error from task_executions where task_id = $1',
      [task.id],
    );
    expect(rows[0]).toMatchObject({
      status: 'success',
      result: { rows: [{ login: 'chronops_task', logs: expect.any(Number) }] },
    });
  });
});
