import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpMetrics, serveMetrics } from './http';
import { counter, createServiceMetrics } from './registry';
import { parseSamples, sampleSum } from './scrape';

describe('serving metrics', () => {
  const metrics = createServiceMetrics('console', { processMetrics: false });
  counter(metrics, { name: 'eg_scraped_things_total', help: 'things' }).inc(3);

  it('answers GET /metrics in the Prometheus text format, and nothing else', async () => {
    const server = await serveMetrics(metrics, '127.0.0.1', 0);
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
      const scrape = await fetch(server.url);
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get('content-type')).toContain('text/plain; version=0.0.4');
      expect(await scrape.text()).toContain('eg_scraped_things_total{service="console"} 3');
      const post = await fetch(server.url, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
      const elsewhere = await fetch(server.url.replace('/metrics', '/graphql'));
      expect(elsewhere.status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('names the address when its port is taken', async () => {
    const first = await serveMetrics(metrics, '127.0.0.1', 0);
    try {
      await expect(serveMetrics(metrics, '127.0.0.1', first.port)).rejects.toThrow(
        `127.0.0.1:${first.port} (metrics) is already in use`,
      );
    } finally {
      await first.close();
    }
  });

  it('answers 503 with the reason when a collector fails', async () => {
    const failing = createServiceMetrics('relay', { processMetrics: false });
    counter(failing, {
      name: 'eg_broken_total',
      help: 'fails',
      collect() {
        throw new Error('graph away');
      },
    });
    const server = await serveMetrics(failing, '127.0.0.1', 0);
    try {
      const scrape = await fetch(server.url);
      expect(scrape.status).toBe(503);
      expect(await scrape.text()).toContain('graph away');
    } finally {
      await server.close();
    }
  });
});

describe('HTTP metrics', () => {
  it('counts responses by known route, method and status, folding unknown paths', async () => {
    const metrics = createServiceMetrics('gateway', { processMetrics: false });
    const measure = httpMetrics(metrics, ['/graphql', '/health']);
    const server = createServer((req, res) =>
      measure(req, res, () => {
        if (req.headers['x-key'] === 'retailer') {
          // As authentication leaves it, before the rate limit refuses the request.
          Object.assign(res, { locals: { principal: { kind: 'partner', id: 'demo-retailer' } } });
          res.statusCode = 429;
        } else {
          res.statusCode = req.url === '/graphql' ? 401 : 200;
        }
        res.end();
      }),
    ).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await fetch(`${base}/graphql`, { method: 'POST' });
      await fetch(`${base}/graphql`, { method: 'POST', headers: { 'x-key': 'retailer' } });
      await fetch(`${base}/health/ready`);
      await fetch(`${base}/graphqlx`);
      await fetch(`${base}/wp-admin/${Math.random()}`);
      const samples = parseSamples(await metrics.registry.metrics());
      const count = (labels: Record<string, string>) =>
        sampleSum(samples, 'eg_http_requests_total', labels);
      expect(
        count({ route: '/graphql', method: 'POST', status: '401', principal: 'anonymous' }),
      ).toBe(1);
      expect(count({ route: '/graphql', status: '429', principal: 'partner:demo-retailer' })).toBe(
        1,
      );
      expect(count({ route: '/health', method: 'GET', status: '200' })).toBe(1);
      expect(count({ route: 'other', method: 'GET', status: '200' })).toBe(2);
      expect(sampleSum(samples, 'eg_http_request_duration_seconds_count')).toBe(5);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});
