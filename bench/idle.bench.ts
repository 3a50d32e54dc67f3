import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Idle cost: one replica as `npm start` runs it (embedded PostgreSQL, the system tasks, the sandbox),
 * left alone. CPU of the service process and of PostgreSQL (the postmaster and its backends) over
 * BENCH_IDLE_SECONDS (default 60) after a warm-up, read from /proc (utime + stime), as a percentage
 * of one core.
 */
const TICKS_PER_SECOND = 100;

function cpuTicks(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat; fields[0] here is field 3.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** The postmaster and every process whose parent it is (backends, checkpointer, walwriter…). */
function postgresTicks(postmasterPid: number): number {
  let total = cpuTicks(postmasterPid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      if (ppid === postmasterPid) total += cpuTicks(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

export async function run(): Promise<void> {
  const seconds = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
  const warmupSeconds = Number(process.env.BENCH_IDLE_WARMUP_SECONDS ?? 20);
  const dataDir = mkdtempSync(join(tmpdir(), 'chronops-idle-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      CHRONOPS_DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await sleep(warmupSeconds * 1000);
    const postmaster = Number(readFileSync(join(dataDir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const service0 = cpuTicks(child.pid!);
    const postgres0 = postgresTicks(postmaster);
    await sleep(seconds * 1000);
    const serviceTicks = cpuTicks(child.pid!) - service0;
    const pgTicks = postgresTicks(postmaster) - postgres0;
    const percent = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 100 * 1000) / 1000;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'idle',
        seconds,
        serviceCpuSeconds: serviceTicks / TICKS_PER_SECOND,
        postgresCpuSeconds: pgTicks / TICKS_PER_SECOND,
        servicePercentOfCore: percent(serviceTicks),
        postgresPercentOfCore: percent(pgTicks),
      })}\n`,
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
