import type pg from 'pg';
import { toError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { createDatabaseClock, type DatabaseClock } from '../store/database-clock.js';

const CLOCK_RESYNC_MS = 60_000;
const CLOCK_SKEW_WARNING_MS = 2000;

/**
 * docs/ARCHITECTURE.md §5.2: the database's clock is the reference. Measures this machine's offset to
 * it, warns past 2 s, and measures again every minute until stopped.
 */
export async function startDatabaseClock(
  pool: pg.Pool,
  logger: Logger,
): Promise<{ clock: DatabaseClock; stop: () => void }> {
  const clock = await createDatabaseClock(pool);
  const warnSkew = () => {
    if (Math.abs(clock.offsetMs()) > CLOCK_SKEW_WARNING_MS) {
      logger.warn(
        { offsetMs: Math.round(clock.offsetMs()) },
        'this machine’s clock differs from the database’s by more than 2 s; using database time',
      );
    }
  };
  warnSkew();
  const timer = setInterval(() => {
    clock
      .resync()
      .then(warnSkew, (error: unknown) =>
        logger.warn({ err: toError(error) }, 'could not re-measure the database clock'),
      );
  }, CLOCK_RESYNC_MS);
  timer.unref();
  return { clock, stop: () => clearInterval(timer) };
}
