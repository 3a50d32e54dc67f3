import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * How a script's processes are kept from outliving its run (docs/SECURITY.md, "Scripts end with their
 * run"), strongest first:
 *
 * - `pid-namespace`: `setpriv --pdeathsig KILL -- unshare --pid --fork --kill-child=SIGKILL -- sh -c …`
 *   (util-linux). The script runs in a PID namespace of its own under a small init (`sh`, PID 1 there);
 *   when that init ends, the kernel kills every process left in the namespace, whatever session or
 *   group it moved to and whatever it did to its environment. The init ends when the script ends, or
 *   when `unshare` dies (`--kill-child`), which dies with chronops (`--pdeathsig`, a parent-death
 *   signal set by `setpriv` and kept across its exec of `unshare`). Unprivileged, the namespace needs a
 *   user namespace too (`--user --map-current-user`: the script keeps its uid).
 * - `parent-death`: `setpriv --pdeathsig KILL -- script`: the script's own process dies with chronops;
 *   its children are found by their CHRONOPS_SCRIPT_RUN marker (marked-processes.ts) on timeout, at
 *   the script's exit, and by the orphan sweep of the next script start on this machine.
 * - `process-group`: no setpriv: the process group and the marker only.
 *
 * The first that starts `/bin/true` here is used (namespaces are often refused inside containers).
 */
export type ContainmentTier = 'pid-namespace' | 'parent-death' | 'process-group';

export interface Containment {
  readonly tier: ContainmentTier;
  /** Put before the command's file and arguments. */
  readonly prefix: readonly string[];
}

/**
 * The init of the namespace. PID 1 of a namespace receives from outside only the signals it handles,
 * so the script must not be PID 1, or the SIGTERM of a timeout would not reach a script that does not
 * trap it; it is this init's child, in the same process group, and gets the group's SIGTERM itself.
 * The init exits with the script's status (128 + n when signal n ended it).
 */
const NAMESPACE_INIT = '"$@" & wait "$!"';

const SYSTEM_BINARIES = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

function findBinary(name: string): string | undefined {
  for (const dir of SYSTEM_BINARIES) {
    const path = `${dir}/${name}`;
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** Every tier this machine has the binaries for, strongest first (not yet tried). */
export function containmentCandidates(): Containment[] {
  const setpriv = findBinary('setpriv');
  const unshare = findBinary('unshare');
  const candidates: Containment[] = [];
  if (setpriv && unshare) {
    const parentDeath = [setpriv, '--pdeathsig', 'KILL', '--'];
    const namespace = ['--pid', '--fork', '--kill-child=SIGKILL'];
    const init = ['--', '/bin/sh', '-c', NAMESPACE_INIT, 'chronops-script-init'];
    candidates.push({ tier: 'pid-namespace', prefix: [...parentDeath, unshare, ...namespace, ...init] });
    candidates.push({
      tier: 'pid-namespace',
      prefix: [...parentDeath, unshare, '--user', '--map-current-user', ...namespace, ...init],
    });
  }
  if (setpriv) candidates.push({ tier: 'parent-death', prefix: [setpriv, '--pdeathsig', 'KILL', '--'] });
  candidates.push({ tier: 'process-group', prefix: [] });
  return candidates;
}

/** Runs `/bin/true` under `containment`; true when it started and exited 0 within 5 s. */
export function tryContainment(containment: Containment): Promise<boolean> {
  const [file, ...args] = [...containment.prefix, '/bin/true'];
  if (file === undefined) return Promise.resolve(true);
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: 'ignore', env: { PATH: '/usr/bin:/bin' }, timeout: 5000 });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

let best: Promise<Containment> | undefined;

/** The strongest containment that works on this machine, found once per process. */
export function bestContainment(): Promise<Containment> {
  best ??= (async () => {
    for (const candidate of containmentCandidates()) {
      if (await tryContainment(candidate)) return candidate;
    }
    return { tier: 'process-group', prefix: [] } satisfies Containment;
  })();
  return best;
}

/** The first working candidate of `tier` (tests compare the tiers). */
export async function containmentOfTier(tier: ContainmentTier): Promise<Containment | undefined> {
  for (const candidate of containmentCandidates()) {
    if (candidate.tier === tier && (await tryContainment(candidate))) return candidate;
  }
  return undefined;
}

/** What the execution log says about it. */
export function describeContainment(tier: ContainmentTier): string {
  switch (tier) {
    case 'pid-namespace':
      return 'in a PID namespace of its own (every process of it ends with the run or with chronops)';
    case 'parent-death':
      return 'with a parent-death signal (no PID namespace here: processes it starts are found by their CHRONOPS_SCRIPT_RUN marker)';
    case 'process-group':
      return 'in a process group (no setpriv here: processes it starts are found by their CHRONOPS_SCRIPT_RUN marker)';
  }
}
