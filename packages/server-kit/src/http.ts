import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Express } from 'express';

/** Header every Experience Graph server sends, so tooling can tell our servers from others. */
export const SERVICE_HEADER = 'x-experience-graph-service';

/** A server that is listening, and how to reach and stop it. */
export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on `host:port` (port 0 picks a free one, as tests do) and resolves once bound; a port
 * already in use rejects with an error that names the address.
 */
export async function listen(app: Express, host: string, port: number): Promise<RunningServer> {
  const server: Server = app.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new Error(`${host}:${port} is already in use by another process`, { cause: error });
    }
    throw error;
  }
  // Clients (the gateway above all) reuse idle connections; a server that drops them sooner
  // than its clients expect races them into ECONNRESET. close() below drops idle ones at once.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
