import type pg from 'pg';
import { createCustomExecutor } from '../../src/executors/custom.js';
import type { ExecutorDeps } from '../../src/executors/deps.js';

// A chronops stand-in as an OS process of its own, for kill -9 tests: runs one custom script through the
// real executor and prints every log line to stdout (`LOG <level> <line>`), then `DONE` or `FAILED`.
//
//   node --import tsx test/support/script-owner.ts <scriptsDir> <script> <tier|best> <token> [args…]
//
// `token` reaches the script as CHRONOPS_TEST_TOKEN (a variable the task lists in `env`), so the test
// can find every process of the run in /proc whatever chronops does. `best` is what production uses.

const [scriptsDir, script, tier, token, ...args] = process.argv.slice(2);
if (!scriptsDir || !script || !tier || !token) {
  process.stderr.write('usage: script-owner.ts <scriptsDir> <script> <tier|best> <token> [args…]\n');
  process.exit(2);
}

let scriptContainment: ExecutorDeps['scriptContainment'];
if (tier !== 'best') {
  const { containmentOfTier } = await import('../../src/executors/process-containment.js');
  const containment = await containmentOfTier(tier as 'pid-namespace' | 'parent-death' | 'process-group');
  if (!containment) {
    process.stdout.write(`UNAVAILABLE ${tier}\n`);
    process.exit(0);
  }
  scriptContainment = async () => containment;
}

const deps: ExecutorDeps = {
  targetPool: {} as pg.Pool,
  targetDatabaseUrl: 'postgres://nobody@127.0.0.1:1/none',
  backupDir: '/nonexistent',
  scriptsDir,
  scriptEnvironment: { CHRONOPS_TEST_TOKEN: token },
  ...(scriptContainment ? { scriptContainment } : {}),
};
const line = (level: string) => (message: string) => process.stdout.write(`LOG ${level} ${message}\n`);
try {
  await createCustomExecutor(deps)({
    task: {
      id: '00000000-0000-4000-8000-0000000000a1',
      name: 'owned script',
      type: 'custom',
      template: null,
      params: { kind: 'script', script, args, env: ['CHRONOPS_TEST_TOKEN'] },
      timeoutSeconds: 600,
      overlapPolicy: 'skip',
      alertChannel: null,
    },
    execution: {
      id: '00000000-0000-4000-8000-0000000000a2',
      attempt: 1,
      trigger: 'manual',
      scheduledFor: null,
    },
    signal: new AbortController().signal,
    log: { info: line('info'), warn: line('warn'), error: line('error') },
    now: () => new Date(),
  });
  process.stdout.write('DONE\n');
} catch (error) {
  process.stdout.write(`FAILED ${(error as Error).message}\n`);
}
