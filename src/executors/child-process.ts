import { spawn } from 'node:child_process';
import { abortError } from './abort.js';
import { SCRIPT_RUN_VARIABLE, signalMarked } from './marked-processes.js';
import type { Containment } from './process-containment.js';

/** Output kept per stream: 64 KiB, of which the last quarter is the tail (where errors usually are). */
export const CHILD_OUTPUT_MAX_BYTES = 64 * 1024;
/** Between SIGTERM and SIGKILL: a child that traps or ignores SIGTERM still dies this soon. */
export const CHILD_KILL_GRACE_MS = 2000;

export interface ChildRunOptions {
  /** Executable path (or a name looked up in env.PATH); never run through a shell. */
  file: string;
  args: readonly string[];
  cwd?: string;
  /** The complete environment of the child: nothing is inherited from this process. */
  env: Record<string, string>;
  signal: AbortSignal;
  /** Per stream; beyond it the middle of the output is replaced by a marker. */
  maxOutputBytes?: number;
  killGraceMs?: number;
  /** Each complete stdout/stderr line (cut at 4 KiB), e.g. to forward into the execution log. */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /**
   * Keeps the child's processes from outliving the run (process-containment.ts): the command runs
   * under `containment.prefix` and carries `marker` in CHRONOPS_SCRIPT_RUN; on abort every process
   * still carrying it gets the group's SIGTERM and SIGKILL, and once the child has exited whatever
   * carries it is SIGKILLed (a `setsid` daemon, a background job the script left).
   */
  contain?: { readonly containment: Containment; readonly marker: string };
}

export interface ChildRunResult {
  exitCode: number | null;
  /** The signal that ended the child, when one did. */
  exitSignal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Total bytes written, including what the bounded capture dropped. */
  stdoutBytes: number;
  stderrBytes: number;
  /** True when the signal aborted and the child was told to stop. */
  aborted: boolean;
  /** True when SIGTERM was not enough and SIGKILL was sent. */
  forceKilled: boolean;
  /** Processes of the run killed by their marker after the child exited (0 without `contain`). */
  strays: number;
  durationMs: number;
}

/**
 * Runs a child process with `shell: false`, bounded output capture and kill-on-abort. The child gets
 * its own process group (detached), so abort signals the whole group: a shell script's own children
 * (a `sleep`, a `psql`) die with it and cannot keep the pipes, and the run, alive. SIGTERM first, then
 * SIGKILL after `killGraceMs`. With `contain`, processes that left the group and a crash of chronops
 * are covered too (process-containment.ts).
 *
 * Resolves when the child has exited and its output is drained, whatever its exit code; rejects when
 * it cannot be started (ENOENT, EACCES: the error's `code` says which) or when the signal had already
 * aborted before the start.
 *
 * Stays whole: the child's life (spawn, capture, abort, kill, drain) is one promise with shared timers.
 */
