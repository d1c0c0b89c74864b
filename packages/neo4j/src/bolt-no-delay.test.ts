import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { boltPortOf, sendBoltWithoutDelay } from './bolt-no-delay';

describe('Bolt sockets without Nagle delay', () => {
  it('reads the Bolt port of each URI scheme, 7687 by default, and no port of other schemes', () => {
    expect(boltPortOf('bolt://127.0.0.1:7687')).toBe(7687);
    expect(boltPortOf('neo4j+s://db.example.com')).toBe(7687);
    expect(boltPortOf('bolt+ssc://db.example.com:17687')).toBe(17687);
    expect(boltPortOf('http://127.0.0.1:7474')).toBeNull();
    expect(boltPortOf('not a uri')).toBeNull();
  });

  it('sets TCP_NODELAY on client sockets to a Bolt port once they connect', async () => {
    const server = createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    sendBoltWithoutDelay(`bolt://127.0.0.1:${port}`);
    const socket: Socket = createConnection(port, '127.0.0.1');
    const calls: boolean[] = [];
    const original = socket.setNoDelay.bind(socket);
    socket.setNoDelay = (noDelay?: boolean) => {
      calls.push(noDelay ?? true);
      return original(noDelay);
    };
    await new Promise<void>((resolve) => socket.once('connect', () => setImmediate(resolve)));
    socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(calls).toEqual([true]);
  });
});
