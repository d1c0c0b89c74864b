import path from 'node:path';

export {
  createConsoleServer,
  type ConsoleServerOptions,
  type ConsoleSettings,
  type DevTokenSigner,
} from './server';

/** Where the build puts the web app, for servers started other than by `main.ts` (tests). */
export const WEB_DIST_DIR = path.resolve(__dirname, '..', 'web');
