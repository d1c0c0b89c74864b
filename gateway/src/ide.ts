/**
 * The development IDE: GraphiQL, bundled at build time from npm (`gateway/ide`, built by
 * `npm run build -w @experience-graph/gateway` into `gateway/ide/dist`), so it loads nothing from
 * another origin. Never mounted in production.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type Request, type Response } from 'express';

/** Where the build puts the IDE's page and assets. */
export const IDE_DIR = path.join(__dirname, '..', 'ide', 'dist');

/** Where the IDE is served; its assets are under `${IDE_PATH}/assets`. */
export const IDE_PATH = '/ide';

/**
 * What the page may load: only this origin (the gateway serves the page, its scripts, styles,
 * font and editor workers, and answers its GraphQL requests). A browser blocks anything else.
 */
export const IDE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // The editor sets styles on its elements as it lays them out.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** A browser opening a URL asks for HTML first; a GraphQL client asks for JSON. */
function wantsHtml(req: Request): boolean {
  return (
    req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) ===
    'text/html'
  );
}

/**
 * Serves the IDE at `/ide`, and at `GET /graphql` to a browser (a request that prefers HTML),
 * so that opening the endpoint shows the IDE instead of a 401. The IDE's own requests are
 * POSTs to `/graphql` and are authenticated like any other; it holds no credential.
 */
export function mountIde(app: Express, dir: string = IDE_DIR): void {
  const page = path.join(dir, 'index.html');
  const sendPage = (res: Response) => {
    res.set('Cache-Control', 'no-cache');
    res.set('Content-Security-Policy', IDE_CONTENT_SECURITY_POLICY);
    res.set('X-Content-Type-Options', 'nosniff');
    if (!existsSync(page)) {
      res
        .status(503)
        .type('text/plain')
        .send(
          `The development IDE is not built (${page} is missing): run npm run build, or npm run build -w @experience-graph/gateway for the IDE alone.`,
        );
      return;
    }
    res.sendFile(page);
  };
  app.get('/graphql', (req, res, next) => {
    if (wantsHtml(req)) sendPage(res);
    else next();
  });
  app.get(IDE_PATH, (_req, res) => sendPage(res));
  // Asset names carry a hash of their content: a browser may keep them.
  app.use(
    `${IDE_PATH}/assets`,
    express.static(path.join(dir, 'assets'), {
      index: false,
      immutable: true,
      maxAge: '365d',
    }),
  );
}
