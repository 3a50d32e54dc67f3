import { spawnSync } from 'node:child_process';
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
});
