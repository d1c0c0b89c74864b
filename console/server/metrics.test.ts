import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import pino from 'pino';
import { createServiceMetrics, parseSamples, sampleSum } from '@experience-graph/metrics';
import { listen, type RunningServer } from '@experience-graph/server-kit';
import { createConsoleServer } from './server';

describe('the console server metrics', () => {
  const running: RunningServer[] = [];
  let staticDir: string;

  beforeAll(() => {
    staticDir = mkdtempSync(path.join(tmpdir(), 'console-metrics-'));
    mkdirSync(path.join(staticDir, 'assets'));
    writeFileSync(path.join(staticDir, 'index.html'), '<div id="root"></div>');
    writeFileSync(path.join(staticDir, 'assets', 'app-1.js'), 'console.log(1)');
  });

  afterAll(async () => {
    for (const server of running) await server.close();
    rmSync(staticDir, { recursive: true, force: true });
  });

  it('counts its responses by route and status, and serves no metrics on its own port', async () => {
    const gatewayApp = express();
    gatewayApp.post('/graphql', (_req, res) => void res.status(401).json({ errors: [] }));
    const gateway = await listen(gatewayApp, '127.0.0.1', 0);
    running.push(gateway);
    const metrics = createServiceMetrics('console', { processMetrics: false });
    const app = createConsoleServer({
      gatewayUrl: `${gateway.url}/graphql`,
      staticDir,
      temporalUiUrl: 'http://127.0.0.1:8233',
      temporalNamespace: 'default',
      devTokens: null,
      logger: pino({ level: 'silent' }),
      metrics,
    });
    const server = await listen(app, '127.0.0.1', 0);
    running.push(server);

    await fetch(`${server.url}/assets/app-1.js`);
    await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    await fetch(`${server.url}/devices/PRN-0001`);
    const own = await fetch(`${server.url}/metrics`);
    expect(await own.text()).not.toContain('eg_http_requests_total');

    const samples = parseSamples(await metrics.registry.metrics());
    const count = (labels: Record<string, string>) =>
      sampleSum(samples, 'eg_http_requests_total', labels);
    expect(count({ route: '/assets', method: 'GET', status: '200' })).toBe(1);
    expect(count({ route: '/graphql', method: 'POST', status: '401' })).toBe(1);
    // The web app's own routes (and /metrics, which is the app's page here) count as other.
    expect(count({ route: 'other', method: 'GET' })).toBe(2);
  });
});
