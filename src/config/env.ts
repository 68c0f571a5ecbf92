/** The service's environment variables by section: each one's kind of value and its default (as the variable is written). */
import { z } from 'zod';
import { DEFAULT_PERMISSIONS } from '../auth/principal';
import { DEFAULT_LIMITS } from '../auth/settings';
import { GRAPH_CLIENT_DEFAULTS as G } from '../graph/options';
import { bool, collectorUrl, commaList, guid, httpUrl, identityUrl, int, permissionName, secret, text, urlList } from './values';

/** Every variable of the service, by section, parsed (defaults applied). */
export const serviceEnv = z.object({
  // server
  NODE_ENV: z.string().trim().default('development'),
  /** Default: localhost, 0.0.0.0 in production. */
  HOST: text.optional(),
  PORT: int(0, 65535).default('4000'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Default: on outside production. */
  INTROSPECTION: bool.optional(),
  /** `jit`: graphql-jit where it compiles the operation; `graphql-js`: graphql-js always. */
  GRAPHQL_EXECUTOR: z.enum(['jit', 'graphql-js']).default('jit'),
  MAX_BODY_BYTES: int(1024, 10 * 1024 * 1024).default(String(256 * 1024)),
  SHUTDOWN_GRACE_MS: int(0, 600_000).default('10000'),
  SHUTDOWN_DELAY_MS: int(0, 600_000).default('0'),
  IDEMPOTENCY_TTL_S: int(60, 30 * 86_400).default('86400'),
  /** The embedded emulator's port; 0: any free port. */
  EMULATOR_PORT: int(0, 65535).default('0'),
  OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collectorUrl.optional(),
  OTEL_SERVICE_NAME: text.default('esim-pools-subgraph'),
  // graph
  GRAPH_AUTH_MODE: z.enum(['emulator', 'app', 'obo']).optional(),
  GRAPH_CLOUD: z.enum(['global', 'usgov', 'usgovdod', 'china']).default('global'),
  GRAPH_BASE_URL: httpUrl.optional(),
  GRAPH_SCOPE: text.optional(),
  GRAPH_TIMEOUT_MS: int(100, 300_000).default(String(G.timeoutMs)),
  /** Default: 10 s, at most GRAPH_TIMEOUT_MS. */
  GRAPH_TOKEN_TIMEOUT_MS: int(100, 300_000).optional(),
  GRAPH_MAX_RETRIES: int(0, 10).default(String(G.retry.maxRetries)),
  GRAPH_MAX_CONNECTIONS: int(1, 1024).default(String(G.maxConnections)),
  GRAPH_CONNECT_TIMEOUT_MS: int(100, 60_000).default(String(G.connectTimeoutMs)),
  GRAPH_MAX_CONCURRENCY: int(0, 100_000).default(String(G.bulkhead.maxConcurrent)),
  GRAPH_MAX_QUEUE: int(0, 1_000_000).default(String(G.bulkhead.maxQueue)),
  GRAPH_QUEUE_TIMEOUT_MS: int(0, 300_000).default(String(G.bulkhead.maxWaitMs)),
  GRAPH_WRITE_LIMIT: int(0, 1_000_000).default(String(G.writeBudget.limit)),
  GRAPH_WRITE_WINDOW_SECONDS: int(1, 3600).default(String(G.writeBudget.windowMs / 1000)),
  GRAPH_WRITE_MAX_WAIT_MS: int(0, 300_000).default(String(G.writeBudget.maxWaitMs)),
  /** Intune: 1000 requests of any kind per 20 s per app per tenant. */
  GRAPH_READ_LIMIT: int(0, 1_000_000).default('1000'),
  // azure
  AZURE_TENANT_ID: guid.optional(),
  AZURE_CLIENT_ID: guid.optional(),
  AZURE_CLIENT_SECRET: z.string().min(1).optional(),
  AZURE_CLIENT_CERTIFICATE_PATH: text.optional(),
  AZURE_CLIENT_CERTIFICATE_PASSWORD: z.string().optional(),
  AZURE_FEDERATED_TOKEN_FILE: text.optional(),
  /** Default: the cloud's authority. */
  AZURE_AUTHORITY_HOST: httpUrl.optional(),
  AZURE_DISABLE_INSTANCE_DISCOVERY: bool.default('false'),
  // auth
  AUTH_AUDIENCE: commaList.optional(),
  /** Default: the tenant's v1 and v2 issuers. */
  AUTH_ISSUER: urlList.optional(),
  /** Default: the tenant's keys. */
  AUTH_JWKS_URL: identityUrl.optional(),
  AUTH_JWKS_COOLDOWN_SECONDS: int(0, 3600).default('30'),
  AUTH_JWKS_REFRESH_SECONDS: int(60, 7 * 24 * 3600).default('3600'),
  AUTH_CLOCK_TOLERANCE_SECONDS: int(0, 300).default('60'),
  AUTH_READ_PERMISSION: permissionName.default(DEFAULT_PERMISSIONS.read),
  AUTH_ASSIGN_PERMISSION: permissionName.default(DEFAULT_PERMISSIONS.assign),
  AUTH_MANAGE_PERMISSION: permissionName.default(DEFAULT_PERMISSIONS.manage),
  AUTH_TOKEN_CACHE_SIZE: int(1, 1_000_000).default('10000'),
  OBO_CACHE_SIZE: int(1, 100_000).default('1000'),
  ROUTER_SECRET: secret.optional(),
  // limits
  MAX_DEPTH: int(1, 100).default(String(DEFAULT_LIMITS.maxDepth)),
  MAX_ALIASES: int(0, 1000).default(String(DEFAULT_LIMITS.maxAliases)),
  MAX_TOKENS: int(10, 100_000).default(String(DEFAULT_LIMITS.maxTokens)),
  MAX_COST: int(1, 100_000_000).default(String(DEFAULT_LIMITS.maxCost)),
  MAX_DIRECTIVES: int(0, 1000).default(String(DEFAULT_LIMITS.maxDirectives)),
  MAX_ENTITIES: int(1, 100_000).default(String(DEFAULT_LIMITS.maxEntities)),
  ROUTER_MAX_ALIASES: int(0, 100_000).default(String(DEFAULT_LIMITS.routerMaxAliases)),
  ROUTER_MAX_TOKENS: int(10, 1_000_000).default(String(DEFAULT_LIMITS.routerMaxTokens)),
  // federation: cache hints and the router's response-cache invalidation (docs/federation.md)
  CACHE_MAX_AGE_S: int(0, 86_400).default('30'),
  ROUTER_INVALIDATION_URL: collectorUrl.optional(),
  ROUTER_INVALIDATION_SECRET: secret.optional(),
  // edits: target checks and bulk edits (docs/edits.md)
  /** Checks of the groups and filters a write sends: refuse (strict), report on the payload (warn), or none (off). */
  TARGET_CHECKS: z.enum(['strict', 'warn', 'off']).default('strict'),
  TARGET_CHECK_CACHE_S: int(0, 3600).default('30'),
  BULK_TIMEOUT_MS: int(0, 600_000).default('60000'),
});

export type Env = z.output<typeof serviceEnv>;
export type GraphAuthMode = NonNullable<Env['GRAPH_AUTH_MODE']>;
export type GraphQLExecutor = Env['GRAPHQL_EXECUTOR'];

const defaults = serviceEnv.parse({});

/** Defaults other modules fall back to (the schema's). */
export const SERVER_DEFAULTS = { maxBodyBytes: defaults.MAX_BODY_BYTES, emulatorPort: defaults.EMULATOR_PORT } as const;
export const GRAPH_DEFAULTS = { readLimit: defaults.GRAPH_READ_LIMIT } as const;
export const FEDERATION_DEFAULTS = { cacheMaxAgeS: defaults.CACHE_MAX_AGE_S, invalidationTimeoutMs: 2000 };
