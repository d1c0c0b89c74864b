import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Principal } from '@experience-graph/access';
import { BoundedLabel, OTHER, principalLabel } from './labels';
import { counter, histogram, secondsSince, type ServiceMetrics } from './registry';

/**
 * Answers a scrape: `GET /metrics` in Prometheus' text format. Anything but GET or HEAD is
 * answered 405; a registry that fails to collect, 503 with the reason (never a stack trace).
 */
export function metricsHandler(metrics: ServiceMetrics) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Metrics are read with GET\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`Metrics could not be collected: ${(error as Error).message}\n`);
      },
    );
  };
}

/** A metrics listener of its own, and how to reach and stop it. */
export interface MetricsServer {
  /** The scrape address, `http://host:port/metrics`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `/metrics` on a listener of its own (port 0 picks a free one), for processes whose
 * main port is public (the gateway, the console) or that have none (the worker). Every other
 * path is 404. A port in use rejects with an error naming the address.
 */
export async function serveMetrics(
  metrics: ServiceMetrics,
  host: string,
  port: number,
): Promise<MetricsServer> {
  const handle = metricsHandler(metrics);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      handle(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Only /metrics is served here\n');
  });
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`${host}:${port} (metrics) is already in use by another process`, {
        cause: error,
      });
    }
    throw error;
  }
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `http://${host}:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

/** The principal our servers keep in `res.locals.principal` once a request is authenticated. */
function principalOf(res: ServerResponse): Principal | undefined {
  const value = (res as ServerResponse & { locals?: Record<string, unknown> }).locals?.[
    'principal'
  ];
  const kind = (value as { kind?: unknown } | undefined)?.kind;
  return typeof kind === 'string' ? (value as Principal) : undefined;
}

/**
 * Express-style middleware that counts and times every HTTP response, by route and status:
 * `eg_http_requests_total{route, method, status, principal}` and
 * `eg_http_request_duration_seconds{route}`. This sees what GraphQL metrics cannot: requests
 * refused before GraphQL (401 without a credential, 413, 429 for a principal over its rate) and
 * the health and static routes. The route is the longest of `routes` that the path equals or
 * starts with (as a folder), otherwise `other`, so arbitrary paths never become series. The
 * principal is the one authentication left in `res.locals.principal` (see {@link principalLabel});
 * `anonymous` before authentication, or where the server authenticates no one.
 */
export function httpMetrics(metrics: ServiceMetrics, routes: readonly string[]) {
  const requests = counter(metrics, {
    name: 'eg_http_requests_total',
    help: 'HTTP responses sent, by route, method, status code and principal',
    labelNames: ['route', 'method', 'status', 'principal'] as const,
  });
  const duration = histogram(metrics, {
    name: 'eg_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to finishing its response, by route',
    labelNames: ['route'] as const,
  });
  const known = [...routes].sort((a, b) => b.length - a.length);
  const routeOf = (path: string) =>
    known.find((r) => path === r || path.startsWith(r.endsWith('/') ? r : `${r}/`)) ?? OTHER;
  const principals = new BoundedLabel(100);
  const methods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
  return (
    req: IncomingMessage & { originalUrl?: string },
    res: ServerResponse,
    next: () => void,
  ): void => {
    const start = process.hrtime.bigint();
    const route = routeOf((req.originalUrl ?? req.url ?? '/').split('?')[0] ?? '/');
    const method = methods.has(req.method ?? '') ? (req.method as string) : OTHER;
    res.once('finish', () => {
      const principal = principals.value(principalLabel(principalOf(res)));
      requests.inc({ route, method, status: String(res.statusCode), principal });
      duration.observe({ route }, secondsSince(start));
    });
    next();
  };
}
