/**
 * Configuration for every Experience Graph process, read once at the edge.
 *
 * Only `main.ts` files and the command-line scripts call {@link loadConfig}; everything else
 * receives the parsed {@link Config} (or the slice it needs) as an argument. The defaults are
 * the local ones that `npm start` brings up, documented in `.env.example`.
 */
import { z } from 'zod';
import { DEFAULT_UNIQUE_NAMESPACES, NAMESPACES, PARTNER_ROLES } from '@experience-graph/access';
import { MAX_REQUEST_BYTES } from './intake-limits';

export * from './intake-limits';

const port = z.coerce.number().int().min(0).max(65535);
const host = z.string().min(1);
const url = (protocols: readonly string[]) =>
  z
    .string()
    .url()
    .refine((value) => protocols.some((p) => value.startsWith(`${p}://`)), {
      message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });
const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

/** The roles an API-key client may be registered with: a partner's, or a first-party service. */
export const CLIENT_ROLES = ['service', ...PARTNER_ROLES] as const;
export type ClientRole = (typeof CLIENT_ROLES)[number];

const objectIds = z.array(z.string().min(1).max(200)).max(10_000).default([]);

/**
 * One API-key client of the gateway: a partner system (its role and the objects it is
 * registered for) or one of the maker's own back-office services. The rights of each role are
 * the rights table's (`@experience-graph/access`).
 */
export const apiClientSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1 to 63 lower-case letters, digits or dashes'),
    role: z.enum(CLIENT_ROLES),
    key: z.string().min(24, 'must have at least 24 characters'),
    /** An ad platform's campaigns. */
    campaignIds: objectIds,
    /** A retailer's stores. */
    storeIds: objectIds,
    /** The product models a device cloud or community site serves. */
    skus: objectIds,
    /** Namespaces its events may link or merge people by: a subset of its role's; all when left out. */
    linkNamespaces: z.array(z.enum(NAMESPACES)).optional(),
  })
  .strict();
export type ApiClient = z.infer<typeof apiClientSchema>;

/**
 * The local development clients, for `npm start`, the tests and the seed: the first-party
 * `local` service and the demo story's partners, each with its own key. Never for production.
 */
export const LOCAL_API_CLIENTS: ApiClient[] = [
  {
    id: 'local',
    role: 'service',
    key: 'experience-graph-local-key',
    campaignIds: [],
    storeIds: [],
    skus: [],
  },
  {
    id: 'demo-ad-platform',
    role: 'adPlatform',
    key: 'experience-graph-local-ad-platform-key',
    campaignIds: ['camp-lj200-social'],
    storeIds: [],
    skus: [],
  },
  {
    id: 'demo-retailer',
    role: 'retailer',
    key: 'experience-graph-local-retailer-key',
    campaignIds: [],
    storeIds: ['store-downtown'],
    skus: [],
  },
  {
    id: 'demo-carrier',
    role: 'carrier',
    key: 'experience-graph-local-carrier-key',
    campaignIds: [],
    storeIds: [],
    skus: [],
  },
  {
    id: 'demo-device-cloud',
    role: 'deviceCloud',
    key: 'experience-graph-local-device-cloud-key',
    campaignIds: [],
    storeIds: [],
    skus: ['LJ-200'],
  },
  {
    id: 'demo-community',
    role: 'community',
    key: 'experience-graph-local-community-key',
    campaignIds: [],
    storeIds: [],
    skus: ['LJ-200'],
  },
];

/** Parses `GATEWAY_CLIENTS`: a JSON array of registrations; ids and keys unique. */
export function parseApiClients(value: string): ApiClient[] | string {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return 'must be a JSON array of client registrations (see .env.example)';
  }
  const parsed = z.array(apiClientSchema).min(1, 'at least one client is needed').safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // Never echo a key, not even a bad one.
    return `${issue?.path.join('.') || '(list)'}: ${issue?.message ?? 'is invalid'}`;
  }
  const clients = parsed.data;
  for (const [i, c] of clients.entries()) {
    if (clients.findIndex((o) => o.id === c.id) !== i) return `${c.id}: the id is registered twice`;
    if (clients.findIndex((o) => o.key === c.key) !== i)
      return `${c.id}: the key is used by another client`;
  }
  return clients;
}

