/**
 * The development IDE of the gateway (GraphiQL, bundled at build time): a browser opening
 * /graphql gets it in development, everything it loads comes from the gateway, its requests are
 * authenticated like any other, and production serves none of it. The gateway runs alone in
 * this process, in front of a fake subgraph; the last part drives Debian's Chromium.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { loadConfig, type ApiClient, type Config } from '@experience-graph/config';
import { createGateway, IDE_DIR } from '@experience-graph/gateway';
import { listen, type RunningServer } from '@experience-graph/server-kit';
import { launchBrowser, type TestBrowser } from '../support/browser';

const logger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const SERVICE_KEY = `test-ide-service-key-${process.pid}-0123456789`;
const CLIENTS: ApiClient[] = [
  { id: 'ide-test', role: 'service', key: SERVICE_KEY, campaignIds: [], storeIds: [], skus: [] },
];
/** What Chromium sends when it navigates to a page. */
const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const PAGE_TIMEOUT_MS = 60_000;

interface Harness {
  origin: string;
  stop(): Promise<void>;
}

async function startGateway(production: boolean): Promise<Harness> {
  const base = loadConfig({});
  // The IDE's requests here are introspection, which the gateway answers itself; the subgraph
  // answers anything else with empty data.
  const fake = express();
  fake.post('/graphql', (_req, res) => {
    res.json({ data: {} });
  });
  const subgraph = await listen(fake, '127.0.0.1', 0);
  const subgraphUrl = `${subgraph.url}/graphql`;
  const config: Config = {
    ...base,
    gateway: {
      ...base.gateway,
      clients: CLIENTS,
      subgraphUrls: { products: subgraphUrl, customers: subgraphUrl, campaigns: subgraphUrl },
      production,
    },
  };
  const { app, apollo } = await createGateway({
    config: config.gateway,
    signing: config.signing,
    logger,
  });
  const gateway: RunningServer = await listen(app, '127.0.0.1', 0);
  return {
    origin: gateway.url,
    async stop() {
      await apollo.stop();
      await gateway.close();
      await subgraph.close();
    },
  };
}

/** Every script and stylesheet a page references, and every url() of a stylesheet. */
const scriptsAndStyles = (html: string) =>
  [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
const cssUrls = (css: string) =>
  [...css.matchAll(/url\(\s*['"]?([^'")]+)['"]?\s*\)/g)]
    .map((m) => m[1] ?? '')
    .filter((u) => !u.startsWith('data:'));
const external = (url: string) => /^(https?:)?\/\//i.test(url);

const INTROSPECTION = { query: '{ __schema { queryType { name } } }' };

describe('the development IDE', () => {
  let h: Harness;
  beforeAll(async () => {
    if (!existsSync(path.join(IDE_DIR, 'index.html'))) {
      throw new Error(`The IDE is not built (${IDE_DIR}): run npm run build.`);
    }
    h = await startGateway(false);
  });
  afterAll(() => h?.stop());

  it('is what a browser opening /graphql gets, referencing only its own assets', async () => {
    const response = await fetch(`${h.origin}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await response.text();
    expect(html).toContain('<div id="graphiql">');
    const references = scriptsAndStyles(html);
    expect(references.length).toBeGreaterThanOrEqual(2);
    expect(references.filter(external)).toEqual([]);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });

  it('loads every script, stylesheet and font it references from the gateway', async () => {
    const html = await (await fetch(`${h.origin}/ide`)).text();
    const assets = scriptsAndStyles(html);
    const loaded: string[] = [];
    for (const asset of assets) {
      const response = await fetch(new URL(asset, `${h.origin}/ide`));
      expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
      const body = await response.text();
      expect(body.length).toBeGreaterThan(0);
      loaded.push(response.headers.get('content-type') ?? '');
      if (asset.endsWith('.css')) {
        const urls = cssUrls(body);
        expect(urls.filter(external)).toEqual([]);
        expect(body).not.toMatch(/@import\s+(url\()?['"]?(https?:)?\/\//i);
        for (const url of urls) {
          const font = await fetch(new URL(url, new URL(asset, h.origin)));
          expect({ url, status: font.status }).toEqual({ url, status: 200 });
        }
      }
    }
    expect(loaded.some((type) => type.startsWith('text/javascript'))).toBe(true);
    expect(loaded.some((type) => type.startsWith('text/css'))).toBe(true);
  });

  it('is served only to a request that prefers HTML: GraphQL clients still need a credential', async () => {
    const json = await fetch(`${h.origin}/graphql?query=%7B__typename%7D`, {
      headers: { accept: 'application/json' },
    });
    expect(json.status).toBe(401);
    const anything = await fetch(`${h.origin}/graphql?query=%7B__typename%7D`);
    expect(anything.status).toBe(401);
  });

  it("answers the IDE's requests like any other: 401 without a credential, data with one", async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${h.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(INTROSPECTION),
      });
    const anonymous = await post({});
    expect(anonymous.status).toBe(401);
    const placeholder = await post({ authorization: 'Bearer <API key or token>' });
    expect(placeholder.status).toBe(401);
    const keyed = await post({ authorization: `Bearer ${SERVICE_KEY}` });
    expect(keyed.status).toBe(200);
    expect(await keyed.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('says how to build it when its build is missing', async () => {
    const missing = mkdtempSync(path.join(tmpdir(), 'ide-missing-'));
    const base = loadConfig({});
    const { app, apollo } = await createGateway({
      config: { ...base.gateway, clients: CLIENTS, production: false },
      signing: base.signing,
      logger,
      ideDir: missing,
    });
    const server = await listen(app, '127.0.0.1', 0);
    try {
      const response = await fetch(`${server.url}/graphql`, {
        headers: { accept: BROWSER_ACCEPT },
      });
      expect(response.status).toBe(503);
      expect(await response.text()).toContain('run npm run build');
    } finally {
      await apollo.stop();
      await server.close();
      rmSync(missing, { recursive: true, force: true });
    }
  });
});

describe('the IDE in production', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startGateway(true);
  });
  afterAll(() => h?.stop());

  it('is not served: a browser opening /graphql gets the 401 of a request without a credential', async () => {
    const response = await fetch(`${h.origin}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      errors: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }],
    });
  });

  it('has no page or assets', async () => {
    const asset = scriptsAndStyles(readFileSync(path.join(IDE_DIR, 'index.html'), 'utf8'))[0];
    expect(asset).toMatch(/^\/ide\/assets\//);
    expect((await fetch(`${h.origin}/ide`)).status).toBe(404);
    expect((await fetch(`${h.origin}${asset ?? ''}`)).status).toBe(404);
  });
});

