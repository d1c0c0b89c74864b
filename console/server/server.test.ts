import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import pino from 'pino';
import { listen, type RunningServer } from '@experience-graph/server-kit';
import { createConsoleServer, type DevTokenSigner } from './server';

const logger = pino({ level: 'silent' });

describe('the console server', () => {
  let gateway: RunningServer;
  let staticDir: string;
  const received: Array<{ authorization: string | undefined; body: unknown }> = [];
  const running: RunningServer[] = [];

  beforeAll(async () => {
    // A stand-in gateway that echoes who asked and answers like the real one.
    const app = express();
    app.post('/graphql', express.json(), (req, res) => {
      received.push({ authorization: req.get('authorization'), body: req.body });
      if (!req.get('authorization')) {
        res.status(401).json({ errors: [{ message: 'Unauthenticated' }] });
        return;
      }
      res.setHeader('retry-after', '3');
      res.json({ data: { echo: (req.body as { query: string }).query } });
    });
    app.get('/health/ready', (_req, res) => void res.json({ status: 'ok' }));
    gateway = await listen(app, '127.0.0.1', 0);
    staticDir = mkdtempSync(path.join(tmpdir(), 'console-web-'));
    mkdirSync(path.join(staticDir, 'assets'));
    writeFileSync(path.join(staticDir, 'index.html'), '<div id="root"></div>');
    writeFileSync(path.join(staticDir, 'assets', 'app-1234.js'), 'console.log(1)');
  });

  afterAll(async () => {
    for (const server of running) await server.close();
    await gateway.close();
    rmSync(staticDir, { recursive: true, force: true });
  });

  const start = async (devTokens: DevTokenSigner | null, gatewayUrl = `${gateway.url}/graphql`) => {
    const server = await listen(
      createConsoleServer({
        gatewayUrl,
        staticDir,
        temporalUiUrl: 'http://127.0.0.1:8233',
        temporalNamespace: 'default',
        devTokens,
        logger,
        maxBodyBytes: 10_000,
      }),
      '127.0.0.1',
      0,
    );
    running.push(server);
    return server.url;
  };

  it('sends GraphQL on to the gateway with the caller’s credentials, and the answer back', async () => {
    const url = await start(null);
    const answer = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer staff-token' },
      body: JSON.stringify({ query: '{ a }' }),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('retry-after')).toBe('3');
    expect(await answer.json()).toEqual({ data: { echo: '{ a }' } });
    expect(received.at(-1)).toEqual({
      authorization: 'Bearer staff-token',
      body: { query: '{ a }' },
    });

    const anonymous = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ a }' }),
    });
    // The console adds no rights: without a token the gateway refuses, and so does the console.
    expect(anonymous.status).toBe(401);
  });

  it('answers in GraphQL terms when the gateway is away or the request is too large', async () => {
    const away = await start(null, 'http://127.0.0.1:9/graphql');
    const unreachable = await fetch(`${away}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
      body: '{"query":"{ a }"}',
    });
    expect(unreachable.status).toBe(502);
    expect(await unreachable.json()).toEqual({
      errors: [
        {
          message: 'The gateway (http://127.0.0.1:9/graphql) cannot be reached.',
          extensions: { code: 'CONSOLE_PROXY' },
        },
      ],
    });
    const url = await start(null);
    const large = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'x'.repeat(20_000) }),
    });
    expect(large.status).toBe(413);
  });

  it('signs development tokens only when it has the development key', async () => {
    const signed: Array<[string, string[]]> = [];
    const dev = await start(async (employeeId, roles) => {
      signed.push([employeeId, roles]);
      return `token-of-${employeeId}`;
    });
    const settings = await (await fetch(`${dev}/api/settings`)).json();
    expect(settings).toEqual({
      temporalUiUrl: 'http://127.0.0.1:8233',
      temporalNamespace: 'default',
      devSignIn: true,
      roles: ['expert', 'support', 'marketer', 'admin'],
    });
    const post = (url: string, body: unknown) =>
      fetch(`${url}/api/dev-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = await post(dev, { employeeId: 'e-support-1', roles: ['support', 'expert'] });
    expect(await ok.json()).toEqual({ token: 'token-of-e-support-1' });
    expect(signed).toEqual([['e-support-1', ['support', 'expert']]]);
    expect((await post(dev, { employeeId: 'e-1', roles: ['service'] })).status).toBe(400);
    expect((await post(dev, { employeeId: 'e 1', roles: ['support'] })).status).toBe(400);
    expect((await post(dev, { employeeId: 'e-1', roles: [] })).status).toBe(400);

    const production = await start(null);
    const productionSettings = (await (await fetch(`${production}/api/settings`)).json()) as {
      devSignIn: boolean;
    };
    expect(productionSettings.devSignIn).toBe(false);
    expect((await post(production, { employeeId: 'e-1', roles: ['support'] })).status).toBe(404);
  });

  it('serves the app for every page of its own, with a policy that allows only its origin', async () => {
    const url = await start(null);
    for (const page of ['/', '/customers/cust-ana', '/devices/PRN-0001/']) {
      const response = await fetch(`${url}${page}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('<div id="root"></div>');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    }
    const asset = await fetch(`${url}/assets/app-1234.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${url}/assets/missing.js`)).status).toBe(404);
    const live = await fetch(`${url}/health/live`);
    expect(live.headers.get('x-experience-graph-service')).toBe('console');
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
  });
});
