import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph } from './graph';

/**
 * A statement larger than one of the driver's 1,400-byte chunks (a batch's rows) is written in
 * pieces; with Nagle's algorithm on, the later pieces wait for the server's delayed
 * acknowledgement, up to 40 ms a statement. The driver must turn it off on its Bolt sockets.
 */
describe('Bolt sockets', () => {
  const config = loadConfig(process.env);
  const boltPort = Number(new URL(config.neo4j.uri).port || 7687);

  it('send without Nagle delay (TCP_NODELAY) from the first statement on', async () => {
    const noDelay: boolean[] = [];
    const onSocket = (message: unknown) => {
      const { socket } = message as { socket: Socket };
      const original = socket.setNoDelay.bind(socket);
      socket.setNoDelay = (value?: boolean) => {
        // The driver sets it as it opens a socket, before it has connected (no remote port
        // yet); a call on a connected socket counts only if that socket is to the Bolt port.
        if (socket.remotePort === boltPort || socket.remotePort === undefined) {
          noDelay.push(value ?? true);
        }
        return original(value);
      };
    };
    subscribe('net.client.socket', onSocket);
    const driver = createDriver(config.neo4j);
    try {
      const graph = createGraph(driver, config.neo4j.database);
      const rows = Array.from({ length: 200 }, (_, i) => ({ i, text: `row ${i} of a batch` }));
      const [row] = await graph.read<{ n: number }>('UNWIND $rows AS row RETURN count(*) AS n', {
        rows,
      });
      expect(row?.n).toBe(200);
      expect(noDelay).toContain(true);
      expect(noDelay).not.toContain(false);
    } finally {
      unsubscribe('net.client.socket', onSocket);
      await driver.close();
    }
  });
});
