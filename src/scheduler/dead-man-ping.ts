import type { Logger } from '../shared/logger.js';
import type { SchedulerEvents } from './events.js';

/**
 * Pings an external dead-man's switch (HEARTBEAT_URL: Healthchecks, Cronitor, a Pushgateway…) after a
 * completed scheduler tick, at most once per interval. If the scheduler dies or stalls the pings stop,
 * and the outside service raises the alarm chronops itself no longer can.
 */
export function pingDeadMansSwitch(
  events: SchedulerEvents,
  options: { url: string; intervalMs: number; logger: Logger; fetchImpl?: typeof fetch },
): () => void {
  const doFetch = options.fetchImpl ?? fetch;
  let lastPingMs = Number.NEGATIVE_INFINITY;
  let inFlight = false;
  const onTick = ({ at }: { at: Date }) => {
    if (inFlight || at.getTime() - lastPingMs < options.intervalMs) return;
    lastPingMs = at.getTime();
    inFlight = true;
    doFetch(options.url, { method: 'GET', signal: AbortSignal.timeout(10_000) })
      .then((response) => {
        if (!response.ok)
          options.logger.warn({ status: response.status }, 'the dead-man’s switch answered with an error');
      })
      .catch((error: unknown) =>
        options.logger.warn(
          { err: error instanceof Error ? error : new Error(String(error)) },
          'could not ping HEARTBEAT_URL',
        ),
      )
      .finally(() => {
        inFlight = false;
      });
  };
  events.on('tick', onTick);
  return () => events.off('tick', onTick);
}
