import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import cors from 'cors';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { principalKey, type Principal } from '@experience-graph/access';
import {
  SUBGRAPH_NAMES,
  type GatewayConfig,
  type SigningConfig,
  type SubgraphName,
} from '@experience-graph/config';
import {
  counter,
  createServiceMetrics,
  graphqlMetricsPlugin,
  httpMetrics,
  type ServiceMetrics,
} from '@experience-graph/metrics';
import { mountHealth } from '@experience-graph/server-kit';
import { authenticate, type GatewayContext } from './auth';
import {
  assertUtf8,
  bodyErrors,
  formatError,
  hideSuggestions,
  notFound,
  sendError,
} from './errors';
import { IDE_DIR, mountIde } from './ide';
import { RateLimiter } from './limits';
import { operationGuard } from './operation-guard';
import { createSubgraphAgent, SignedSubgraphSource } from './subgraph-source';

/** The supergraph composed at build time from the subgraphs' schemas. */
export const SUPERGRAPH_PATH = path.join(__dirname, '..', '..', 'schema', 'supergraph.graphql');

/** The largest cost an operation may have (see `operationCost`). */
export const MAX_COST = 10_000;

export interface GatewayDependencies {
  config: GatewayConfig;
  /** The secret every subgraph request is signed with. */
  signing: SigningConfig;
  logger: Logger;
  /** Defaults to the committed `schema/supergraph.graphql`. */
  supergraphSdl?: string;
  /** Where the development IDE's build is (defaults to `gateway/ide/dist`); never used in production. */
  ideDir?: string;
  /**
   * Only for the benchmark that measures what access control costs (`npm run bench`): operations
   * are not checked against the rights table and subgraph requests are not signed. No entry
   * point sets it, and subgraphs refuse unsigned requests unless built the same way.
   */
  benchmarkWithoutAccessChecks?: boolean;
  /**
   * Where requests are counted and timed; its own by default. Not served on the public port:
   * `main.ts` serves it on a metrics listener of its own (METRICS_HOST:GATEWAY_METRICS_PORT).
   */
  metrics?: ServiceMetrics;
}

export interface GatewayApp {
  app: Express;
  apollo: ApolloServer<GatewayContext>;
  metrics: ServiceMetrics;
}

type Executor = Awaited<ReturnType<ApolloGateway['load']>>['executor'];

/** The error of a request that ran out of time. */
export function timedOut(ms: number): GraphQLError {
  return new GraphQLError(`The request took longer than ${ms} ms and was stopped`, {
    extensions: { code: 'TIMEOUT', http: { status: 504, headers: new HeaderMap() } },
  });
}

/**
 * The federation gateway whose execution has a deadline: past it the client is answered
 * TIMEOUT and the request's subgraph fetches are aborted. (An event batch cut off this way may
 * have been recorded in part; sending it again is safe, since events are idempotent by id.)
 */
class DeadlineGateway extends ApolloGateway {
  constructor(
    config: ConstructorParameters<typeof ApolloGateway>[0],
    private readonly timeoutMs: number,
  ) {
    super(config);
  }

  override async load(options?: Parameters<ApolloGateway['load']>[0]) {
    const loaded = await super.load(options);
    const inner = loaded.executor;
    const timeoutMs = this.timeoutMs;
    const executor: Executor = (requestContext) => {
      const abort = (requestContext.context as Partial<GatewayContext>).abort;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          const error = timedOut(timeoutMs);
          abort?.abort(error);
          reject(error);
        }, timeoutMs);
      });
      return Promise.race([inner(requestContext), deadline]).finally(() => clearTimeout(timer));
    };
    return { ...loaded, executor };
  }
}

/**
 * Builds the gateway: the only public entry. It serves the build-time supergraph, authenticates
 * every request into a principal, authorizes each operation by the rights table, signs every
 * subgraph request for that principal, and guards the endpoint with CORS, body, operation,
 * rate and time limits, and health checks.
 */
