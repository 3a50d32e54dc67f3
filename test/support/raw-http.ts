import { connect, type Socket } from 'node:net';

/** A bare TCP connection to an HTTP server, to send requests byte by byte as a slow or hostile client. */
export interface RawConnection {
  readonly socket: Socket;
  /** Everything the server sent so far (latin1). */
  received(): string;
  /** Resolves with ms since connecting when the connection closes. */
  readonly closed: Promise<number>;
}

/** Opens a connection to 127.0.0.1:`port`; it is added to `opened`, for the test to destroy afterwards. */
export function openRawConnection(port: number, opened: Socket[]): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let data = '';
    const socket = connect(port, '127.0.0.1');
    opened.push(socket);
    const closed = new Promise<number>((done) =>
      socket.on('close', () => done(performance.now() - startedAt)),
    );
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

/** What `promise` resolves to within `ms`, or undefined. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<undefined>((done) => {
      timer = setTimeout(() => done(undefined), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
