// A replica's proof of life that ends with its process: a session advisory lock on a connection of its
// own (docs/ENGINE.md, "Crash recovery").
import pg from 'pg';
import type { Logger } from '../shared/logger.js';

/**
 * First key of the liveness locks (the two-int4 form of pg_advisory_lock, so they cannot collide with
 * the migrations' single-bigint lock). "chro" in ASCII.
 */
export const LIVENESS_LOCK_CLASS = 0x6368726f;

// How long to wait before connecting again after the liveness session was lost.
const RECONNECT_MS = 1000;

export interface WorkerLiveness {
  /**
   * When the lock was last taken (ms since the epoch), or null while it is not held. The reaper trusts
   * the absence of another worker's lock only when its own has been held for a while: after a database
   * restart every replica lost its lock at once and needs a moment to take it again.
   */
  heldSinceMs(): number | null;
  /** Releases the lock (ends the session). Call after the scheduler has stopped and handed back. */
  stop(): Promise<void>;
}

export interface WorkerLivenessOptions {
  /** A session-mode connection string: a transaction pooler would hand the lock to other clients. */
  readonly url: string;
  readonly workerId: string;
  readonly logger: Logger;
  /** Wall-clock milliseconds (the injected clock's nowMs). */
  readonly nowMs: () => number;
}

/**
 * Registers this worker in `scheduler_workers` and holds its liveness lock for as long as the process
 * lives: when the process dies (SIGKILL, OOM, a crashed host's TCP reset) PostgreSQL ends the session
 * and the lock with it, and other replicas see at once that its runs are orphaned. The session is
 * reopened after a loss; while it is down, this worker's runs are judged by their leases alone (their
 * heartbeats go on through the scheduler's pool, and the reaper never takes a run whose heartbeat is
 * fresh).
 *
 * Stays whole: a factory; its inner functions share the state declared at its top, and each is short.
 */
export function holdWorkerLiveness(options: WorkerLivenessOptions): WorkerLiveness {
  let client: pg.Client | undefined;
  let heldSince: number | null = null;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let warnedHeldElsewhere = false;
  // One warning per outage, not one per reconnect attempt.
  let warnedDown = false;

  const scheduleReconnect = () => {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, RECONNECT_MS);
    retryTimer.unref();
  };

  const lost = (reason: string) => {
    if (heldSince !== null && !warnedDown) {
      options.logger.warn({ workerId: options.workerId, reason }, 'liveness session lost; reconnecting');
      warnedDown = true;
    }
    heldSince = null;
    client = undefined;
    scheduleReconnect();
  };

  async function connect(): Promise<void> {
    if (stopped) return;
    const session = new pg.Client({
      connectionString: options.url,
      application_name: `${options.workerId}:liveness`,
      connectionTimeoutMillis: 10_000,
      // Notices a silently dropped network path: the server side is found by tcp_keepalives there.
      keepAlive: true,
    });
    session.on('error', (error) => lost(error.message));
    session.on('end', () => {
      if (client === session) lost('session ended');
    });
    try {
      await session.connect();
      client = session;
      await session.query(
        `insert into scheduler_workers (worker_id, liveness_key, started_at)
         values ($1, hashtext($1), now())
         on conflict (worker_id) do update set liveness_key = excluded.liveness_key, started_at = excluded.started_at`,
        [options.workerId],
      );
      // Each start registers a new worker id: forget those gone for a day that own nothing any more.
      await session.query(
        `delete from scheduler_workers w
          where w.started_at < now() - interval '1 day'
            and not exists (select 1 from pg_locks l
                             where l.locktype = 'advisory' and l.granted and l.objsubid = 2
                               and l.classid = $1::oid and l.objid = w.liveness_key::oid)
            and not exists (select 1 from task_executions e
                             where e.worker_id = w.worker_id and e.status in ('queued', 'running'))`,
        [LIVENESS_LOCK_CLASS],
      );
      const { rows } = await session.query<{ locked: boolean }>(
        'select pg_try_advisory_lock($1, hashtext($2)) as locked',
        [LIVENESS_LOCK_CLASS, options.workerId],
      );
      if (!rows[0]?.locked) {
        // Another live process uses this WORKER_ID: the two would renew each other's leases too.
        if (!warnedHeldElsewhere) {
          options.logger.error(
            { workerId: options.workerId },
            `another process holds the liveness lock of worker ${options.workerId}: give each replica its own WORKER_ID`,
          );
          warnedHeldElsewhere = true;
        }
        client = undefined;
        await session.end().catch(() => {});
        scheduleReconnect();
        return;
      }
      if (stopped) {
        await session.end().catch(() => {});
        return;
      }
      heldSince = options.nowMs();
      warnedDown = false;
    } catch (error) {
      if (client === session) client = undefined;
      await session.end().catch(() => {});
      if (!warnedDown && !stopped) {
        warnedDown = true;
        options.logger.warn(
          { workerId: options.workerId, err: error },
          'could not take the liveness lock; runs are judged by their leases until it is held',
        );
      }
      heldSince = null;
      scheduleReconnect();
    }
  }

  void connect();

  return {
    heldSinceMs: () => heldSince,
    stop: async () => {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      const session = client;
      client = undefined;
      heldSince = null;
      await session?.end().catch(() => {});
    },
  };
}
