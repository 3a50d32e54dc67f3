import { connect } from 'node:net';
import type pg from 'pg';

/** PostgreSQL's CancelRequest code (protocol §"Canceling Requests in Progress"): 1234 << 16 | 5678. */
const CANCEL_REQUEST_CODE = 80_877_102;

/**
 * Asks the server to cancel whatever `client`'s backend is running, the way psql's Ctrl-C does: a
 * 16-byte CancelRequest on a new connection, carrying the backend's pid and the secret key it gave
 * this client at login.
 *
 * Why not `pg_cancel_backend(pid)`: that needs the caller to be a member of the backend's role (or of
 * pg_signal_backend), and chronops's own login is not a member of the restricted task login. The
 * cancel key needs no privilege at all, only the key, which only this client knows. Written here
 * because pg exposes it only through an undocumented method tied to its internal query objects.
 *
 * Resolves when the request was sent (the server answers nothing); never rejects.
 */
export function sendCancelRequest(client: pg.Client): Promise<void> {
  const { processID, secretKey, host, port } = client as pg.Client & {
    processID: number | null;
    secretKey: number | null;
  };
  if (processID === null || secretKey === null) return Promise.resolve();
  return new Promise((resolve) => {
    const socket = host?.startsWith('/')
      ? connect(`${host}/.s.PGSQL.${port}`)
      : connect(port, host || 'localhost');
    const packet = Buffer.alloc(16);
    packet.writeInt32BE(16, 0);
    packet.writeInt32BE(CANCEL_REQUEST_CODE, 4);
    packet.writeInt32BE(processID, 8);
    packet.writeInt32BE(secretKey, 12);
    const done = () => {
      socket.destroy();
      resolve();
    };
    socket.setTimeout(5000, done);
    socket.once('error', done);
    socket.once('connect', () => socket.end(packet));
    socket.once('close', done);
  });
}
