import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { EMPLOYEE_ROLES, type EmployeeRole } from '@experience-graph/access';
import { httpMetrics, type ServiceMetrics } from '@experience-graph/metrics';
import { mountHealth } from '@experience-graph/server-kit';

/** Signs a staff token for the employee and roles chosen at sign-in (development only). */
export type DevTokenSigner = (employeeId: string, roles: EmployeeRole[]) => Promise<string>;

export interface ConsoleServerOptions {
  /** The gateway's GraphQL endpoint, where `/graphql` requests are sent on. */
  gatewayUrl: string;
  /** The built web app (index.html and its assets). */
  staticDir: string;
  /** Where a device's lifecycle workflow is shown. */
  temporalUiUrl: string;
  temporalNamespace: string;
  /** Development only: signs staff tokens; null in production, where people bring their own. */
  devTokens: DevTokenSigner | null;
  logger: Logger;
  /** The largest GraphQL request the console sends on, in bytes. */
  maxBodyBytes?: number;
  /** Where its responses are counted and timed; `main.ts` serves them on a port of their own. */
  metrics?: ServiceMetrics;
}

/** What the web app learns from its server at start: links, and how to sign in. */
export interface ConsoleSettings {
  temporalUiUrl: string;
  temporalNamespace: string;
  /** Whether signing in is choosing a role (development), or pasting a staff token. */
  devSignIn: boolean;
  roles: readonly EmployeeRole[];
}

const EMPLOYEE_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;
// What the gateway's answer is passed on with; hop-by-hop and encoding headers are not.
const PASSED_BACK = ['content-type', 'retry-after', 'cache-control'];

// Everything the app loads is its own bundle: no other origin is ever needed. Chart.js and
// Cytoscape set inline styles on the elements they draw.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function graphQLError(res: Response, status: number, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code: 'CONSOLE_PROXY' } }] });
}

/**
 * The console's server: the built web app, its settings, development sign-in, and `/graphql`
 * sent on to the gateway, so the browser talks to one origin and the gateway needs no CORS entry
 * for it. The caller's `Authorization` header goes with each request: the console holds no
 * rights of its own. Builds the app only; `main.ts` listens.
 */
export function createConsoleServer(options: ConsoleServerOptions): Express {
  const { gatewayUrl, staticDir, logger, devTokens } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const app = express();
  app.disable('x-powered-by');
  if (options.metrics) {
    app.use(httpMetrics(options.metrics, ['/graphql', '/api', '/health', '/assets']));
  }
  app.use((_req, res, next) => {
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    next();
  });
  mountHealth(app, 'console', {
    gateway: async () => {
      const response = await fetch(new URL('/health/ready', gatewayUrl), {
        signal: AbortSignal.timeout(3_000),
      });
      if (!response.ok) throw new Error(`the gateway answers ${response.status}`);
    },
  });

  const settings: ConsoleSettings = {
    temporalUiUrl: options.temporalUiUrl,
    temporalNamespace: options.temporalNamespace,
    devSignIn: devTokens !== null,
    roles: EMPLOYEE_ROLES,
  };
  app.get('/api/settings', (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json(settings);
  });

  app.post('/api/dev-token', express.json({ limit: 4096 }), async (req: Request, res: Response) => {
    if (!devTokens) {
      res.status(404).json({ error: 'Development sign-in is off: sign in with a staff token.' });
      return;
    }
    const body = (req.body ?? {}) as { employeeId?: unknown; roles?: unknown };
    const roles = Array.isArray(body.roles) ? body.roles : [];
    if (
      typeof body.employeeId !== 'string' ||
      !EMPLOYEE_ID.test(body.employeeId) ||
      roles.length === 0 ||
      !roles.every((r): r is EmployeeRole => EMPLOYEE_ROLES.includes(r as EmployeeRole))
    ) {
      res.status(400).json({
        error: `Give an employee id (letters, digits, . _ @ -) and one or more roles of ${EMPLOYEE_ROLES.join(', ')}.`,
      });
      return;
    }
    res.setHeader('cache-control', 'no-store');
    res.json({ token: await devTokens(body.employeeId, [...new Set(roles)]) });
  });

  app.post(
    '/graphql',
    express.raw({ type: () => true, limit: maxBodyBytes }),
    async (req: Request, res: Response) => {
      const headers: Record<string, string> = {
        'content-type': req.get('content-type') ?? 'application/json',
        accept: req.get('accept') ?? 'application/json',
      };
      const authorization = req.get('authorization');
      if (authorization) headers['authorization'] = authorization;
      let answer: globalThis.Response;
      try {
        answer = await fetch(gatewayUrl, {
          method: 'POST',
          headers,
          body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
          signal: AbortSignal.timeout(130_000),
        });
      } catch (error) {
        logger.warn({ err: error, gatewayUrl }, 'the gateway cannot be reached');
        graphQLError(res, 502, `The gateway (${gatewayUrl}) cannot be reached.`);
        return;
      }
      res.status(answer.status);
      for (const name of PASSED_BACK) {
        const value = answer.headers.get(name);
        if (value !== null) res.setHeader(name, value);
      }
      res.send(Buffer.from(await answer.arrayBuffer()));
    },
  );
  // A body over the limit, or one that is not what it says: answered as GraphQL errors.
  app.use(
    '/graphql',
    (
      error: { status?: number; message: string },
      _req: Request,
      res: Response,
      next: (e?: unknown) => void,
    ) => {
      if (error.status === 413)
        return graphQLError(res, 413, `The request is over ${maxBodyBytes} bytes.`);
      if (error.status === 400) return graphQLError(res, 400, error.message);
      next(error);
    },
  );

  const index = path.join(staticDir, 'index.html');
  // Hashed file names: assets never change under their name.
  app.use(
    '/assets',
    express.static(path.join(staticDir, 'assets'), {
      immutable: true,
      maxAge: '1y',
      fallthrough: false,
    }),
  );
  app.use(express.static(staticDir, { index: false }));
  // Every other page is the app's own route: the app decides what it shows.
  app.get(/^\/(?!api\/|graphql$|health\/).*/, (_req, res) => {
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send(`The console is not built (no ${index}): run npm run build.`);
      return;
    }
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  return app;
}
