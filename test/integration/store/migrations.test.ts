import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createDatabase, runMigrations } from '../../../src/store/database.js';
import { startEmbeddedPostgres } from '../../../src/store/embedded-postgres.js';

describe('migrations', () => {
  it('are applied exactly once when three replicas start together', async () => {
    const adminUrl = inject('pgAdminUrl');
    const name = `chronops_migrate_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const replicas = [1, 2, 3].map(() => createDatabase(url.toString(), { max: 2 }));
    try {
      await Promise.all(replicas.map((replica) => runMigrations(replica.pool)));
      const applied = await replicas[0]!.pool.query(
        'select count(*)::int as n from drizzle.__drizzle_migrations',
      );
      const journal = (await import('../../../migrations/meta/_journal.json', { with: { type: 'json' } }))
        .default;
      expect(applied.rows[0].n).toBe(journal.entries.length);
      const tables = await replicas[0]!.pool.query(
        `select table_name from information_schema.tables where table_schema = 'public' order by 1`,
      );
      expect(tables.rows.map((row) => row.table_name)).toEqual([
        'app_home_viewers',
        'audit_log',
        'notification_outbox',
        'scheduled_tasks',
        'scheduler_workers',
        'task_executions',
      ]);
      // Running again is a no-op.
      await runMigrations(replicas[1]!.pool);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    }
  });
});

describe('embedded PostgreSQL', () => {
  it('keeps its data across a stop and a start on a new port', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chronops-persist-'));
    const first = await startEmbeddedPostgres({ dataDir, database: 'persisted' });
    const client = new pg.Client({ connectionString: first.url });
    await client.connect();
    await client.query('create table kept (value text)');
    await client.query(`insert into kept values ('still here')`);
    await client.end();
    await first.stop();

    const second = await startEmbeddedPostgres({ dataDir, database: 'persisted', persistent: false });
    try {
      expect(second.owned).toBe(true);
      const again = new pg.Client({ connectionString: second.url });
      await again.connect();
      const rows = await again.query('select value from kept');
      await again.end();
      expect(rows.rows).toEqual([{ value: 'still here' }]);
    } finally {
      await second.stop();
    }
  });
});
