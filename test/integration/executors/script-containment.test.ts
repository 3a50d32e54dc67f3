import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/shared/errors.js';
import { waitUntil } from '../../support/wait-until.js';
import {
  createScriptsFolder,
  killRun,
  newToken,
  OWNERS,
  processesOfRun,
  runInProcess,
  startOwner,
} from './script-containment-support.js';

// A script's processes end with its run and with chronops, with the containment production picks
// (process-containment.ts `bestContainment`). The weaker tiers: script-containment-tiers.test.ts.

let dir: string;
let scriptsDir: string;

beforeAll(() => {
  ({ dir, scriptsDir } = createScriptsFolder());
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('scripts die with chronops', () => {
  for (const owner of OWNERS) {
    it(`a SIGKILLed chronops process (as ${owner.name}) leaves no process of its script running`, async () => {
      const token = newToken();
      const heartbeat = join(dir, `heartbeat-${token}`);
      const run = startOwner(owner.prefix, scriptsDir, 'heartbeat.sh', 'best', token, [heartbeat], dir);
      try {
        await waitUntil(
          async () => run.text().includes('LOG info ready') && existsSync(heartbeat),
          30_000,
          `the script beats (output so far: ${run.text()})`,
        );
        // The script, its two sleeps and its loop's sleep at least: the test sees them.
        expect(processesOfRun(token).length).toBeGreaterThanOrEqual(3);
        const killedAt = performance.now();
        run.child.kill('SIGKILL');
        await run.exited;
        await waitUntil(
          async () => processesOfRun(token).length === 0,
          10_000,
          `no process of the script is left (${run.text()})`,
        );
        const goneMs = performance.now() - killedAt;
        // And the heartbeat has stopped for good.
        const last = readFileSync(heartbeat, 'utf8');
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(readFileSync(heartbeat, 'utf8')).toBe(last);
        process.stdout.write(
          `[containment] ${owner.name}: every process gone ${Math.round(goneMs)} ms after the SIGKILL\n`,
        );
      } finally {
        run.child.kill('SIGKILL');
        killRun(token);
      }
    });
  }
});

describe('a script that leaves its process group (setsid) still ends with its run', () => {
  it('on timeout or cancel: no process of the run survives the abort', async () => {
    const token = newToken();
    const controller = new AbortController();
    const { promise } = runInProcess(scriptsDir, 'escape.sh', token, {
      signal: controller.signal,
      onReady: () => controller.abort(new AppError('timed_out', 'engine timeout')),
    });
    try {
      const error = await promise.catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'timed_out' });
      // A SIGKILLed process is reaped asynchronously: allow it a moment.
      await waitUntil(async () => processesOfRun(token).length === 0, 3000, 'no process of the run is left');
    } finally {
      killRun(token);
    }
  });

  it('at its normal end: what it left running is killed', async () => {
    const token = newToken();
    const { promise } = runInProcess(scriptsDir, 'leave-behind.sh', token);
    try {
      const result = await promise;
      expect(result.data).toMatchObject({ exitCode: 0, output: 'left two behind\n' });
      await waitUntil(async () => processesOfRun(token).length === 0, 3000, 'no process of the run is left');
    } finally {
      killRun(token);
    }
  });
});
