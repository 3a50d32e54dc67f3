import pg from 'pg';

/**
 * LISTEN for the engine's NOTIFY channels on a dedicated connection: `chronops_wakeup` (a run was queued
 * by execute_task_now, Slack, a retry; a task was created or made due earlier: migration 0005),
 * `chronops_outbox` (an alert to deliver) and `chronops_cancel` (someone may have cancelled a running
 * execution: a hint only, since any session can NOTIFY; the scheduler acts only on a row whose
 * cancel_requested_at is set).
 * Reconnects by itself when the connection drops (database restart); while disconnected, the scheduler's
 * bounded poll interval still finds the work, only later.
 */
export interface WakeupListener {
  close(): Promise<void>;
}

export function listenForWakeups(
  url: string,
  handlers: {
    onWakeup: (payload: string) => void;
    onCancel: (executionId: string) => void;
    onOutbox?: () => void;
    onError?: (error: Error) => void;
  },
  options: { reconnectDelayMs?: number } = {},
): WakeupListener {
  let closed = false;
  let client: pg.Client | undefined;
  // The client being connected: closing while it connects must end it too, or it listens on forever
  // (seen when a start failed right after this listener was created).
  let connecting: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  const delayMs = options.reconnectDelayMs ?? 1000;

  const connect = async () => {
    if (closed) return;
    const next = new pg.Client({ connectionString: url, application_name: 'chronops:listen' });
    next.on('notification', (message) => {
      if (message.channel === 'chronops_wakeup') handlers.onWakeup(message.payload ?? '');
      else if (message.channel === 'chronops_cancel') handlers.onCancel(message.payload ?? '');
      else if (message.channel === 'chronops_outbox') handlers.onOutbox?.();
    });
    next.on('error', (error) => {
      handlers.onError?.(error);
      scheduleReconnect(next);
    });
    next.on('end', () => scheduleReconnect(next));
    connecting = next;
    try {
      await next.connect();
      await next.query('listen chronops_wakeup');
      await next.query('listen chronops_cancel');
      await next.query('listen chronops_outbox');
      connecting = undefined;
      if (closed) {
        await next.end().catch(() => {});
        return;
      }
      client = next;
      // Anything queued while we were disconnected: let the loops look now.
      handlers.onWakeup('reconnected');
      handlers.onOutbox?.();
    } catch (error) {
      connecting = undefined;
      if (closed) return;
      handlers.onError?.(error instanceof Error ? error : new Error(String(error)));
      scheduleReconnect(next);
    }
  };

  const scheduleReconnect = (failed: pg.Client) => {
    if (closed || retryTimer || (client && client !== failed)) return;
    client = undefined;
    failed.end().catch(() => {});
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, delayMs);
  };

  void connect();
  return {
    close: async () => {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      await Promise.all([client?.end().catch(() => {}), connecting?.end().catch(() => {})]);
    },
  };
}
