import type { Express, Request, Response } from 'express';
import { SERVICE_HEADER } from './http';

/** A check that resolves when a dependency is usable and rejects with the reason otherwise. */
export type ReadinessCheck = () => Promise<void>;

/**
 * Mounts `/health/live` (the process answers) and `/health/ready` (its dependencies answer):
 * orchestrators restart on the first and route traffic on the second.
 */
export function mountHealth(app: Express, service: string, checks: Record<string, ReadinessCheck>) {
  app.use((_req: Request, res: Response, next) => {
    res.setHeader(SERVICE_HEADER, service);
    next();
  });
  app.get('/health/live', (_req, res) => {
    res.json({ service, status: 'ok' });
  });
  app.get('/health/ready', async (_req, res) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await check();
          return [name, { status: 'ok' }] as const;
        } catch (error) {
          return [name, { status: 'failing', error: (error as Error).message }] as const;
        }
      }),
    );
    const ready = results.every(([, r]) => r.status === 'ok');
    res.status(ready ? 200 : 503).json({
      service,
      status: ready ? 'ok' : 'failing',
      checks: Object.fromEntries(results),
    });
  });
}
