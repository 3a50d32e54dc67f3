import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/shared/errors.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../../src/store/embedded-postgres.js';

const folders: string[] = [];
const servers: EmbeddedPostgres[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function tempFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  folders.push(folder);
  return folder;
}

/** Starts the server, or returns what it threw (a server started by old code is stopped at once). */
async function startOrError(dataDir: string, logger?: pino.Logger): Promise<EmbeddedPostgres | unknown> {
  return startEmbeddedPostgres({ dataDir, database: 'kept', ...(logger ? { logger } : {}) }).then(
    (server) => {
      servers.push(server);
      return server;
    },
    (error: unknown) => error,
  );
}

function capturingLogger(lines: Array<{ msg: string }>): pino.Logger {
  return pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
}

describe('embedded PostgreSQL data folder', () => {
  it('refuses a folder that holds files but no cluster, and leaves every file where it was', async () => {
    const root = tempFolder('chronops-damaged-');
    const pgdata = join(root, 'pgdata');
    mkdirSync(pgdata);
    mkdirSync(join(pgdata, 'base'));
    writeFileSync(join(pgdata, 'restore-in-progress.txt'), 'half of last night’s restore\n');

    const outcome = await startOrError(root);

    expect(outcome).toBeInstanceOf(AppError);
    expect((outcome as AppError).message).toBe(
      `The embedded database folder ${pgdata} is not empty but holds no PostgreSQL cluster (no PG_VERSION): move its contents away or point CHRONOPS_DATA_DIR at an empty folder.`,
    );
    expect(readdirSync(pgdata).sort()).toEqual(['base', 'restore-in-progress.txt']);
    expect(readFileSync(join(pgdata, 'restore-in-progress.txt'), 'utf8')).toBe(
      'half of last night’s restore\n',
    );
    // Nothing was written beside it either (no new password for a cluster that does not exist).
    expect(existsSync(join(root, 'pg-password'))).toBe(false);
  });

  it('initialises an empty folder', async () => {
    const root = tempFolder('chronops-empty-');
    mkdirSync(join(root, 'pgdata'));
    const server = (await startOrError(root)) as EmbeddedPostgres;
    expect(server.owned).toBe(true);
    expect(existsSync(join(root, 'pgdata', 'PG_VERSION'))).toBe(true);
  });

  it('starts when a stale postmaster.pid names a live process that is not its server', async () => {
    const root = tempFolder('chronops-stale-pid-');
    const first = (await startOrError(root)) as EmbeddedPostgres;
    const client = new pg.Client({ connectionString: first.url });
    await client.connect();
    await client.query(`create table kept (value text); insert into kept values ('still here')`);
    await client.end();
    await first.stop();
    servers.splice(0);

    // After a container restart, the old server's pid is some other live process. It runs as the OS
    // user the server runs as (postgres when we are root), so PostgreSQL itself sees it alive too.
    const asServerUser =
      userInfo().uid === 0
        ? {
            uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
            gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
          }
        : {};
    const impostor = spawn('sleep', ['60'], { stdio: 'ignore', ...asServerUser });
    children.push(impostor);
    const pidFile = join(first.dataDir, 'postmaster.pid');
    writeFileSync(
      pidFile,
      `${impostor.pid}\n${first.dataDir}\n1700000000\n${first.port}\n\n127.0.0.1\n  2146546     32820\nready   \n`,
    );

    const lines: Array<{ msg: string }> = [];
    const second = await startOrError(root, capturingLogger(lines));

    expect(second).not.toBeInstanceOf(Error);
    const server = second as EmbeddedPostgres;
    expect(server.owned).toBe(true);
    const again = new pg.Client({ connectionString: server.url });
    await again.connect();
    const rows = await again.query('select value from kept');
    await again.end();
    expect(rows.rows).toEqual([{ value: 'still here' }]);
    expect(Number(readFileSync(pidFile, 'utf8').split('\n')[0])).not.toBe(impostor.pid);
    expect(lines.map((line) => line.msg)).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^removed a stale postmaster.pid \\(pid ${impostor.pid}: that pid belongs to another process`,
        ),
      ),
    );
    expect(impostor.exitCode).toBeNull();
  });
});
