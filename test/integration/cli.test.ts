import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';

describe('npm start with a bad configuration', () => {
  it('exits with status 1 and one sentence per problem, without touching the database', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: 'abc',
        LOCALE: 'klingon',
        CHRONOPS_DATA_DIR: '/nonexistent/never',
      },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT must be a whole number between 0 and 65535 (got "abc").');
    expect(result.stderr).toContain('LOCALE must be en or fr (got "klingon").');
  });

  it('refuses a DATABASE_URL without Slack tokens before connecting to it (no silent sandbox)', async () => {
    // Stands for the production database: it counts who tries to connect.
    let connections = 0;
    const database = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => database.listen(0, '127.0.0.1', resolve));
    const address = database.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: `postgres://u:p@127.0.0.1:${port}/x` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      // A service that does start (tries to connect, retries) is stopped here rather than left behind.
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      clearTimeout(killer);
      expect(status).toBe(1);
      expect(stderr).toBe(
        'chronops: Invalid configuration:\n' +
          '  - Slack tokens are missing: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP) or SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode); or set CHRONOPS_SANDBOX=true to use the local sandbox against this database.\n',
      );
      expect(stdout).toBe('');
      expect(connections).toBe(0);
    } finally {
      await new Promise<void>((resolve) => database.close(() => resolve()));
    }
  });
});
