import { createServer, type Server, type Socket } from 'node:net';
import { Connection } from '@temporalio/client';
import { deadlineInterceptors } from './call-deadline';

/** A server that accepts connections and never answers: a Temporal that hangs. */
async function silentServer(): Promise<{ port: number; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { port: address.port, server, sockets };
}

describe('Temporal call deadlines', () => {
  it('fails a call to a server that never answers within the deadline, instead of hanging', async () => {
    const { port, server, sockets } = await silentServer();
    const connection = Connection.lazy({
      address: `127.0.0.1:${port}`,
      interceptors: deadlineInterceptors(500),
    });
    const started = Date.now();
    try {
      await expect(connection.workflowService.getSystemInfo({})).rejects.toThrow(/deadline/i);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await connection.close();
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it('keeps a deadline the caller set', async () => {
    const { port, server, sockets } = await silentServer();
    const connection = Connection.lazy({
      address: `127.0.0.1:${port}`,
      interceptors: deadlineInterceptors(60_000),
    });
    const started = Date.now();
    try {
      await expect(
        connection.withDeadline(Date.now() + 300, () =>
          connection.workflowService.getSystemInfo({}),
        ),
      ).rejects.toThrow(/deadline/i);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await connection.close();
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
