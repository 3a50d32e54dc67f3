import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomExecutor } from '../../../src/executors/custom.js';
import { SCRIPT_RUN_VARIABLE } from '../../../src/executors/marked-processes.js';
import { runExecution } from '../../../src/scheduler/execution-runner.js';
import { createSystemClock } from '../../../src/shared/clock.js';
import { AppError } from '../../../src/shared/errors.js';
import { createRedactor } from '../../../src/shared/redact.js';
import { processesWith } from '../../support/processes-with.js';
import { waitUntil } from '../../support/wait-until.js';
import { createExecutorTestBed, createTestContext, type ExecutorTestBed } from './support.js';

let bed: ExecutorTestBed;
let outside: string;
let marker: string;

function writeScript(path: string, body: string, mode = 0o755): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, mode);
}

beforeAll(async () => {
  bed = await createExecutorTestBed();
  const scripts = bed.deps.scriptsDir;
  outside = join(bed.dir, 'outside');
  marker = join(bed.dir, 'executed.marker');
  mkdirSync(join(scripts, 'nested'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeScript(
    join(scripts, 'hello.sh'),
    'echo "hello from $CHRONOPS_TASK_ID / $CHRONOPS_EXECUTION_ID"; for a in "$@"; do echo "arg=$a"; done',
  );
  writeScript(join(scripts, 'env.sh'), 'env | sort');
  writeScript(join(scripts, 'nested', 'pwd.sh'), 'pwd');
  writeScript(join(scripts, 'fail.sh'), 'echo "starting"; echo "disk full on /var" >&2; exit 3');
  writeScript(
    join(scripts, 'chatty.sh'),
    'i=0; while [ $i -lt 4000 ]; do echo "line $i: 0123456789012345678901234567890123456789012345678901234567890123456789"; i=$((i+1)); done',
  );
  // Ignores SIGTERM, and so does its child: only SIGKILL of the process group ends them.
  writeScript(
    join(scripts, 'stubborn.sh'),
    `trap '' TERM\nsleep 60 &\necho "run $CHRONOPS_SCRIPT_RUN"\necho ready\nwait`,
  );
  writeScript(join(scripts, 'not-executable.sh'), `touch ${marker}`, 0o644);
  writeScript(join(outside, 'evil.sh'), `touch ${marker}`);
  symlinkSync(join(outside, 'evil.sh'), join(scripts, 'escape.sh'));
  symlinkSync(join(scripts, 'hello.sh'), join(scripts, 'alias.sh'));
});
afterAll(async () => {
  await bed.close();
});

function run(
  script: string,
  options: { args?: string[]; signal?: AbortSignal; onLine?: (level: string, line: string) => void } = {},
) {
  const executor = createCustomExecutor(bed.deps);
  const { context, log } = createTestContext({
    type: 'custom',
    params: { kind: 'script', script, ...(options.args ? { args: options.args } : {}) },
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  return { promise: executor(context), log };
}

/** True when no such process exists any more (or only as a zombie waiting for a reaper). */
function isGone(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return true;
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

describe('custom executor: scripts', () => {
  it('runs a script with its arguments (no shell), logging its output', async () => {
    const { promise, log } = run('hello.sh', { args: ['one two', '$(touch /tmp/never)', '; rm -rf /'] });
    const result = await promise;
    const ids = '00000000-0000-4000-8000-000000000001 / 00000000-0000-4000-8000-000000000002';
    expect(result.data).toMatchObject({ kind: 'script', script: 'hello.sh', exitCode: 0 });
    expect(result.data.output).toBe(
      `hello from ${ids}\narg=one two\narg=$(touch /tmp/never)\narg=; rm -rf /\n`,
    );
    expect(log.text()).toContain(`INFO hello from ${ids}`);
  });

  it('gives the script a restricted environment: the target database without its password', async () => {
    const result = await run('env.sh').promise;
    const output = String(result.data.output);
    const names = output
      .trim()
      .split('\n')
      .map((line) => line.split('=')[0]);
    // PWD is added by the shell itself.
    expect(names.filter((name) => name !== 'PWD')).toEqual([
      'CHRONOPS_EXECUTION_ID',
      'CHRONOPS_SCRIPT_RUN',
      'CHRONOPS_TASK_ID',
      'DATABASE_URL',
      'PATH',
      'PGDATABASE',
      'PGHOST',
      'PGPORT',
      'PGUSER',
    ]);
    const target = new URL(bed.deps.targetDatabaseUrl);
    expect(target.password).not.toBe('');
    expect(output).not.toContain(decodeURIComponent(target.password));
    expect(output).toContain(`PGHOST=${target.hostname}\n`);
    expect(output).toContain('PATH=/usr/bin:/bin\n');
  });

  it('passes only the variables the task lists, PGPASSWORD being the target password', async () => {
    const executor = createCustomExecutor({
      ...bed.deps,
      scriptEnvironment: { MY_API_KEY: 'key-for-the-script', SLACK_BOT_TOKEN: 'xoxb-never', OTHER: 'no' },
    });
    const { context } = createTestContext({
      type: 'custom',
      params: { kind: 'script', script: 'env.sh', env: ['MY_API_KEY', 'PGPASSWORD'] },
    });
    const output = String((await executor(context)).data.output);
    expect(output).toContain('MY_API_KEY=key-for-the-script\n');
    expect(output).toContain(
      `PGPASSWORD=${decodeURIComponent(new URL(bed.deps.targetDatabaseUrl).password)}\n`,
    );
    // chronops's own credentials never pass, even when a stored task lists them (the form refuses it).
    expect(output).not.toContain('xoxb-never');
    expect(output).not.toContain('OTHER=');
  });

  it('stores what a script prints of a secret as ***', async () => {
    const executor = createCustomExecutor(bed.deps);
    const password = decodeURIComponent(new URL(bed.deps.targetDatabaseUrl).password);
    writeScript(
      join(bed.deps.scriptsDir, 'leak.sh'),
      'echo "pw=$PGPASSWORD"; echo "url postgres://x:$PGPASSWORD@h/d"; echo "failing with $PGPASSWORD" >&2; exit 1',
    );
    const execution = {
      id: '00000000-0000-4000-8000-0000000000e1',
      taskId: '00000000-0000-4000-8000-0000000000e2',
      attempt: 1,
      trigger: 'manual',
      scheduledFor: null,
      startedAt: new Date(),
      task: {
        id: '00000000-0000-4000-8000-0000000000e2',
        name: 'leaky',
        type: 'custom',
        template: null,
        params: { kind: 'script', script: 'leak.sh', args: [], env: ['PGPASSWORD'] },
        timeoutSeconds: 30,
      },
    } as unknown as Parameters<typeof runExecution>[0];
    const settled = await runExecution(execution, executor, createSystemClock(), {
      redact: createRedactor([password]),
    }).done;
    expect(settled?.status).toBe('failed');
    const stored = JSON.stringify(settled);
    expect(stored).not.toContain(password);
    expect(settled?.logs).toContain('pw=***');
    expect(settled?.logs).toContain('postgres://x:***@h/d');
    expect(settled?.error).toContain('failing with ***');
  });

  it('runs scripts in sub-folders and through symlinks that stay inside, with SCRIPTS_DIR as cwd', async () => {
    expect((await run('nested/pwd.sh').promise).data.output).toBe(`${bed.deps.scriptsDir}\n`);
    expect((await run('alias.sh').promise).data.output).toMatch(/^hello from/);
  });

  it('fails on a non-zero exit with the end of stderr', async () => {
    const error = await run('fail.sh').promise.catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'executor_failed',
      message: 'fail.sh exited with code 3: disk full on /var',
    });
  });

  it('bounds the output it keeps', async () => {
    const { promise, log } = run('chatty.sh');
    const result = await promise;
    const expectedBytes = Array.from({ length: 4000 }, (_, i) => `line ${i}: `.length + 70 + 1).reduce(
      (a, b) => a + b,
    );
    expect(result.data.outputBytes).toBe(expectedBytes);
    const output = String(result.data.output);
    expect(Buffer.byteLength(output)).toBeLessThan(64 * 1024 + 100);
    expect(output).toMatch(/^line 0: /);
    expect(output).toMatch(/\[output truncated: \d+ bytes omitted\]/);
    expect(output).toMatch(/line 3999: \d+\n$/);
    expect(Buffer.byteLength(log.text())).toBeLessThanOrEqual(64 * 1024);
    expect(log.truncated).toBe(true);
    expect(log.text()).toMatch(/\[… log truncated: \d+ line\(s\), \d+ bytes left out …\]/);
  });

  it('kills a script that ignores SIGTERM (and its children) with SIGKILL after the grace period', async () => {
    const controller = new AbortController();
    let marker = '';
    let ready = false;
    const { promise, log } = run('stubborn.sh', {
      signal: controller.signal,
      onLine: (_level, line) => {
        marker = /^run (\S+)$/.exec(line)?.[1] ?? marker;
        ready ||= line === 'ready';
      },
    });
    await waitUntil(async () => ready, 10_000, 'the script is ready');
    // Pids as this machine sees them (the script's own $$ may be a PID namespace's).
    const pids = processesWith(SCRIPT_RUN_VARIABLE, marker);
    // The script and its sleep at least (and the namespace's init, when there is one).
    expect(pids.length).toBeGreaterThanOrEqual(2);
    const started = performance.now();
    controller.abort(new AppError('timed_out', 'engine timeout'));
    const error = await promise.catch((caught: unknown) => caught);
    const elapsedMs = performance.now() - started;
    expect(error).toMatchObject({ code: 'timed_out', message: 'engine timeout' });
    expect(elapsedMs).toBeGreaterThanOrEqual(1900);
    expect(elapsedMs).toBeLessThan(4000);
    // SIGKILL is delivered at once, but the kernel reaps a killed process asynchronously: allow it 1 s.
    const deadline = performance.now() + 1000;
    while (pids.some((pid) => !isGone(pid)) && performance.now() < deadline) await sleep(20);
    expect(pids.filter((pid) => !isGone(pid))).toEqual([]);
    expect(log.text()).toContain('stopped stubborn.sh with SIGKILL');
  });

  describe('refuses paths outside SCRIPTS_DIR before running anything', () => {
    const cases: Array<[string, () => string, RegExp]> = [
      ['a parent-directory path', () => '../outside/evil.sh', /^script: ".*" leaves SCRIPTS_DIR/],
      [
        'a nested parent-directory path',
        () => 'nested/../../outside/evil.sh',
        /^script: ".*" leaves SCRIPTS_DIR/,
      ],
      ['an absolute path', () => join(outside, 'evil.sh'), /^script: ".*" is an absolute path/],
      [
        'a symbolic link leading outside',
        () => 'escape.sh',
        /^script: "escape.sh" resolves outside SCRIPTS_DIR/,
      ],
      [
        'a file that is not executable',
        () => 'not-executable.sh',
        /^script: "not-executable.sh" is not executable/,
      ],
      ['a missing file', () => 'missing.sh', /^script: "missing.sh" was not found in SCRIPTS_DIR/],
      ['a shell command line', () => 'hello.sh; touch /tmp/x', /^script: ".*" is not a plain file name/],
      ['a directory', () => 'nested', /^script: "nested" is not a regular file/],
    ];
    it.each(cases)('%s', async (_label, script, message) => {
      const error = await run(script()).promise.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'invalid_params', field: 'script' });
      expect((error as Error).message).toMatch(message);
      expect(existsSync(marker)).toBe(false);
    });
  });
});
