/**
 * The environment variables the subgraph reads, each with its kind of value, and their parsing: every variable
 * is optional here (defaults.ts holds the defaults; rules.ts the rules between variables).
 */
import { z } from 'zod';
import { ConfigError } from './errors';
import { bool, collectorUrl, commaList, guid, httpUrl, identityUrl, int, permissionName, urlList } from './values';

export const GRAPH_AUTH_MODES = ['emulator', 'app', 'obo'] as const;
export type GraphAuthMode = (typeof GRAPH_AUTH_MODES)[number];

/** `jit`: graphql-jit where it compiles the operation (src/graphql/executor.ts); `graphql-js`: graphql-js always. */
export const GRAPHQL_EXECUTORS = ['jit', 'graphql-js'] as const;
export type GraphQLExecutor = (typeof GRAPHQL_EXECUTORS)[number];

/** Checks of the groups and filters a write sends: refuse (strict), report on the payload (warn), or none (off). */
export const TARGET_CHECK_MODES = ['strict', 'warn', 'off'] as const;
export type TargetCheckMode = (typeof TARGET_CHECK_MODES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const envSchema = z.object({
  NODE_ENV: z.string().trim().optional(),
  HOST: z.string().trim().min(1).optional(),
  PORT: int(0, 65535).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  INTROSPECTION: bool.optional(),
  GRAPHQL_EXECUTOR: z.enum(GRAPHQL_EXECUTORS).optional(),
  MAX_BODY_BYTES: int(1024, 10 * 1024 * 1024).optional(),
  SHUTDOWN_GRACE_MS: int(0, 600_000).optional(),
  SHUTDOWN_DELAY_MS: int(0, 600_000).optional(),
  IDEMPOTENCY_TTL_S: int(60, 30 * 86_400).optional(),
  GRAPH_AUTH_MODE: z.enum(GRAPH_AUTH_MODES).optional(),
  GRAPH_CLOUD: z.enum(['global', 'usgov', 'usgovdod', 'china']).optional(),
  GRAPH_BASE_URL: httpUrl.optional(),
  GRAPH_SCOPE: z.string().trim().min(1).optional(),
  GRAPH_TIMEOUT_MS: int(100, 300_000).optional(),
  GRAPH_TOKEN_TIMEOUT_MS: int(100, 300_000).optional(),
  GRAPH_MAX_RETRIES: int(0, 10).optional(),
  GRAPH_MAX_CONNECTIONS: int(1, 1024).optional(),
  GRAPH_CONNECT_TIMEOUT_MS: int(100, 60_000).optional(),
  GRAPH_MAX_CONCURRENCY: int(0, 100_000).optional(),
  GRAPH_MAX_QUEUE: int(0, 1_000_000).optional(),
  GRAPH_QUEUE_TIMEOUT_MS: int(0, 300_000).optional(),
  GRAPH_WRITE_LIMIT: int(0, 1_000_000).optional(),
  GRAPH_WRITE_WINDOW_SECONDS: int(1, 3600).optional(),
  GRAPH_WRITE_MAX_WAIT_MS: int(0, 300_000).optional(),
  GRAPH_READ_LIMIT: int(0, 1_000_000).optional(),
  AZURE_TENANT_ID: guid.optional(),
  AZURE_CLIENT_ID: guid.optional(),
  AZURE_CLIENT_SECRET: z.string().min(1).optional(),
  AZURE_CLIENT_CERTIFICATE_PATH: z.string().trim().min(1).optional(),
  AZURE_CLIENT_CERTIFICATE_PASSWORD: z.string().optional(),
  AZURE_FEDERATED_TOKEN_FILE: z.string().trim().min(1).optional(),
  AZURE_AUTHORITY_HOST: httpUrl.optional(),
  AZURE_DISABLE_INSTANCE_DISCOVERY: bool.optional(),
  EMULATOR_PORT: int(0, 65535).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collectorUrl.optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1).optional(),
  AUTH_AUDIENCE: commaList.optional(),
  AUTH_ISSUER: urlList.optional(),
  AUTH_JWKS_URL: identityUrl.optional(),
  AUTH_JWKS_COOLDOWN_SECONDS: int(0, 3600).optional(),
  AUTH_JWKS_REFRESH_SECONDS: int(60, 7 * 24 * 3600).optional(),
  AUTH_CLOCK_TOLERANCE_SECONDS: int(0, 300).optional(),
  AUTH_READ_PERMISSION: permissionName.optional(),
  AUTH_ASSIGN_PERMISSION: permissionName.optional(),
  AUTH_MANAGE_PERMISSION: permissionName.optional(),
  AUTH_TOKEN_CACHE_SIZE: int(1, 1_000_000).optional(),
  OBO_CACHE_SIZE: int(1, 100_000).optional(),
  ROUTER_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  MAX_DEPTH: int(1, 100).optional(),
  MAX_ALIASES: int(0, 1000).optional(),
  MAX_TOKENS: int(10, 100_000).optional(),
  MAX_COST: int(1, 100_000_000).optional(),
  MAX_DIRECTIVES: int(0, 1000).optional(),
  MAX_ENTITIES: int(1, 100_000).optional(),
  ROUTER_MAX_ALIASES: int(0, 100_000).optional(),
  ROUTER_MAX_TOKENS: int(10, 1_000_000).optional(),
  // Federation: cache hints and the router's response-cache invalidation (docs/federation.md).
  CACHE_MAX_AGE_S: int(0, 86_400).optional(),
  ROUTER_INVALIDATION_URL: collectorUrl.optional(),
  ROUTER_INVALIDATION_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  TARGET_CHECKS: z.enum(TARGET_CHECK_MODES).optional(),
  TARGET_CHECK_CACHE_S: int(0, 3600).optional(),
  BULK_TIMEOUT_MS: int(0, 600_000).optional(),
});

/** The variables as parsed: each one typed, undefined when unset. */
export type Env = z.infer<typeof envSchema>;

/** Variables whose values must never be printed. */
const SECRET_VARIABLES = new Set(['AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PASSWORD', 'ROUTER_SECRET', 'ROUTER_INVALIDATION_SECRET']);

/** Parses the variables; throws ConfigError naming every bad one (with its value, unless it is a secret). */
export function parseEnv(env: NodeJS.ProcessEnv): Env {
  // Empty strings count as unset (docker-compose and .env files produce them).
  const input: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = envSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const shown = SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(input[name])})`;
      return `${name}: ${issue.message}${shown}`;
    }),
  );
}
