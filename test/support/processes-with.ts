import { readdirSync, readFileSync } from 'node:fs';

/**
 * Pids of the live processes whose environment holds `NAME=value` (read from /proc/<pid>/environ; a
 * zombie's is empty, so the dead are not counted). The test's own way to find a run's processes,
 * independent of whatever chronops marks them with.
 */
export function processesWith(name: string, value: string): number[] {
  const wanted = `${name}=${value}`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(wanted)) {
        pids.push(Number(entry));
      }
    } catch {
      // Gone, or not ours to read.
    }
  }
  return pids;
}
