import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { neo4jService } from './neo4j-service';
import { requireTools } from './prerequisites';
import { logFile, SetupError, startDetached, stopProcess, waitUntil } from './processes';
import { temporalService } from './temporal-service';

/** A foreign process holding a port: it accepts connections and speaks no known protocol. */
async function foreignServer(): Promise<{ port: number; server: Server }> {
  const server = createServer((socket) => {
    // The client hangs up on an answer it does not understand, often while still sending: a
    // reset this side must not treat as an error (unhandled, it would fail the whole file).
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 200 OK\r\n\r\nnot yours');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, server };
}

describe('set-up faults', () => {
  it('names a missing prerequisite, what it is for and how to install it', () => {
    const tool = {
      command: `no-such-tool-${randomBytes(3).toString('hex')}`,
      versionArgs: ['--version'],
      purpose: 'to test this message',
      install: 'apt-get install no-such-tool',
    };
    expect(() => requireTools([tool])).toThrow(SetupError);
    expect(() => requireTools([tool])).toThrow(
      `${tool.command} was not found; it is needed to test this message. To fix: apt-get install no-such-tool.`,
    );
  });

  it('refuses a Neo4j port held by a foreign process instead of talking to it', async () => {
    const { port, server } = await foreignServer();
    try {
      const service = neo4jService({
        uri: `bolt://127.0.0.1:${port}`,
        user: 'neo4j',
        password: 'whatever-password',
        database: 'neo4j',
        timeouts: { connectMs: 3_000, acquireMs: 5_000, retryMs: 6_000, statementMs: 30_000 },
      });
      await expect(service.up()).rejects.toThrow(
        new RegExp(`127\\.0\\.0\\.1:${port} is taken, but not by a Neo4j server`),
      );
    } finally {
      server.close();
    }
  });

  it('refuses a Temporal port held by a foreign process instead of talking to it', async () => {
    const { port, server } = await foreignServer();
    try {
      const service = temporalService({
        address: `127.0.0.1:${port}`,
        namespace: 'default',
        taskQueue: 'q',
        uiUrl: 'http://127.0.0.1:1',
        callTimeoutMs: 5_000,
      });
      await expect(service.up()).rejects.toThrow(
        new RegExp(`127\\.0\\.0\\.1:${port} is taken, but not by a Temporal server`),
      );
    } finally {
      server.close();
    }
  });

  it('shows the last lines of the log of a service that dies while starting', async () => {
    const name = `fault-test-${randomBytes(3).toString('hex')}`;
    startDetached(name, 'sh', ['-c', 'echo "cannot bind: address in use"; exit 3']);
    try {
      await expect(waitUntil(name, async () => false, 10_000)).rejects.toThrow(
        /exited during start-up[\s\S]*cannot bind: address in use/,
      );
    } finally {
      await stopProcess(name);
      rmSync(logFile(name), { force: true });
    }
  });
});