describe('the IDE in a browser', () => {
  let h: Harness;
  let browser: TestBrowser;
  let page: Page;
  const requested: string[] = [];
  const refused: string[] = [];

  beforeAll(async () => {
    h = await startGateway(false);
    browser = await launchBrowser('ide', { pageTimeoutMs: PAGE_TIMEOUT_MS });
    page = browser.page;
    page.on('request', (request) => requested.push(request.url()));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  const headersEditor = () => page.locator('.monaco-editor[data-uri$="request-headers.json"]');
  const queryEditor = () => page.locator('.graphiql-query-editor .monaco-editor');

  /** Replaces the text of a Monaco editor by typing, as a person would. */
  const typeInto = async (editor: ReturnType<Page['locator']>, text: string) => {
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(text);
  };

  const resultText = async () => (await page.locator('.result-window').textContent()) ?? '';

  it('renders the editor from the gateway alone, and runs a query with the credential typed in its headers', async () => {
    await page.goto(`${h.origin}/graphql`);
    await queryEditor().waitFor();
    // The headers editor starts with where a credential comes from.
    // (Monaco shows spaces as no-break spaces.)
    const hint = ((await headersEditor().textContent()) ?? '').replace(/\s+/g, ' ');
    expect(hint).toContain('npm run -s token -- staff e-expert-1 expert');
    expect(hint).toContain('"Authorization": "Bearer <API key or token>"');

    // The placeholder credential is refused: the IDE's request went through authentication.
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.result-window').filter({ hasText: 'UNAUTHENTICATED' }).waitFor();

    await typeInto(headersEditor(), `{ "Authorization": "Bearer ${SERVICE_KEY}" }`);
    await typeInto(queryEditor(), '{ __schema { queryType { name } } }');
    // The IDE takes an editor's text a moment after the last keystroke: run it again until the
    // answer is the schema's, up to the deadline.
    const deadline = Date.now() + PAGE_TIMEOUT_MS;
    let answered = false;
    while (!answered && Date.now() < deadline) {
      await page.locator('.graphiql-execute-button').click();
      answered = await page
        .locator('.result-window')
        .filter({ hasText: /"name":\s*"Query"/ })
        .waitFor({ timeout: 5_000 })
        .then(
          () => true,
          () => false,
        );
    }
    expect(answered).toBe(true);
    expect(await resultText()).not.toContain('UNAUTHENTICATED');

    expect(requested.length).toBeGreaterThan(3);
    expect(requested.filter((url) => new URL(url).origin !== h.origin)).toEqual([]);
    expect(refused).toEqual([]);
  });
});