/** How the gateway verifies one kind of signed token (people in the app, or employees). */
export interface TokenTrust {
  issuer: string;
  audience: string;
  /** A JWKS URL the keys are fetched from, or a PEM (SPKI) public key; null: these tokens are refused. */
  jwksUrl: string | null;
  publicKey: string | null;
}

/** A PEM-encoded public key (SPKI), as `-----BEGIN PUBLIC KEY-----` ... (`\\n` for newlines allowed). */
const pem = z
  .string()
  .transform((v) => v.replace(/\\n/g, '\n'))
  .refine((v) => /-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/.test(v), {
    message: 'must be a PEM public key (-----BEGIN PUBLIC KEY----- ...)',
  });

/** Local development secret of gateway → subgraph signatures. Production sets its own. */
export const LOCAL_SUBGRAPH_SIGNING_SECRET = 'experience-graph-local-subgraph-signing-secret';
/** Local development secret that keys person ids derived from identifiers. Production sets its own. */
export const LOCAL_IDENTITY_SECRET = 'experience-graph-local-identity-secret';

/**
 * The earliest date an event may have by default (INTAKE_EARLIEST_EVENT_DATE): early enough for
 * historical order data such as CDNOW (1997), late enough to refuse the zero dates systems fill
 * a missing date with (0001-01-01, 1900-01-01), which would skew every model fitted on them.
 */
export const DEFAULT_EARLIEST_EVENT_DATE = '1990-01-01';

/** The longest horizon a lifetime-value prediction may look ahead: ten years. */
export const MAX_VALUE_HORIZON_DAYS = 3650;

/**
 * How much larger than the gateway's body limit a subgraph's is. The gateway does not pass the
 * client's bytes on: it prints the operation again and serialises the variables again, which can
 * come out larger than they came in (`{a:1}` is printed `{a: 1}`, the number `1e6` is written
 * `1000000`). Twice the gateway's limit leaves room for any realistic request, so a subgraph never
 * refuses what the gateway accepted.
 */
export const SUBGRAPH_BODY_HEADROOM = 2;

/** Five cron fields of digits, `*`, `/`, `,` and `-` (Temporal checks the values themselves). */
const CRON = /^[0-9*/,-]+( [0-9*/,-]+){4}$/;

/**
 * The local development salt of erasure tombstones. Tombstones hold salted hashes of erased
 * keys; with a public salt anyone can test a guessed id against them, so production sets its own
 * secret `ERASURE_SALT` and never changes it (a new salt makes every tombstone unrecognisable).
 */
export const LOCAL_ERASURE_SALT = 'experience-graph-local-erasure-salt';