export async function createGateway(deps: GatewayDependencies): Promise<GatewayApp> {
  const { config, logger } = deps;
  // @apollo/gateway decides whether to report usage to Apollo from this variable alone, when it
  // is constructed; forcing it here means no way of building our gateway can report.
  process.env['APOLLO_TELEMETRY_DISABLED'] = 'true';
  const agent = createSubgraphAgent();
  const metrics = deps.metrics ?? createServiceMetrics('gateway');
  const sharedFetches = counter(metrics, {
    name: 'eg_gateway_subgraph_fetches_shared_total',
    help: 'Subgraph fetches answered by an identical one already in flight',
    labelNames: ['subgraph'],
  });
  const gateway = new DeadlineGateway(
    {
      supergraphSdl: deps.supergraphSdl ?? readFileSync(SUPERGRAPH_PATH, 'utf8'),
      buildService: ({ name, url }) =>
        new SignedSubgraphSource({
          name,
          url: config.subgraphUrls[name as SubgraphName] ?? url ?? '',
          secret: deps.benchmarkWithoutAccessChecks ? null : deps.signing.secret,
          agent,
          logger: logger.child({ component: 'subgraph-fetch' }),
          onShared: () => sharedFetches.inc({ subgraph: name }),
        }),
      logger: logger.child({ component: 'apollo-gateway' }),
    },
    config.limits.requestTimeoutMs,
  );
  const armor = new ApolloArmor({
    maxDepth: { n: config.limits.maxDepth },
    // `__typename` is no cheaper to repeat than any other field: every alias counts.
    maxAliases: { n: config.limits.maxAliases, allowList: [] },
    maxDirectives: { n: 20 },
    // Replaced: tokens by graphql-js's own parser limit (a syntax error, so 400), cost by
    // `operationCost` (which counts variables), suggestions by `hideSuggestions` (per principal).
    maxTokens: { enabled: false },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  const rateLimiter = new RateLimiter(config.limits.rateLimit);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: config.limits.maxTokens },
    // Introspection is decided per principal (operationGuard): open in development, only for
    // admins and services in production.
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError: formatError(logger.child({ component: 'errors' })),
    // runService owns shutdown; Apollo's own handlers would re-raise the signal mid-way.
    stopOnTerminationSignals: false,
    plugins: [
      ...(armor.plugins as Array<ApolloServerPlugin<GatewayContext>>),
      hideSuggestions(),
      operationGuard({
        production: config.production,
        maxCost: MAX_COST,
        rateLimiter,
        authorize: !deps.benchmarkWithoutAccessChecks,
      }),
      // No Apollo landing page: it loads from a CDN. Development has its own IDE (ide.ts).
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      graphqlMetricsPlugin<GatewayContext>(metrics, {
        principalOf: (context) => context.principal,
      }),
      {
        async serverWillStart() {
          return {
            async serverWillStop() {
              await agent.close();
            },
          };
        },
      },
    ],
    logger: logger.child({ component: 'apollo-server' }),
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  // Every response, those refused before GraphQL (401, 413, 429) included.
  app.use(httpMetrics(metrics, ['/graphql', '/health', '/ide']));
  mountHealth(
    app,
    'gateway',
    Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [name, () => checkSubgraph(config.subgraphUrls[name])]),
    ),
  );
  // Development only: a browser opening /graphql gets the IDE; production answers it 401 as
  // any request without a credential.
  if (!config.production) mountIde(app, deps.ideDir ?? IDE_DIR);
  app.use(
    '/graphql',
    cors<cors.CorsRequest>({ origin: config.corsOrigins, maxAge: 600 }),
    authenticate(config),
    limitRequests(rateLimiter),
    express.json({ limit: config.limits.maxBodyBytes, verify: assertUtf8 }),
    expressMiddleware(apollo, {
      context: async ({ res }) => ({
        principal: res.locals['principal'] as Principal,
        abort: new AbortController(),
      }),
    }),
  );
  app.use(notFound);
  app.use(bodyErrors(config.limits.maxBodyBytes, logger.child({ component: 'http' })));
  return { app, apollo, metrics };
}

/** Counts each request of a principal, answering 429 with Retry-After past its rate. */
function limitRequests(limiter: RateLimiter) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const principal = res.locals['principal'] as Principal;
    const decision = limiter.request(principalKey(principal));
    if (decision.ok) {
      next();
      return;
    }
    res.set('Retry-After', String(decision.retryAfterSeconds));
    sendError(
      res,
      429,
      `Rate limit reached (${decision.limit}); try again in ${decision.retryAfterSeconds} s`,
      'RATE_LIMITED',
      { retryAfter: decision.retryAfterSeconds },
    );
  };
}

/** A subgraph is ready when its own readiness endpoint says so, within two seconds. */
async function checkSubgraph(graphqlUrl: string): Promise<void> {
  const url = new URL('/health/ready', graphqlUrl);
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
}
