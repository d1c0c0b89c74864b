import { Agent, request } from 'node:http';
import { signRequest } from '@experience-graph/access';
import { loadConfig } from '@experience-graph/config';

/**
 * The bench's HTTP client: node:http with keep-alive, the same kind of client the gateway uses
 * for its subgraph fetches (make-fetch-happen over a keep-alive http.Agent). The baseline sends
 * five requests where the gateway scenario sends one, all on this one event loop; with global
 * fetch (undici), which took about 0.3 ms more CPU per request than this on this machine, the
 * baseline would be slowed by its own client rather than the gateway by its work.
 */
// `timeout` only matters while a socket is idle: with one set, Node's agent also honours the
// servers' `Keep-Alive: timeout=5` and drops an idle socket a second before the server would,
// instead of sending a request down a socket being closed (ECONNRESET). Without one it doesn't.
// Requests are timed out by their own signal.
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, timeout: 60_000 });

export interface HttpAnswer {
  status: number;
  text: string;
}

const config = loadConfig(process.env);
const LOCAL = config.gateway.clients.find((c) => c.role === 'service');
const LOCAL_KEY = LOCAL?.key ?? '';
const SIGNING_SECRET = config.signing.secret;

/** POSTs a JSON body to a 127.0.0.1 URL; `signal` aborts it (Ctrl-C, or the request timeout). */
export function postJson(url: string, body: string, signal: AbortSignal): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        signal,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          // The gateway wants the local client's key; subgraphs ignore it and want what the
          // gateway sends them: a fresh signature for the local service (the gateway ignores it).
          authorization: `Bearer ${LOCAL_KEY}`,
          ...signRequest(SIGNING_SECRET, { kind: 'service', id: LOCAL?.id ?? 'local' }, body),
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        let ended = false;
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => {
          ended = true;
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') });
        });
        res.on('error', reject);
        // A socket cut mid-answer closes the response without 'end' and, at times, without 'error'.
        res.on('close', () => {
          if (!ended) reject(new Error(`Answer from ${url} cut short`));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Closes the kept-alive sockets, so the process can exit. */
export function closeHttpClient(): void {
  agent.destroy();
}
