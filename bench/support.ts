import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, type DatabaseHandle, runMigrations } from '../src/store/database.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../src/store/embedded-postgres.js';

/** A fresh migrated database on a throw-away embedded PostgreSQL (or BENCH_DATABASE_URL's server). */
export async function createBenchDatabase(
  name: string,
): Promise<{ url: string; handle: DatabaseHandle; close(): Promise<void> }> {
  let server: EmbeddedPostgres | undefined;
  let adminUrl = process.env.BENCH_DATABASE_URL;
  if (!adminUrl) {
    server = await startEmbeddedPostgres({
      dataDir: mkdtempSync(join(tmpdir(), 'chronops-bench-')),
      database: 'postgres',
      persistent: false,
      settings: { max_connections: '300', shared_buffers: '256MB', synchronous_commit: 'off' },
    });
    adminUrl = server.url;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = createDatabase(url.toString(), { max: 8 });
  await runMigrations(handle.pool);
  return {
    url: url.toString(),
    handle,
    close: async () => {
      await handle.close();
      await server?.stop();
    },
  };
}

export interface ReplicaHandle {
  child: ChildProcess;
  ready: Promise<void>;
  /** Resolves with the replica's final report line (JSON) after SIGTERM. */
  stop(): Promise<Record<string, unknown>>;
}

/** Starts bench/engine-replica.ts as a separate process. */
export function startBenchReplica(env: Record<string, string>): ReplicaHandle {
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'bench/engine-replica.ts'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      // Engine knobs a benchmark run may vary (see docs/BENCHMARKS.md).
      ...(process.env.LOOKAHEAD_MS ? { LOOKAHEAD_MS: process.env.LOOKAHEAD_MS } : {}),
      ...(process.env.START_LEAD_MS ? { START_LEAD_MS: process.env.START_LEAD_MS } : {}),
      ...(process.env.PLAN_AHEAD_MS ? { PLAN_AHEAD_MS: process.env.PLAN_AHEAD_MS } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffer = '';
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  const lines: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      lines.push(line);
      if (line.includes('"ready"')) resolveReady();
      newline = buffer.indexOf('\n');
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    child,
    ready,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      const report = lines.reverse().find((line) => line.includes('"report"'));
      return report ? (JSON.parse(report) as Record<string, unknown>) : {};
    },
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

export function rssMb(): number {
  return Math.round((process.memoryUsage().rss / 1024 / 1024) * 10) / 10;
}
