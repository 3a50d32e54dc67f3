import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { createCustomExecutor } from '../../../src/executors/custom.js';
import type { ExecutorDeps } from '../../../src/executors/deps.js';
import { processesWith } from '../../support/processes-with.js';
import { createTestContext } from './support.js';

/**
 * Every process of a run is found by this variable of the tests' own (listed in the task's `env`), not
 * by chronops's marker, so the tests hold whatever chronops does.
 */
export const TOKEN_VARIABLE = 'CHRONOPS_TEST_TOKEN';

export const newToken = () => randomBytes(8).toString('hex');

export const processesOfRun = (token: string) => processesWith(TOKEN_VARIABLE, token);

export function killRun(token: string): void {
  for (const pid of processesOfRun(token)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}

/** A temp folder (world-writable, for the unprivileged owner) with the scripts these tests run. */
export function createScriptsFolder(): { dir: string; scriptsDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'chronops-containment-'));
  chmodSync(dir, 0o777);
  const scriptsDir = join(dir, 'scripts');
  mkdirSync(scriptsDir);
  chmodSync(scriptsDir, 0o755);
  const write = (name: string, body: string) => {
    writeFileSync(join(scriptsDir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(scriptsDir, name), 0o755);
  };
  write(
    'heartbeat.sh',
    'sleep 1000 &\nsetsid sleep 1000 &\necho ready\nwhile :; do date +%s%N > "$1"; sleep 0.1; done',
  );
  // `setsid` gives the sleeps a session and process group of their own: a group kill misses them.
  write('escape.sh', 'setsid sleep 1000 &\nsetsid -f sleep 1000\necho ready\nsleep 1000');
  write('leave-behind.sh', 'setsid -f sleep 1000\nsleep 1000 &\necho "left two behind"');
  write('quick.sh', 'echo quick');
  return { dir, scriptsDir };
}

/** Runs `script` through the custom executor in this process. */
export function runInProcess(
  scriptsDir: string,
  script: string,
  token: string,
  options: {
    signal?: AbortSignal;
    onReady?: () => void;
    scriptContainment?: ExecutorDeps['scriptContainment'];
  } = {},
) {
  const deps: ExecutorDeps = {
    targetPool: {} as pg.Pool,
    targetDatabaseUrl: 'postgres://nobody@127.0.0.1:1/none',
    backupDir: '/nonexistent',
    scriptsDir,
    scriptEnvironment: { [TOKEN_VARIABLE]: token },
    ...(options.scriptContainment ? { scriptContainment: options.scriptContainment } : {}),
  };
  const { context, log } = createTestContext({
    type: 'custom',
    params: { kind: 'script', script, env: [TOKEN_VARIABLE] },
    ...(options.signal ? { signal: options.signal } : {}),
    onLine: (_level, line) => {
      if (line === 'ready') options.onReady?.();
    },
  });
  return { promise: createCustomExecutor(deps)(context), log };
}

/** The users a chronops stand-in runs as: this one, and nobody too when this is root. */
export const OWNERS: Array<{ name: string; prefix: string[] }> = [
  { name: process.getuid?.() === 0 ? 'root' : 'this user', prefix: [] },
  ...(process.getuid?.() === 0
    ? [
        {
          name: 'nobody (unprivileged)',
          prefix: ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'],
        },
      ]
    : []),
];

/** A chronops stand-in as an OS process (test/support/script-owner.ts) running one script. */
export function startOwner(
  prefix: readonly string[],
  scriptsDir: string,
  script: string,
  tier: string,
  token: string,
  args: readonly string[],
  home: string,
) {
  const command = [
    ...prefix,
    process.execPath,
    '--import',
    'tsx',
    'test/support/script-owner.ts',
    scriptsDir,
    script,
    tier,
    token,
    ...args,
  ];
  const child: ChildProcess = spawn(command[0]!, command.slice(1), {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, text: () => output.join(''), exited };
}
