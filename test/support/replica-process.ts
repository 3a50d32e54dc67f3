import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A chronops replica as a separate OS process (`node --import tsx src/main.ts`), for kill -9 tests. */
export interface ReplicaProcess {
  readonly workerId: string;
  readonly child: ChildProcess;
  readonly output: string[];
  ready(): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  exited(): Promise<number | null>;
}

export function startReplica(workerId: string, env: Record<string, string>): ReplicaProcess {
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      PORT: '0',
      LOG_LEVEL: 'info',
      WORKER_ID: workerId,
      DEMO_DATA: 'false',
      CHRONOPS_DATA_DIR: mkdtempSync(join(tmpdir(), 'chronops-replica-')),
      // These replicas talk to a test database without Slack tokens: the sandbox, asked for explicitly.
      CHRONOPS_SANDBOX: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const readyPromise = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output.push(text);
      if (text.includes('chronops ready on')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    void exit.then((code) =>
      reject(new Error(`replica ${workerId} exited with ${code} before being ready:\n${output.join('')}`)),
    );
  });
  readyPromise.catch(() => {});
  return {
    workerId,
    child,
    output,
    ready: () => readyPromise,
    kill: (signal) => child.kill(signal),
    exited: () => exit,
  };
}
