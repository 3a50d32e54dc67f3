import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * A local WebSocket server speaking Slack's Socket Mode: `hello` to each connection, then whatever the
 * test sends. Give `url` to the fake Web API (`fake.socketModeUrl`), which hands it out from
 * apps.connections.open. The client side is Bolt's own.
 */
export interface SocketModeServer {
  /** ws://127.0.0.1:PORT/link/?ticket=test */
  readonly url: string;
  /** Connections from the app, in order. */
  readonly sockets: WebSocket[];
  /** Every message the app sent (acks), parsed. */
  readonly received: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startSocketModeServer(): Promise<SocketModeServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const sockets: WebSocket[] = [];
  const received: Array<Record<string, unknown>> = [];
  server.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('message', (data) => received.push(JSON.parse(String(data)) as Record<string, unknown>));
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'fake', approximate_connection_time: 3600 },
        connection_info: { app_id: 'A0CHRONOPS' },
      }),
    );
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link/?ticket=test`,
    sockets,
    received,
    close: async () => {
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
