import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { type RunAs, safeEnv } from './embedded-os-user.js';

/**
 * The embedded server's process: started on a loopback port with no Unix socket, resolved once it logs
 * that it accepts connections, and stopped with a fast shutdown.
 */

const READY_TIMEOUT_MS = 30_000;

/** Starts `postgres` on `port`; rejects with its stderr when it exits or is not ready in time. */
export function spawnServer(
  binDir: string,
  dataDir: string,
  port: number,
  runAs: RunAs | undefined,
  settings: Record<string, string>,
): Promise<ChildProcess> {
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
  ];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  const child = spawn(join(binDir, 'postgres'), args, {
    ...(runAs ?? {}),
    env: { ...safeEnv(), LC_MESSAGES: 'C' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolvePromise, reject) => {
    let stderr = '';
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        child.kill('SIGKILL');
        reject(error);
      } else {
        // Keep draining stderr so the pipe never fills and blocks the server.
        child.stderr?.removeAllListeners('data');
        child.stderr?.resume();
        resolvePromise(child);
      }
    };
    const timer = setTimeout(
      () =>
        finish(new Error(`did not accept connections within ${READY_TIMEOUT_MS / 1000} s. ${stderr.trim()}`)),
      READY_TIMEOUT_MS,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('ready to accept connections')) finish();
    });
    child.on('error', (error) => finish(error));
    child.on('exit', (code, signal) =>
      finish(new Error(`postgres exited during start (code ${code}, signal ${signal}): ${stderr.trim()}`)),
    );
  });
}

/** Stops the server (killed after 10 s), then removes the data folder's parent when `removeDir` is set. */
export async function stopServer(child: ChildProcess, removeDir: string | undefined): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolvePromise) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolvePromise();
      });
      // SIGINT = "fast" shutdown: abort open transactions, checkpoint, exit.
      child.kill('SIGINT');
    });
  }
  if (removeDir) rmSync(dirname(removeDir), { recursive: true, force: true });
}

/** A loopback port free now; another process may take it before the server binds (the caller retries). */
export function findFreePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}
