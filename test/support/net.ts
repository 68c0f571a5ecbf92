/** Servers of the tests on loopback, on a free port, and the port they got. */
import { createServer, type AddressInfo, type Server } from 'node:net';

/** The address a listening TCP server is bound to. */
export function addressOf(server: Server): AddressInfo {
  const address = server.address();
  // null: not listening yet; a string: a pipe or Unix socket. Neither has a port to connect to.
  if (address === null || typeof address === 'string') throw new Error(`not listening on TCP (address: ${String(address)})`);
  return address;
}

/** Starts `server` on 127.0.0.1 and a free port; resolves with that port. */
export function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(addressOf(server).port);
    });
  });
}

/** A free TCP port on 127.0.0.1, for a server started by another process (bound and released at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listenOnLoopback(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
