/**
 * Configuration from environment variables, validated at start-up. A bad value stops the process with a
 * message naming the variable (never echoing a secret's value). The variables and their kinds are in env.ts,
 * their defaults in defaults.ts, the rules between them in rules.ts.
 */
import type { AuthSettings, OperationLimits } from '../auth/settings';
import { defaultIssuers, defaultJwksUrl } from '../auth/settings';
import { CLOUDS, type GraphCloud } from '../graph/clouds';
import type { CoordinationSettings } from '../coordination/settings';
import type { AppCredentialSettings } from '../identity/credential';
import { coordinationSettings } from './coordination';
import { historySettings, type HistorySettings } from './history';
import { ConfigError } from './errors';
import { AUTH_DEFAULTS, DEFAULT_LIMITS, EDIT_DEFAULTS, FEDERATION_DEFAULTS, GRAPH_DEFAULTS, SERVER_DEFAULTS } from './defaults';
import { parseEnv, type Env, type GraphAuthMode, type GraphQLExecutor, type LogLevel, type TargetCheckMode } from './env';
import { decide, type Decisions } from './rules';

export { ConfigError } from './errors';
export type { HistorySettings } from './history';
export type { GraphAuthMode, GraphQLExecutor, LogLevel, TargetCheckMode } from './env';

export interface Config {
  nodeEnv: string;
  production: boolean;
  host: string;
  port: number;
  logLevel: LogLevel;
  introspection: boolean;
  /** How validated operations are executed (GRAPHQL_EXECUTOR). */
  executor: GraphQLExecutor;
  maxBodyBytes: number;
  /** How long in-flight requests may take to finish after SIGTERM. */
  shutdownGraceMs: number;
  /** How long readiness reports 503 before the listener closes (lets a load balancer drain). */
  shutdownDelayMs: number;
  /** How long an idempotency key is kept after its first use (IDEMPOTENCY_TTL_S), in the history store. */
  idempotencyTtlS: number;
  graph: {
    authMode: GraphAuthMode;
    cloud: GraphCloud;
    /** Graph's origin to call. */
    baseUrl: string;
    /** Whether baseUrl came from GRAPH_BASE_URL (else from the cloud, or the embedded emulator). */
    baseUrlOverridden: boolean;
    scope: string;
    timeoutMs: number;
    /** Longest wait for one token acquisition (GRAPH_TOKEN_TIMEOUT_MS, at most timeoutMs). */
    tokenTimeoutMs: number;
    maxRetries: number;
    maxConnections: number;
    connectTimeoutMs: number;
    bulkhead: { maxConcurrent: number; maxQueue: number; maxWaitMs: number };
    /**
     * Intune's budgets: writes, and requests of any kind (reads). Per replica without REDIS_URL; with it, the limits
     * of the whole app, shared by every replica through Redis.
     */
    writeBudget: { limit: number; windowMs: number; maxWaitMs: number };
    readBudget: { limit: number; windowMs: number; maxWaitMs: number };
  };
  /** The shared store for the budgets and the pool locks (REDIS_*); `redis` undefined: in process. */
  coordination: CoordinationSettings;
  /** The assignment history's store, sweep and retention (DATABASE_URL, HISTORY_*). */
  history: HistorySettings;
  azure: AppCredentialSettings;
  /** OTLP/HTTP traces URL; undefined: tracing off. */
  tracing: { endpoint?: string; serviceName: string };
  emulator: {
    /** Port of the embedded emulator in emulator mode (0: any free port). */
    port: number;
  };
  /** Inbound authentication: bearer tokens, permissions, router secret (docs/identity.md). */
  auth: AuthSettings;
  /** Limits on the shape of an operation (depth, aliases, tokens, cost, directives). */
  limits: OperationLimits;
  /** What the subgraph tells gateways: cache hints' max age, and where to invalidate after writes. */
  federation: FederationSettings;
  /** Target checks of writes and bulk edits (docs/edits.md). */
  edits: {
    /** TARGET_CHECKS */
    targetChecks: TargetCheckMode;
    /** TARGET_CHECK_CACHE_S: cross-request memory of existence for `targetState` (0: none). */
    targetCheckCacheSeconds: number;
    /** BULK_TIMEOUT_MS: a bulk edit's longest time spent retrying throttled pools. */
    bulkTimeoutMs: number;
  };
}

