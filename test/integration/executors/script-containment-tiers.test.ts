import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContainmentTier, containmentOfTier } from '../../../src/executors/process-containment.js';
import { AppError } from '../../../src/shared/errors.js';
import { waitUntil } from '../../support/wait-until.js';
import {
  createScriptsFolder,
  killRun,
  newToken,
  processesOfRun,
  runInProcess,
  startOwner,
} from './script-containment-support.js';

// What the weaker containments still guarantee where PID namespaces are refused (containers without
// CAP_SYS_ADMIN or user namespaces): the CHRONOPS_SCRIPT_RUN marker reaches the processes that left
// the group, and the next script start on the machine kills the orphans of a chronops that died.

let dir: string;
let scriptsDir: string;

beforeAll(() => {
  ({ dir, scriptsDir } = createScriptsFolder());
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function tier(name: ContainmentTier) {
  const containment = await containmentOfTier(name);
  // setpriv is part of util-linux, which Debian always installs; the process group needs nothing.
  if (!containment) throw new Error(`no ${name} containment on this machine`);
  return async () => containment;
}

for (const name of ['parent-death', 'process-group'] as const) {
  describe(`${name} containment`, () => {
    it('kills the processes that left the group (setsid) on timeout or cancel', async () => {
      const token = newToken();
      const controller = new AbortController();
      const { promise, log } = runInProcess(scriptsDir, 'escape.sh', token, {
        signal: controller.signal,
        onReady: () => controller.abort(new AppError('timed_out', 'engine timeout')),
        scriptContainment: await tier(name),
      });
      try {
        expect(await promise.catch((caught: unknown) => caught)).toMatchObject({ code: 'timed_out' });
        await waitUntil(
          async () => processesOfRun(token).length === 0,
          3000,
          'no process of the run is left',
        );
        expect(log.text()).toContain('CHRONOPS_SCRIPT_RUN marker');
      } finally {
        killRun(token);
      }
    });

    it('kills what a script left running at its normal end, and says so', async () => {
      const token = newToken();
      const { promise, log } = runInProcess(scriptsDir, 'leave-behind.sh', token, {
        scriptContainment: await tier(name),
      });
      try {
        expect((await promise).data).toMatchObject({ exitCode: 0 });
        await waitUntil(
          async () => processesOfRun(token).length === 0,
          3000,
          'no process of the run is left',
        );
        expect(log.text()).toContain('killed 2 processes leave-behind.sh left running');
      } finally {
        killRun(token);
      }
    });

    it('after chronops is SIGKILLed, the next script start kills what is left of the run', async () => {
      const token = newToken();
      const heartbeat = join(dir, `heartbeat-${token}`);
      const run = startOwner([], scriptsDir, 'heartbeat.sh', name, token, [heartbeat], dir);
      try {
        await waitUntil(
          async () => run.text().includes('LOG info ready') && existsSync(heartbeat),
          30_000,
          `the script beats (output so far: ${run.text()})`,
        );
        run.child.kill('SIGKILL');
        await run.exited;
        if (name === 'parent-death') {
          // The script itself dies with its parent: the heartbeat stops.
          await waitUntil(
            async () => {
              const before = readFileSync(heartbeat, 'utf8');
              await new Promise((resolve) => setTimeout(resolve, 400));
              return readFileSync(heartbeat, 'utf8') === before;
            },
            10_000,
            'the heartbeat stops',
          );
        }
        // What it started is still there until a script starts again on this machine.
        expect(processesOfRun(token).length).toBeGreaterThanOrEqual(2);
        const next = runInProcess(scriptsDir, 'quick.sh', newToken(), {
          scriptContainment: await tier(name),
        });
        await next.promise;
        expect(next.log.text()).toMatch(
          /killed \d+ script process(es)? left running by a chronops process that is gone/,
        );
        await waitUntil(
          async () => processesOfRun(token).length === 0,
          3000,
          'no process of the run is left',
        );
      } finally {
        run.child.kill('SIGKILL');
        killRun(token);
      }
    });
  });
}