/** The environment variables, their validation and their local defaults. */
export const envSchema = z.object({
  NEO4J_URI: url(['bolt', 'bolt+s', 'bolt+ssc', 'neo4j', 'neo4j+s', 'neo4j+ssc']).default(
    'bolt://127.0.0.1:7687',
  ),
  NEO4J_USER: z.string().min(1).default('neo4j'),
  NEO4J_PASSWORD: z
    .string()
    .min(8, 'must be at least 8 characters (a Neo4j 5 rule)')
    .default('experience-graph-local'),
  NEO4J_DATABASE: z.string().min(1).default('neo4j'),
  NEO4J_CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(3_000),
  NEO4J_ACQUISITION_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  NEO4J_RETRY_TIME_MS: z.coerce.number().int().min(0).max(300_000).default(6_000),
  NEO4J_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^:/\s]+:\d+$/, 'must be host:port, for example 127.0.0.1:7233')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('product-lifecycle'),
  TEMPORAL_UI_URL: url(['http', 'https']).default('http://127.0.0.1:8233'),
  TEMPORAL_CALL_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(5_000),
  SUBGRAPH_HOST: host.default('127.0.0.1'),
  PRODUCTS_PORT: port.default(4001),
  CUSTOMERS_PORT: port.default(4002),
  CAMPAIGNS_PORT: port.default(4003),
  PRODUCTS_URL: url(['http', 'https']).optional(),
  CUSTOMERS_URL: url(['http', 'https']).optional(),
  CAMPAIGNS_URL: url(['http', 'https']).optional(),
  GATEWAY_HOST: host.default('127.0.0.1'),
  GATEWAY_PORT: port.default(4000),
  GATEWAY_CORS_ORIGINS: list.default(['http://localhost:3000', 'http://127.0.0.1:3000']),
  GATEWAY_MAX_DEPTH: z.coerce.number().int().min(1).max(100).default(12),
  GATEWAY_MAX_ALIASES: z.coerce.number().int().min(1).max(1000).default(30),
  GATEWAY_MAX_TOKENS: z.coerce.number().int().min(10).max(1_000_000).default(5000),
  GATEWAY_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(
      MAX_REQUEST_BYTES,
      `must be at least ${MAX_REQUEST_BYTES} (MAX_REQUEST_BYTES): a batch at the intake's caps needs that much`,
    )
    .default(MAX_REQUEST_BYTES),
  GATEWAY_CLIENTS: z
    .string()
    .default(JSON.stringify(LOCAL_API_CLIENTS))
    .transform((value, ctx) => {
      const clients = parseApiClients(value);
      if (typeof clients === 'string') {
        ctx.addIssue({ code: 'custom', message: clients });
        return z.NEVER;
      }
      return clients;
    }),
  APP_AUTH_ISSUER: z.string().min(1).default('experience-graph-local-app'),
  APP_AUTH_AUDIENCE: z.string().min(1).default('experience-graph'),
  APP_AUTH_JWKS_URL: url(['http', 'https']).optional(),
  APP_AUTH_PUBLIC_KEY: pem.optional(),
  STAFF_AUTH_ISSUER: z.string().min(1).default('experience-graph-local-staff'),
  STAFF_AUTH_AUDIENCE: z.string().min(1).default('experience-graph'),
  STAFF_AUTH_JWKS_URL: url(['http', 'https']).optional(),
  STAFF_AUTH_PUBLIC_KEY: pem.optional(),
  SUBGRAPH_SIGNING_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .default(LOCAL_SUBGRAPH_SIGNING_SECRET),
  SUBGRAPH_SIGNATURE_MAX_AGE_MS: z.coerce.number().int().min(1000).max(300_000).default(30_000),
  GATEWAY_RATE_LIMIT_REQUESTS: z.coerce.number().int().min(1).max(10_000_000).default(6000),
  GATEWAY_RATE_LIMIT_EVENTS: z.coerce.number().int().min(1).max(100_000_000).default(600_000),
  GATEWAY_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  GATEWAY_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(120_000),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  IDENTITY_SECRET: z
    .string()
    .min(16, 'must be at least 16 characters')
    .default(LOCAL_IDENTITY_SECRET),
  REFERRAL_DISCOUNT: z.coerce
    .number()
    .gt(0, 'must be more than 0')
    .max(1, 'must be at most 1')
    .default(0.5),
  REFERRAL_MAX_HOPS: z.coerce.number().int().min(1).max(50).default(10),
  IDENTITY_SHARED_THRESHOLD: z.coerce
    .number()
    .int('must be a whole number')
    .min(2, 'must be at least 2 (one person alone never shares an identifier)')
    .max(1000, 'must be at most 1000')
    .default(3),
  IDENTITY_UNIQUE_NAMESPACES: z
    .string()
    .default(DEFAULT_UNIQUE_NAMESPACES.join(','))
    .transform((value, ctx) => {
      // An empty value means "not set" (the default), so no unique namespace is spelled NONE.
      if (value.trim() === 'NONE') return [];
      const names = value
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n.length > 0);
      const unknown = names.filter((n) => !(NAMESPACES as readonly string[]).includes(n));
      if (unknown.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown namespace ${unknown.map((n) => `"${n.slice(0, 40)}"`).join(', ')}; known namespaces: ${NAMESPACES.join(', ')}, or NONE`,
        });
        return z.NEVER;
      }
      return [...new Set(names)] as Array<(typeof NAMESPACES)[number]>;
    }),
  INTAKE_EARLIEST_EVENT_DATE: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 1990-01-01')
    .refine((v) => {
      const day = new Date(`${v}T00:00:00Z`);
      return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(v);
    }, 'must be a real date')
    .refine((v) => Date.parse(v) <= Date.now(), 'must not be in the future')
    .default(DEFAULT_EARLIEST_EVENT_DATE),
  ATTRIBUTION_HALF_LIFE_DAYS: z.coerce
    .number()
    .gt(0, 'must be more than 0')
    .max(3650, 'must be at most 3650')
    .default(7),
  ATTRIBUTION_LOOKBACK_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  SUPER_USER_MIN_HELPFUL_VOTES: z.coerce.number().int().min(1).max(1_000_000).default(5),
  HELPFUL_VOTE_VALUE: z.coerce.number().min(0, 'must be at least 0').max(1_000_000).default(2),
  RELAY_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(32),
  RELAY_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(100),
  RELAY_LEASE_MS: z.coerce
    .number()
    .int()
    .min(1000, 'must be at least 1000 (a delivery gets half the lease)')
    .max(600_000)
    .default(30_000),
  RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  RELAY_HOST: host.default('127.0.0.1'),
  RELAY_PORT: port.default(4005),
  CONSOLE_HOST: host.default('127.0.0.1'),
  CONSOLE_PORT: port.default(4006),
  CONSOLE_GATEWAY_URL: url(['http', 'https']).optional(),
  CONSOLE_DEV_SIGNING_KEY_FILE: z.string().min(1).optional(),
  METRICS_HOST: host.default('127.0.0.1'),
  GATEWAY_METRICS_PORT: port.default(4010),
  CONSOLE_METRICS_PORT: port.default(4016),
  WORKER_METRICS_PORT: port.default(4017),
  WORKER_TEMPORAL_METRICS_PORT: port.default(4018),
  VALUE_HORIZON_DAYS: z.coerce.number().int().min(1).max(MAX_VALUE_HORIZON_DAYS).default(365),
  VALUE_MODEL_SCHEDULE: z
    .string()
    .trim()
    .refine((value) => value === 'off' || CRON.test(value), {
      message:
        'must be a five-field cron expression (minute hour day month weekday), such as 0 3 * * *, or off',
    })
    .default('0 3 * * *'),
  ERASURE_SALT: z.string().min(16, 'must be at least 16 characters').default(LOCAL_ERASURE_SALT),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Variables whose values must never appear in messages or logs. */
const SECRET_VARIABLES = new Set([
  'NEO4J_PASSWORD',
  'GATEWAY_CLIENTS',
  'ERASURE_SALT',
  'SUBGRAPH_SIGNING_SECRET',
  'IDENTITY_SECRET',
]);

/** The names of the subgraphs, as composed into the supergraph. */
export const SUBGRAPH_NAMES = ['products', 'customers', 'campaigns'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export interface Neo4jConfig {
  uri: string;
  user: string;
  password: string;
  database: string;
  /**
   * How long a request may wait on Neo4j, so that while it is away clients are answered
   * UNAVAILABLE within seconds instead of hanging: opening a connection
   * (NEO4J_CONNECTION_TIMEOUT_MS), getting one from the pool (NEO4J_ACQUISITION_TIMEOUT_MS), and
   * retrying a transaction that failed transiently, the server being away among the causes
   * (NEO4J_RETRY_TIME_MS); and, for the servers that answer requests, a whole read, write or
   * transaction, handshake with a starting server included (NEO4J_STATEMENT_TIMEOUT_MS).
   */
  timeouts: { connectMs: number; acquireMs: number; retryMs: number; statementMs: number };
}

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  uiUrl: string;
  /**
   * The deadline of every call a request handler makes to Temporal (TEMPORAL_CALL_TIMEOUT_MS):
   * while Temporal is away the caller gets an error in this time, not a hang.
   */
  callTimeoutMs: number;
}

export interface ListenConfig {
  host: string;
  port: number;
}

export interface GatewayConfig extends ListenConfig {
  corsOrigins: string[];
  subgraphUrls: Record<SubgraphName, string>;
  limits: {
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    /**
     * The largest request body, in bytes after decompression (GATEWAY_MAX_BODY_BYTES); a larger
     * one is answered 413 PAYLOAD_TOO_LARGE. It defaults to, and may not be set below,
     * MAX_REQUEST_BYTES: the size of a `recordEvents` request holding the largest batch the
     * intake's caps allow (MAX_BATCH events, MAX_READINGS_PER_BATCH readings), so that a batch
     * over the caps is refused by them, with an error that names the cap, not by the size limit.
     * It may be set higher (for clients that pretty-print their JSON, say); the subgraphs follow
     * it, see {@link SigningConfig.maxBodyBytes}.
     */
    maxBodyBytes: number;
    /** Per principal and window: requests, and events sent through recordEvents. */
    rateLimit: { requests: number; events: number; windowSeconds: number };
    /** A request still running after this long is answered with an error. */
    requestTimeoutMs: number;
  };
  clients: ApiClient[];
  /** Signed tokens of people using a first-party app, and of employees. */
  appTokens: TokenTrust;
  staffTokens: TokenTrust;
  /** Production: no introspection, suggestions or landing page except for admins. */
  production: boolean;
}

/**
 * Gateway → subgraph requests: the shared secret they are signed with, how old a signature may
 * be, and how large a body a subgraph reads.
 */
export interface SigningConfig {
  secret: string;
  maxAgeMs: number;
  /**
   * The largest body a subgraph reads, in bytes: {@link SUBGRAPH_BODY_HEADROOM} times the
   * gateway's limit, because the gateway forwards what it accepted re-serialised, not byte for
   * byte. Derived, not set: the two limits cannot disagree.
   */
  maxBodyBytes: number;
}

/** How identifiers resolve to people. */
export interface IdentityConfig {
  /** An identifier seen with this many distinct people is shared: never merged on, never resolved alone. */
  sharedThreshold: number;
  /** Keys the person ids derived from identifiers, so nobody can compute one (IDENTITY_SECRET). */
  secret: string;
  /**
   * Namespaces a person holds at most one value of (IDENTITY_UNIQUE_NAMESPACES): a link or merge
   * that would give someone a second value is refused.
   */
  uniqueNamespaces: ReadonlyArray<(typeof NAMESPACES)[number]>;
}

/** How a customer's value counts what their recommendations brought. */
export interface ValueConfig {
  /** Each hop of a referral chain counts this much of the next: 0.5 halves it per hop. */
  referralDiscount: number;
  /** Hops followed down a referral chain. */
  referralMaxHops: number;
  /** What one helpful vote on a customer's community answer adds to their value. */
  helpfulVoteValue: number;
  /** Helpful votes from others that make a customer a super-user. */
  superUserMinHelpfulVotes: number;
}

/** How purchases are credited to the campaigns and referrals before them. */
export interface AttributionConfig {
  /** Time decay: a touch this many days before the purchase counts half as much as one at it. */
  halfLifeDays: number;
  /** Touches more than this many days before the purchase get no credit. */
  lookbackDays: number;
}

/** The outbox relay: how it delivers owed signals from the graph to the lifecycles. */
export interface RelayConfig {
  /** Workflows whose signals are delivered at the same time (RELAY_CONCURRENCY). */
  concurrency: number;
  /** How long an idle relay waits before looking for owed signals again (RELAY_POLL_MS). */
  pollMs: number;
  /**
   * How long a relay holds a workflow's queue (RELAY_LEASE_MS): other relays leave it alone
   * until then, and take it over once a stopped or killed relay's lease runs out.
   */
  leaseMs: number;
  /** Events per signal at most (RELAY_BATCH_SIZE). */
  batchSize: number;
  /** Where its health and statistics are served (RELAY_HOST, RELAY_PORT). */
  host: string;
  port: number;
}

/**
 * The console for support staff, marketers and ops: where its server listens, the gateway it
 * sends GraphQL to, and how it signs people in.
 */
export interface ConsoleConfig extends ListenConfig {
  /** The gateway's GraphQL endpoint (CONSOLE_GATEWAY_URL; the local gateway's by default). */
  gatewayUrl: string;
  /** The Temporal Web UI and namespace, for links to a device's lifecycle workflow. */
  temporalUiUrl: string;
  temporalNamespace: string;
  /**
   * Development only: a PEM private key (PKCS#8) trusted by the gateway for staff tokens, with
   * which the console signs a token for the role chosen at sign-in. Null: people sign in with a
   * token of the staff identity provider. Refused in production.
   */
  devSigningKeyFile: string | null;
  /** Issuer and audience of staff tokens, for tokens signed with the development key. */
  staffTokens: { issuer: string; audience: string };
}

/**
 * Where Prometheus scrapes the processes whose main port is public (the gateway, the console) or
 * that have none (the worker): `/metrics` on a listener of their own, on METRICS_HOST (loopback by
 * default), so that the public never reads them. The subgraphs and the relay, never public, serve
 * `/metrics` on their own port.
 */
export interface MetricsConfig {
  host: string;
  gatewayPort: number;
  consolePort: number;
  /** The worker's own metrics (Node process, Neo4j statements of its activities). */
  workerPort: number;
  /** The Temporal SDK's metrics of the worker (workflow task latency, cache size, polls). */
  workerTemporalPort: number;
}

/** The predicted lifetime value model, a background job. */
export interface ValueModelConfig {
  /** How far ahead predictions look, in days, unless a refresh says otherwise. */
  horizonDays: number;
  /** When the nightly refit runs: a cron expression, UTC; null (`off`) for no schedule. */
  schedule: string | null;
}

/** What the event intake accepts beyond each field's own checks. */
export interface IntakeConfig {
  /** Events dated before this day (UTC, YYYY-MM-DD) are refused as implausible. */
  earliestEventDate: string;
}

/** How erased people are recognised later: salted hashes of their keys. */
export interface ErasureConfig {
  /** The secret salt of tombstone hashes; the same in every process, and never changed. */
  salt: string;
}

export interface Config {
  neo4j: Neo4jConfig;
  value: ValueConfig;
  identity: IdentityConfig;
  intake: IntakeConfig;
  attribution: AttributionConfig;
  relay: RelayConfig;
  console: ConsoleConfig;
  metrics: MetricsConfig;
  valueModel: ValueModelConfig;
  erasure: ErasureConfig;
  temporal: TemporalConfig;
  subgraphs: Record<SubgraphName, ListenConfig>;
  gateway: GatewayConfig;
  signing: SigningConfig;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
}

/** Thrown when the environment does not describe a usable configuration. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses and validates the environment. Every problem is reported at once, each naming the
 * variable, so a bad `.env` is fixed in one go.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "not set", as in a `.env` line like `NEO4J_URI=`.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        // Secrets are never echoed, not even in an error.
        const secret = SECRET_VARIABLES.has(name);
        const got = name in present && !secret ? ` (got ${JSON.stringify(present[name])})` : '';
        return `${name}: ${issue.message}${got}`;
      }),
    );
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && e.CONSOLE_DEV_SIGNING_KEY_FILE !== undefined) {
    throw new ConfigError([
      'CONSOLE_DEV_SIGNING_KEY_FILE: development sign-in is never on in production (NODE_ENV=production); sign in with staff tokens of the identity provider',
    ]);
  }
  const subgraphs: Record<SubgraphName, ListenConfig> = {
    products: { host: e.SUBGRAPH_HOST, port: e.PRODUCTS_PORT },
    customers: { host: e.SUBGRAPH_HOST, port: e.CUSTOMERS_PORT },
    campaigns: { host: e.SUBGRAPH_HOST, port: e.CAMPAIGNS_PORT },
  };
  const localUrl = (name: SubgraphName) =>
    `http://${subgraphs[name].host}:${subgraphs[name].port}/graphql`;
  return {
    neo4j: {
      uri: e.NEO4J_URI,
      user: e.NEO4J_USER,
      password: e.NEO4J_PASSWORD,
      database: e.NEO4J_DATABASE,
      timeouts: {
        connectMs: e.NEO4J_CONNECTION_TIMEOUT_MS,
        acquireMs: e.NEO4J_ACQUISITION_TIMEOUT_MS,
        retryMs: e.NEO4J_RETRY_TIME_MS,
        statementMs: e.NEO4J_STATEMENT_TIMEOUT_MS,
      },
    },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiUrl: e.TEMPORAL_UI_URL,
      callTimeoutMs: e.TEMPORAL_CALL_TIMEOUT_MS,
    },
    subgraphs,
    gateway: {
      host: e.GATEWAY_HOST,
      port: e.GATEWAY_PORT,
      corsOrigins: e.GATEWAY_CORS_ORIGINS,
      subgraphUrls: {
        products: e.PRODUCTS_URL ?? localUrl('products'),
        customers: e.CUSTOMERS_URL ?? localUrl('customers'),
        campaigns: e.CAMPAIGNS_URL ?? localUrl('campaigns'),
      },
      limits: {
        maxDepth: e.GATEWAY_MAX_DEPTH,
        maxAliases: e.GATEWAY_MAX_ALIASES,
        maxTokens: e.GATEWAY_MAX_TOKENS,
        maxBodyBytes: e.GATEWAY_MAX_BODY_BYTES,
        rateLimit: {
          requests: e.GATEWAY_RATE_LIMIT_REQUESTS,
          events: e.GATEWAY_RATE_LIMIT_EVENTS,
          windowSeconds: e.GATEWAY_RATE_LIMIT_WINDOW_SECONDS,
        },
        requestTimeoutMs: e.GATEWAY_REQUEST_TIMEOUT_MS,
      },
      clients: e.GATEWAY_CLIENTS,
      appTokens: {
        issuer: e.APP_AUTH_ISSUER,
        audience: e.APP_AUTH_AUDIENCE,
        jwksUrl: e.APP_AUTH_JWKS_URL ?? null,
        publicKey: e.APP_AUTH_PUBLIC_KEY ?? null,
      },
      staffTokens: {
        issuer: e.STAFF_AUTH_ISSUER,
        audience: e.STAFF_AUTH_AUDIENCE,
        jwksUrl: e.STAFF_AUTH_JWKS_URL ?? null,
        publicKey: e.STAFF_AUTH_PUBLIC_KEY ?? null,
      },
      production: e.NODE_ENV === 'production',
    },
    signing: {
      secret: e.SUBGRAPH_SIGNING_SECRET,
      maxAgeMs: e.SUBGRAPH_SIGNATURE_MAX_AGE_MS,
      maxBodyBytes: e.GATEWAY_MAX_BODY_BYTES * SUBGRAPH_BODY_HEADROOM,
    },
    identity: {
      sharedThreshold: e.IDENTITY_SHARED_THRESHOLD,
      secret: e.IDENTITY_SECRET,
      uniqueNamespaces: e.IDENTITY_UNIQUE_NAMESPACES,
    },
    intake: { earliestEventDate: e.INTAKE_EARLIEST_EVENT_DATE },
    value: {
      referralDiscount: e.REFERRAL_DISCOUNT,
      referralMaxHops: e.REFERRAL_MAX_HOPS,
      helpfulVoteValue: e.HELPFUL_VOTE_VALUE,
      superUserMinHelpfulVotes: e.SUPER_USER_MIN_HELPFUL_VOTES,
    },
    attribution: {
      halfLifeDays: e.ATTRIBUTION_HALF_LIFE_DAYS,
      lookbackDays: e.ATTRIBUTION_LOOKBACK_DAYS,
    },
    relay: {
      concurrency: e.RELAY_CONCURRENCY,
      pollMs: e.RELAY_POLL_MS,
      leaseMs: e.RELAY_LEASE_MS,
      batchSize: e.RELAY_BATCH_SIZE,
      host: e.RELAY_HOST,
      port: e.RELAY_PORT,
    },
    console: {
      host: e.CONSOLE_HOST,
      port: e.CONSOLE_PORT,
      gatewayUrl: e.CONSOLE_GATEWAY_URL ?? `http://${e.GATEWAY_HOST}:${e.GATEWAY_PORT}/graphql`,
      temporalUiUrl: e.TEMPORAL_UI_URL,
      temporalNamespace: e.TEMPORAL_NAMESPACE,
      devSigningKeyFile: e.CONSOLE_DEV_SIGNING_KEY_FILE ?? null,
      staffTokens: { issuer: e.STAFF_AUTH_ISSUER, audience: e.STAFF_AUTH_AUDIENCE },
    },
    metrics: {
      host: e.METRICS_HOST,
      gatewayPort: e.GATEWAY_METRICS_PORT,
      consolePort: e.CONSOLE_METRICS_PORT,
      workerPort: e.WORKER_METRICS_PORT,
      workerTemporalPort: e.WORKER_TEMPORAL_METRICS_PORT,
    },
    valueModel: {
      horizonDays: e.VALUE_HORIZON_DAYS,
      schedule: e.VALUE_MODEL_SCHEDULE === 'off' ? null : e.VALUE_MODEL_SCHEDULE,
    },
    erasure: { salt: e.ERASURE_SALT },
    logLevel: e.LOG_LEVEL,
  };
}