export interface FederationSettings {
  /** The max age of every cache hint (CACHE_MAX_AGE_S); 0: every reply `no-store`. */
  cacheMaxAgeS: number;
  /** Every hint `scope: PRIVATE`: on-behalf-of mode, where what a caller sees depends on who calls. */
  privateScope: boolean;
  /** Apollo Router's invalidation endpoint and shared key (ROUTER_INVALIDATION_URL/_SECRET); undefined: off. */
  invalidation?: { url: string; secret: string; timeoutMs: number };
}

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const coordination = coordinationSettings(env);
  const history = historySettings(env, (env.NODE_ENV?.trim() || SERVER_DEFAULTS.nodeEnv) === 'production');
  const others = [...coordination.problems, ...history.problems];
  let config: Config;
  try {
    config = loadRest(env, coordination.settings, history.settings);
  } catch (error) {
    // One message listing every bad variable, the REDIS_* and history ones with the others.
    if (error instanceof ConfigError && others.length > 0) throw new ConfigError([...error.problems, ...others]);
    throw error;
  }
  if (others.length > 0) throw new ConfigError(others);
  return config;
}

function loadRest(env: NodeJS.ProcessEnv, coordination: CoordinationSettings, history: HistorySettings): Config {
  const e = parseEnv(env);
  const nodeEnv = e.NODE_ENV ?? SERVER_DEFAULTS.nodeEnv;
  const production = nodeEnv === 'production';
  const decisions = decide(e, production);
  const cloud = e.GRAPH_CLOUD ?? GRAPH_DEFAULTS.cloud;
  const authorityHost = e.AZURE_AUTHORITY_HOST ?? CLOUDS[cloud].authority;
  return {
    nodeEnv,
    production,
    host: e.HOST ?? (production ? SERVER_DEFAULTS.productionHost : SERVER_DEFAULTS.host),
    port: e.PORT ?? SERVER_DEFAULTS.port,
    logLevel: e.LOG_LEVEL ?? SERVER_DEFAULTS.logLevel,
    introspection: e.INTROSPECTION ?? !production,
    executor: e.GRAPHQL_EXECUTOR ?? SERVER_DEFAULTS.executor,
    maxBodyBytes: e.MAX_BODY_BYTES ?? SERVER_DEFAULTS.maxBodyBytes,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS ?? SERVER_DEFAULTS.shutdownGraceMs,
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS ?? SERVER_DEFAULTS.shutdownDelayMs,
    idempotencyTtlS: e.IDEMPOTENCY_TTL_S ?? SERVER_DEFAULTS.idempotencyTtlS,
    graph: graphSettings(e, cloud, decisions.authMode),
    coordination,
    history,
    azure: {
      tenantId: e.AZURE_TENANT_ID,
      clientId: e.AZURE_CLIENT_ID,
      clientSecret: e.AZURE_CLIENT_SECRET,
      clientCertificatePath: e.AZURE_CLIENT_CERTIFICATE_PATH,
      clientCertificatePassword: e.AZURE_CLIENT_CERTIFICATE_PASSWORD,
      federatedTokenFile: e.AZURE_FEDERATED_TOKEN_FILE,
      authorityHost,
      disableInstanceDiscovery: e.AZURE_DISABLE_INSTANCE_DISCOVERY ?? false,
    },
    tracing: {
      endpoint:
        e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
        (e.OTEL_EXPORTER_OTLP_ENDPOINT ? `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined),
      serviceName: e.OTEL_SERVICE_NAME ?? SERVER_DEFAULTS.serviceName,
    },
    emulator: { port: e.EMULATOR_PORT ?? SERVER_DEFAULTS.emulatorPort },
    auth: authSettings(e, cloud, authorityHost, decisions),
    limits: {
      maxDepth: e.MAX_DEPTH ?? DEFAULT_LIMITS.maxDepth,
      maxAliases: e.MAX_ALIASES ?? DEFAULT_LIMITS.maxAliases,
      maxTokens: e.MAX_TOKENS ?? DEFAULT_LIMITS.maxTokens,
      maxCost: e.MAX_COST ?? DEFAULT_LIMITS.maxCost,
      maxDirectives: e.MAX_DIRECTIVES ?? DEFAULT_LIMITS.maxDirectives,
      maxEntities: e.MAX_ENTITIES ?? DEFAULT_LIMITS.maxEntities,
      routerMaxAliases: e.ROUTER_MAX_ALIASES ?? DEFAULT_LIMITS.routerMaxAliases,
      routerMaxTokens: e.ROUTER_MAX_TOKENS ?? DEFAULT_LIMITS.routerMaxTokens,
    },
    federation: {
      cacheMaxAgeS: e.CACHE_MAX_AGE_S ?? FEDERATION_DEFAULTS.cacheMaxAgeS,
      privateScope: decisions.authMode === 'obo',
      invalidation:
        e.ROUTER_INVALIDATION_URL && e.ROUTER_INVALIDATION_SECRET
          ? { url: e.ROUTER_INVALIDATION_URL, secret: e.ROUTER_INVALIDATION_SECRET, timeoutMs: FEDERATION_DEFAULTS.invalidationTimeoutMs }
          : undefined,
    },
    edits: {
      targetChecks: e.TARGET_CHECKS ?? EDIT_DEFAULTS.targetChecks,
      targetCheckCacheSeconds: e.TARGET_CHECK_CACHE_S ?? EDIT_DEFAULTS.targetCheckCacheSeconds,
      bulkTimeoutMs: e.BULK_TIMEOUT_MS ?? EDIT_DEFAULTS.bulkTimeoutMs,
    },
  };
}

function graphSettings(e: Env, cloud: GraphCloud, authMode: GraphAuthMode): Config['graph'] {
  const graphHost = CLOUDS[cloud].graph;
  // Both budgets count in the same window, with the same longest wait: Intune's limits share their 20 s.
  const windowMs = e.GRAPH_WRITE_WINDOW_SECONDS !== undefined ? e.GRAPH_WRITE_WINDOW_SECONDS * 1000 : GRAPH_DEFAULTS.writeBudget.windowMs;
  const maxWaitMs = e.GRAPH_WRITE_MAX_WAIT_MS ?? GRAPH_DEFAULTS.writeBudget.maxWaitMs;
  return {
    authMode,
    cloud,
    baseUrl: e.GRAPH_BASE_URL ?? graphHost,
    baseUrlOverridden: e.GRAPH_BASE_URL !== undefined,
    // The scope names the cloud's Graph even behind a proxy (GRAPH_BASE_URL): tokens are for Graph, not the proxy.
    scope: e.GRAPH_SCOPE ?? `${graphHost}/.default`,
    timeoutMs: e.GRAPH_TIMEOUT_MS ?? GRAPH_DEFAULTS.timeoutMs,
    tokenTimeoutMs: e.GRAPH_TOKEN_TIMEOUT_MS ?? Math.min(GRAPH_DEFAULTS.tokenTimeoutMs, e.GRAPH_TIMEOUT_MS ?? GRAPH_DEFAULTS.timeoutMs),
    maxRetries: e.GRAPH_MAX_RETRIES ?? GRAPH_DEFAULTS.maxRetries,
    maxConnections: e.GRAPH_MAX_CONNECTIONS ?? GRAPH_DEFAULTS.maxConnections,
    connectTimeoutMs: e.GRAPH_CONNECT_TIMEOUT_MS ?? GRAPH_DEFAULTS.connectTimeoutMs,
    bulkhead: {
      maxConcurrent: e.GRAPH_MAX_CONCURRENCY ?? GRAPH_DEFAULTS.bulkhead.maxConcurrent,
      maxQueue: e.GRAPH_MAX_QUEUE ?? GRAPH_DEFAULTS.bulkhead.maxQueue,
      maxWaitMs: e.GRAPH_QUEUE_TIMEOUT_MS ?? GRAPH_DEFAULTS.bulkhead.maxWaitMs,
    },
    writeBudget: { limit: e.GRAPH_WRITE_LIMIT ?? GRAPH_DEFAULTS.writeBudget.limit, windowMs, maxWaitMs },
    readBudget: { limit: e.GRAPH_READ_LIMIT ?? GRAPH_DEFAULTS.readLimit, windowMs, maxWaitMs },
  };
}

function authSettings(e: Env, cloud: GraphCloud, authorityHost: string, decisions: Decisions): AuthSettings {
  const tenantId = e.AZURE_TENANT_ID ?? '';
  return {
    enabled: decisions.authEnabled,
    audiences: e.AUTH_AUDIENCE ?? [],
    issuers: e.AUTH_ISSUER ?? (tenantId ? defaultIssuers(cloud, authorityHost, tenantId) : []),
    jwksUrl: e.AUTH_JWKS_URL ?? (tenantId ? defaultJwksUrl(authorityHost, tenantId) : ''),
    jwksCooldownSeconds: e.AUTH_JWKS_COOLDOWN_SECONDS ?? AUTH_DEFAULTS.jwksCooldownSeconds,
    jwksRefreshSeconds: e.AUTH_JWKS_REFRESH_SECONDS ?? AUTH_DEFAULTS.jwksRefreshSeconds,
    clockToleranceSeconds: e.AUTH_CLOCK_TOLERANCE_SECONDS ?? AUTH_DEFAULTS.clockToleranceSeconds,
    permissions: decisions.permissions,
    routerSecret: e.ROUTER_SECRET,
    verifiedCacheSize: e.AUTH_TOKEN_CACHE_SIZE ?? AUTH_DEFAULTS.verifiedCacheSize,
    oboCacheSize: e.OBO_CACHE_SIZE ?? AUTH_DEFAULTS.oboCacheSize,
  };
}