export function runChildProcess(options: ChildRunOptions): Promise<ChildRunResult> {
  if (options.signal.aborted) return Promise.reject(abortError(options.signal));
  const maxBytes = options.maxOutputBytes ?? CHILD_OUTPUT_MAX_BYTES;
  const graceMs = options.killGraceMs ?? CHILD_KILL_GRACE_MS;
  const started = performance.now();

  const contain = options.contain;
  const [file, ...args] = contain
    ? [...contain.containment.prefix, options.file, ...options.args]
    : [options.file, ...options.args];

  return new Promise((resolve, reject) => {
    const child = spawn(file ?? options.file, args, {
      cwd: options.cwd,
      env: contain ? { ...options.env, [SCRIPT_RUN_VARIABLE]: contain.marker } : options.env,
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = createOutputCapture(maxBytes, (line) => options.onLine?.('stdout', line));
    const stderr = createOutputCapture(maxBytes, (line) => options.onLine?.('stderr', line));
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

    let aborted = false;
    let forceKilled = false;
    let strays: Promise<number> = Promise.resolve(0);
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;

    const signalGroup = (name: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, name);
      } catch {
        // The group is already gone (or was never created): signal the child alone.
        child.kill(name);
      }
    };
    // Processes that left the group (setsid) are reached by their marker.
    const signalMarker = (name: NodeJS.Signals) => {
      if (contain) void signalMarked(contain.marker, name).catch(() => 0);
    };
    const onAbort = () => {
      aborted = true;
      signalGroup('SIGTERM');
      signalMarker('SIGTERM');
      killTimer = setTimeout(() => {
        forceKilled = true;
        signalGroup('SIGKILL');
        signalMarker('SIGKILL');
      }, graceMs);
    };
    options.signal.addEventListener('abort', onAbort, { once: true });

    const cleanUp = () => {
      options.signal.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
    };
    child.once('error', (error) => {
      cleanUp();
      reject(error);
    });
    child.once('exit', () => {
      // Whatever of the run is still alive once its first process is gone would run on unwatched.
      if (contain) strays = signalMarked(contain.marker, 'SIGKILL').catch(() => 0);
      // A grandchild that left the process group may hold the pipes open forever; stop waiting after 1 s.
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, 1000);
    });
    child.once('close', async (code, exitSignal) => {
      // After a spawn 'error' the promise is already rejected; this resolve is then a no-op.
      cleanUp();
      const killedStrays = await strays;
      resolve({
        exitCode: code,
        exitSignal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdoutBytes: stdout.totalBytes(),
        stderrBytes: stderr.totalBytes(),
        aborted,
        forceKilled,
        strays: killedStrays,
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}

export interface OutputCapture {
  push(chunk: Buffer): void;
  /** Head and tail of the output, with a marker counting the bytes left out between them. */
  text(): string;
  /** The last `maxBytes` bytes that were kept, for error messages. */
  tail(maxBytes: number): string;
  totalBytes(): number;
}

/**
 * Keeps the first three quarters of `maxBytes` and a rolling last quarter: the start says what ran,
 * the end says how it failed.
 */
export function createOutputCapture(maxBytes: number, onLine?: (line: string) => void): OutputCapture {
  const headMax = Math.floor((maxBytes * 3) / 4);
  const tailMax = maxBytes - headMax;
  const head: Buffer[] = [];
  let headBytes = 0;
  let tailChunks: Buffer[] = [];
  let tailBytes = 0;
  let total = 0;
  let partialLine = '';

  const emitLines = (chunk: Buffer) => {
    if (!onLine) return;
    const text = partialLine + chunk.toString('utf8');
    const parts = text.split('\n');
    partialLine = (parts.pop() ?? '').slice(0, 4096);
    for (const line of parts) onLine(line.slice(0, 4096));
  };

  return {
    push(chunk) {
      total += chunk.length;
      emitLines(chunk);
      let rest = chunk;
      if (headBytes < headMax) {
        const taken = rest.subarray(0, headMax - headBytes);
        head.push(taken);
        headBytes += taken.length;
        rest = rest.subarray(taken.length);
      }
      if (rest.length === 0) return;
      tailChunks.push(rest);
      tailBytes += rest.length;
      if (tailBytes > tailMax) {
        const joined = Buffer.concat(tailChunks).subarray(tailBytes - tailMax);
        tailChunks = [joined];
        tailBytes = joined.length;
      }
    },
    text() {
      const headText = Buffer.concat(head).toString('utf8');
      const omitted = total - headBytes - tailBytes;
      const tailText = Buffer.concat(tailChunks).toString('utf8');
      if (omitted <= 0) return headText + tailText;
      return `${headText}\n[output truncated: ${omitted} bytes omitted]\n${tailText}`;
    },
    tail(maxTailBytes) {
      const all = Buffer.concat([...head, ...tailChunks]);
      return all.subarray(Math.max(0, all.length - maxTailBytes)).toString('utf8');
    },
    totalBytes: () => total,
  };
}
