/**
 * Hive Gateway for the `hive` benchmark, which measures our gateway against it: installed by the
 * benchmark (never a dependency of the product) from the version and lock file pinned in
 * test/bench/hive-install, into .data/bench/hive, and run in this process through its
 * programmatic runtime, on our supergraph, signing its subgraph fetches as our gateway does.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { signRequest, type Principal } from '@experience-graph/access';
import { SUBGRAPH_NAMES, type Config, type SubgraphName } from '@experience-graph/config';

const ROOT = path.resolve(__dirname, '..', '..');
export const HIVE_PACKAGE = '@graphql-hive/gateway';
/**
 * What is installed: a package.json naming the one Hive Gateway version, and the lock file of
 * everything it depends on, so that every run measures the same gateway, planner included.
 */
const HIVE_MANIFEST = path.join(__dirname, 'hive-install');
export const HIVE_DIR = path.join(ROOT, '.data', 'bench', 'hive');
/** The Hive Gateway measured, as pinned in hive-install/package.json. */
export const HIVE_VERSION = (
  JSON.parse(readFileSync(path.join(HIVE_MANIFEST, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  }
).dependencies[HIVE_PACKAGE] as string;
const SUPERGRAPH = path.join(ROOT, 'schema', 'supergraph.graphql');

/** What the benchmark uses of the package: its programmatic runtime. */
interface HiveGatewayModule {
  createGatewayRuntime(config: Record<string, unknown>): HiveRuntime;
}

/** A Yoga server: a node:http request listener that can be disposed of. */
type HiveRuntime = ((request: IncomingMessage, response: ServerResponse) => void) & {
  dispose(): Promise<void> | void;
};

/** Whether .data/bench/hive holds what hive-install/ pins: the same lock, the same gateway. */
function installed(): boolean {
  const manifest = path.join(HIVE_DIR, 'node_modules', ...HIVE_PACKAGE.split('/'), 'package.json');
  const lock = path.join(HIVE_DIR, 'package-lock.json');
  if (!existsSync(manifest) || !existsSync(lock)) return false;
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string };
  const pinned = readFileSync(path.join(HIVE_MANIFEST, 'package-lock.json'), 'utf8');
  return version === HIVE_VERSION && readFileSync(lock, 'utf8') === pinned;
}

/**
 * Installs the pinned Hive Gateway into .data/bench/hive (npm ci of hive-install/'s lock file)
 * unless it is there already. No audit, and no install scripts: the runtime needs none, and no
 * script of a package outside the product's lock file runs on this machine.
 */
export async function installHive(signal: AbortSignal): Promise<void> {
  if (installed()) return;
  console.log(
    `[hive] installing ${HIVE_PACKAGE}@${HIVE_VERSION} into ${path.relative(ROOT, HIVE_DIR)}...`,
  );
  mkdirSync(HIVE_DIR, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) {
    copyFileSync(path.join(HIVE_MANIFEST, file), path.join(HIVE_DIR, file));
  }
  const args = ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', HIVE_DIR];
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npm', args, { cwd: HIVE_DIR, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (part: Buffer) => {
      stderr = (stderr + part.toString('utf8')).slice(-4_000);
    });
    // Ctrl-C ends the install too: this one child, by its handle.
    const stop = () => child.kill('SIGTERM');
    signal.addEventListener('abort', stop, { once: true });
    child.once('error', reject);
    child.once('exit', (code, killedBy) => {
      signal.removeEventListener('abort', stop);
      if (code === 0) return resolve();
      reject(new Error(`npm ci of Hive Gateway failed (${killedBy ?? `exit ${code}`}): ${stderr}`));
    });
  });
  if (!installed()) {
    throw new Error(`npm ci ended, but ${HIVE_PACKAGE}@${HIVE_VERSION} is not in ${HIVE_DIR}`);
  }
}

/**
 * The composed supergraph with each subgraph's URL replaced by the bench's: the file names the
 * default ports, the bench's subgraphs listen on ports of their own.
 */
