import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/shared/errors.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../../src/store/embedded-postgres.js';

const folders: string[] = [];
const servers: EmbeddedPostgres[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function tempFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  folders.push(folder);
  return folder;
}

/** Starts the server, or returns what it threw (a server started by old code is stopped at once). */
async function startOrError(dataDir: string): Promise<EmbeddedPostgres | unknown> {
  return startEmbeddedPostgres({ dataDir, database: 'kept' }).then(
    (server) => {
      servers.push(server);
      return server;
    },
    (error: unknown) => error,
  );
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
});
