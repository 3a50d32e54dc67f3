import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/**
 * Every script chronops starts carries `CHRONOPS_SCRIPT_RUN=<pid namespace>.<owner pid>.<owner start
 * time>.<token>` in
 * its environment, and so does whatever it starts, unless it clears its environment. /proc/<pid>/environ
 * shows the environment a process was started with, so the processes of one run can be found even after
 * they left its process group (`setsid`) or lost their parent, and those of a chronops process that is
 * gone (crashed) can be told from those of a live one. Linux only: without /proc nothing is found.
 */
export const SCRIPT_RUN_VARIABLE = 'CHRONOPS_SCRIPT_RUN';

export interface MarkedProcess {
  readonly pid: number;
  /** The value of CHRONOPS_SCRIPT_RUN. */
  readonly marker: string;
}

/** A marker for one run of this process: unique, and naming this process as its owner. */
export function newRunMarker(): string {
  return `${pidNamespace()}.${process.pid}.${startTimeOf(process.pid) ?? 0}.${randomBytes(8).toString('hex')}`;
}

/**
 * The inode of this process's PID namespace: a marker's owner pid means something only there. Another
 * chronops seen through /proc from outside its container is none of this one's business.
 */
function pidNamespace(): string {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '0';
  } catch {
    return '0';
  }
}

/**
 * Processes carrying a marker, except this one. Processes of other users (their environ is not readable)
 * and zombies (it is empty) are not listed.
 */
export async function listMarkedProcesses(): Promise<MarkedProcess[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const prefix = `${SCRIPT_RUN_VARIABLE}=`;
  const found: MarkedProcess[] = [];
  await Promise.all(
    entries.map(async (entry) => {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) return;
      let environ: string;
      try {
        environ = await readFile(`/proc/${entry}/environ`, 'latin1');
      } catch {
        return;
      }
      for (const variable of environ.split('\0')) {
        if (variable.startsWith(prefix)) {
          found.push({ pid: Number(entry), marker: variable.slice(prefix.length) });
          return;
        }
      }
    }),
  );
  return found;
}

/**
 * Signals every process carrying `marker`, again until none is left (a process may fork while the
 * first round is sent), for at most `rounds` rounds. Returns how many distinct processes were signalled.
 */
export async function signalMarked(marker: string, signal: NodeJS.Signals, rounds = 10): Promise<number> {
  const signalled = new Set<number>();
  for (let round = 0; round < rounds; round++) {
    const targets = (await listMarkedProcesses()).filter((process) => process.marker === marker);
    const fresh = targets.filter((target) => signal === 'SIGKILL' || !signalled.has(target.pid));
    if (fresh.length === 0) break;
    for (const target of fresh) {
      try {
        process.kill(target.pid, signal);
        signalled.add(target.pid);
      } catch {
        // Gone already.
      }
    }
    if (signal !== 'SIGKILL') break;
    // Let the kernel deliver the kills before looking again (a SIGKILLed process is no longer listed
    // once it is a zombie).
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return signalled.size;
}

/**
 * SIGKILLs the script processes whose owner is gone: a chronops process that crashed (or was SIGKILLed)
 * while its script ran, where nothing took the script down with it (docs/SECURITY.md, "Scripts end
 * with their run"). The owner is alive when its pid runs with the same start time; markers of another
 * PID namespace (a chronops in another container seen from the host) are left alone. Returns the count.
 */
export async function killOrphanedScripts(): Promise<number> {
  const orphans = new Set<string>();
  const namespace = pidNamespace();
  for (const { marker } of await listMarkedProcesses()) {
    const [markerNamespace, pid, started] = marker.split('.');
    if (markerNamespace !== namespace) continue;
    const ownerPid = Number(pid);
    if (!Number.isInteger(ownerPid) || ownerPid <= 0) continue;
    if (startTimeOf(ownerPid) !== Number(started)) orphans.add(marker);
  }
  let killed = 0;
  for (const marker of orphans) killed += await signalMarked(marker, 'SIGKILL');
  return killed;
}

/**
 * Field 22 of /proc/<pid>/stat (clock ticks since boot): with the pid, names one process for good.
 * Undefined when there is no such process, or only its zombie.
 */
function startTimeOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie has ended; only its exit status waits for its parent.
    if (fields[0] === 'Z') return undefined;
    const value = Number(fields[19]);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