export function supergraphFor(subgraphUrls: Record<SubgraphName, string>): string {
  const replaced = new Set<string>();
  const sdl = readFileSync(SUPERGRAPH, 'utf8').replace(
    /@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g,
    (whole, name: string) => {
      const url = subgraphUrls[name as SubgraphName] as string | undefined;
      if (url === undefined) return whole;
      replaced.add(name);
      return `@join__graph(name: "${name}", url: "${url}")`;
    },
  );
  const missing = SUBGRAPH_NAMES.filter((name) => !replaced.has(name));
  if (missing.length) {
    throw new Error(`The supergraph names no URL for ${missing.join(', ')}: ${SUPERGRAPH}`);
  }
  return sdl;
}

const digest = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * A Hive Gateway plugin giving each request the principal of its API key, and signing every
 * subgraph fetch for that principal with our signRequest, over the exact body sent. Only the
 * configured service clients are known to it (the bench's client is one); any other credential
 * is refused before the operation is executed, and a fetch without a principal is refused rather
 * than sent unsigned, as our gateway's SignedSubgraphSource does.
 */
export function signingPlugin(config: Config) {
  const secret = config.signing.secret;
  const services = new Map<string, Principal>(
    config.gateway.clients
      .filter((client) => client.role === 'service')
      .map((client) => [digest(client.key), { kind: 'service', id: client.id }]),
  );
  const principalOf = (authorization: string | null): Principal | undefined => {
    const key = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    return key === undefined ? undefined : services.get(digest(key));
  };
  return {
    onContextBuilding({
      context,
      extendContext,
    }: {
      context: { request?: { headers: { get(name: string): string | null } } };
      extendContext(extension: { principal: Principal }): void;
    }) {
      const principal = principalOf(context.request?.headers.get('authorization') ?? null);
      if (!principal) throw new Error('Unknown API key');
      extendContext({ principal });
    },
    onFetch({
      options,
      setOptions,
      context,
    }: {
      options: { body?: unknown; headers?: Record<string, string> | Headers };
      setOptions(options: Record<string, unknown>): void;
      context?: { principal?: Principal };
    }) {
      const principal = context?.principal;
      if (!principal) throw new Error('Refusing to call a subgraph without a principal');
      if (typeof options.body !== 'string') {
        throw new Error('Refusing to sign a subgraph request whose body is not a string');
      }
      // Hive's HTTP transport passes a plain object; anything else is read through Headers.
      const given = options.headers ?? {};
      const headers: Record<string, string> =
        Object.getPrototypeOf(given) === Object.prototype
          ? (given as Record<string, string>)
          : Object.fromEntries(new Headers(given).entries());
      setOptions({
        ...options,
        headers: { ...headers, ...signRequest(secret, principal, options.body) },
      });
    },
  };
}

export interface HiveGateway {
  url: string;
  stop(): Promise<void>;
}

/** Starts Hive Gateway on 127.0.0.1 (a free port) in front of the bench's subgraphs. */
export async function startHive(
  config: Config,
  subgraphUrls: Record<SubgraphName, string>,
): Promise<HiveGateway> {
  // Loaded from its own directory, with its own dependencies (graphql included), never the
  // product's.
  const load = createRequire(path.join(HIVE_DIR, 'package.json'));
  const { createGatewayRuntime } = load(HIVE_PACKAGE) as HiveGatewayModule;
  const runtime = createGatewayRuntime({
    supergraph: supergraphFor(subgraphUrls),
    // No `reporting`: nothing is sent to Hive's or Apollo's usage services. No landing page, no
    // GraphiQL, no logs: it serves /graphql and nothing else, like the measured one.
    logging: false,
    landingPage: false,
    graphiql: false,
    plugins: () => [signingPlugin(config)],
  });
  const server = createServer(runtime);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject).listen(0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await runtime.dispose();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runtime.dispose();
    },
  };
}
