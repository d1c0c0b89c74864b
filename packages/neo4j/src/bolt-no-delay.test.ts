import {
  createConnection,
  createServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import type * as boltNoDelay from './bolt-no-delay';
import { boltPortOf, sendBoltWithoutDelay } from './bolt-no-delay';

type BoltNoDelayModule = typeof boltNoDelay;

/** A local server that ends every connection, and its port. */
async function listening(servers: Server[]): Promise<number> {
  const server = createServer((s) => s.end());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The values `socket.setNoDelay` is called with from now on. */
function noDelayCalls(socket: Socket): boolean[] {
  const calls: boolean[] = [];
  const original = socket.setNoDelay.bind(socket);
  socket.setNoDelay = (noDelay?: boolean) => {
    calls.push(noDelay ?? true);
    return original(noDelay);
  };
  return calls;
}

/** Resolves once `socket` has connected and every 'connect' listener has run. */
function connected(socket: Socket): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => setImmediate(resolve));
  });
}

describe('Bolt sockets without Nagle delay', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(
      servers
        .splice(0)
        .map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  });

  it('reads the Bolt port of each URI scheme, 7687 by default, and no port of other schemes', () => {
    expect(boltPortOf('bolt://127.0.0.1:7687')).toBe(7687);
    expect(boltPortOf('neo4j+s://db.example.com')).toBe(7687);
    expect(boltPortOf('bolt+ssc://db.example.com:17687')).toBe(17687);
    expect(boltPortOf('http://127.0.0.1:7474')).toBeNull();
    expect(boltPortOf('not a uri')).toBeNull();
  });

  it('sets TCP_NODELAY on client sockets to a Bolt port once they connect', async () => {
    const port = await listening(servers);
    sendBoltWithoutDelay(`bolt://127.0.0.1:${port}`);
    const socket: Socket = createConnection(port, '127.0.0.1');
    sockets.push(socket);
    const calls = noDelayCalls(socket);
    await connected(socket);
    expect(calls).toEqual([true]);
  });

  it('leaves sockets to other ports as they are', async () => {
    const bolt = await listening(servers);
    const other = await listening(servers);
    sendBoltWithoutDelay(`bolt://127.0.0.1:${bolt}`);
    const socket: Socket = createConnection(other, '127.0.0.1');
    sockets.push(socket);
    const calls = noDelayCalls(socket);
    await connected(socket);
    expect(calls).toEqual([]);
  });

  it('gives each socket one listener however many times the module is loaded', async () => {
    const ports = [await listening(servers), await listening(servers), await listening(servers)];
    const loads: BoltNoDelayModule[] = [];
    for (let i = 0; i < 3; i++) {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        loads.push(require('./bolt-no-delay') as BoltNoDelayModule);
      });
    }
    expect(new Set(loads).size).toBe(3);
    loads.forEach((load, i) => load.sendBoltWithoutDelay(`neo4j://127.0.0.1:${ports[i]}`));

    for (const port of ports) {
      // No connect callback: every 'connect' listener of the socket is a subscriber's.
      const socket: Socket = createConnection(port, '127.0.0.1');
      sockets.push(socket);
      expect(socket.listenerCount('connect')).toBeLessThanOrEqual(1);
      const calls = noDelayCalls(socket);
      await connected(socket);
      expect(calls).toEqual([true]);
    }
  });
});
