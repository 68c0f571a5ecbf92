/** Configuration from environment variables, validated at start-up: a bad value stops the process naming the variable. */
import { CLOUDS, type GraphCloud } from '../graph/clouds';
import { GRAPH_CLIENT_DEFAULTS } from '../graph/options';
import type { AppCredentialSettings } from '../identity/credential';
import { coordination } from './coordination';
import { decide, serviceEnv } from './env';
import { history } from './history';
import { readSections, reporter } from './values';
import { z } from 'zod';

export { ConfigError } from './values';
export type { GraphAuthMode } from './env';
export { INTUNE_READ_LIMIT } from './env';

/** How long a write waits for the router's invalidation before it answers anyway. */
const INVALIDATION_TIMEOUT_MS = 2000;

/** The whole configuration, as loadConfig builds it. */
export type Config = ReturnType<typeof loadConfig>;

/** The service's variables with the rules between them applied (a broken rule fails the parse, whatever is returned). */
const service = (production: boolean) =>
  serviceEnv.transform((e, ctx) => {
    const decisions = decide(e, production, reporter(ctx));
    return decisions === undefined ? z.NEVER : { e, decisions };
  });

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const production = (env.NODE_ENV?.trim() || 'development') === 'production';
  const sections = readSections({ service: service(production), coordination, history: history(production) }, env);
  const { e, decisions } = sections.service;
  const graphHost = CLOUDS[e.GRAPH_CLOUD].graph;
  // Both budgets count in the same window, with the same longest wait: Intune's limits share their 20 s.
  const windowMs = e.GRAPH_WRITE_WINDOW_SECONDS * 1000;
  const maxWaitMs = e.GRAPH_WRITE_MAX_WAIT_MS;
  const tenantId = e.AZURE_TENANT_ID ?? '';
  const azure: AppCredentialSettings = {
    tenantId: e.AZURE_TENANT_ID,
    clientId: e.AZURE_CLIENT_ID,
    clientSecret: e.AZURE_CLIENT_SECRET,
    clientCertificatePath: e.AZURE_CLIENT_CERTIFICATE_PATH,
    clientCertificatePassword: e.AZURE_CLIENT_CERTIFICATE_PASSWORD,
    federatedTokenFile: e.AZURE_FEDERATED_TOKEN_FILE,
    authorityHost: e.AZURE_AUTHORITY_HOST ?? CLOUDS[e.GRAPH_CLOUD].authority,
    disableInstanceDiscovery: e.AZURE_DISABLE_INSTANCE_DISCOVERY,
  };
  return {
    production,
    host: e.HOST ?? (production ? '0.0.0.0' : 'localhost'),
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    introspection: e.INTROSPECTION ?? !production,
    executor: e.GRAPHQL_EXECUTOR,
    maxBodyBytes: e.MAX_BODY_BYTES,
    /** How long in-flight requests may take to finish after SIGTERM. */
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    /** How long readiness reports 503 before the listener closes (lets a load balancer drain). */
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
    /** How long an idempotency key is kept after its first use, in the history store. */
    idempotencyTtlS: e.IDEMPOTENCY_TTL_S,
    graph: {
      authMode: decisions.authMode,
      cloud: e.GRAPH_CLOUD,
      /** Graph's origin to call. */
      baseUrl: e.GRAPH_BASE_URL ?? graphHost,
      /** Whether baseUrl came from GRAPH_BASE_URL (else from the cloud, or the embedded emulator). */
      baseUrlOverridden: e.GRAPH_BASE_URL !== undefined,
      // The scope names the cloud's Graph even behind a proxy (GRAPH_BASE_URL): tokens are for Graph, not the proxy.
      scope: e.GRAPH_SCOPE ?? `${graphHost}/.default`,
      timeoutMs: e.GRAPH_TIMEOUT_MS,
      /** Longest wait for one token acquisition (at most timeoutMs). */
      tokenTimeoutMs: e.GRAPH_TOKEN_TIMEOUT_MS ?? Math.min(GRAPH_CLIENT_DEFAULTS.tokenTimeoutMs, e.GRAPH_TIMEOUT_MS),
      retry: { maxRetries: e.GRAPH_MAX_RETRIES },
      maxConnections: e.GRAPH_MAX_CONNECTIONS,
      connectTimeoutMs: e.GRAPH_CONNECT_TIMEOUT_MS,
      bulkhead: { maxConcurrent: e.GRAPH_MAX_CONCURRENCY, maxQueue: e.GRAPH_MAX_QUEUE, maxWaitMs: e.GRAPH_QUEUE_TIMEOUT_MS },
      /** Intune's budgets (writes; requests of any kind): per replica, or per app when shared through Redis. */
      writeBudget: { limit: e.GRAPH_WRITE_LIMIT, windowMs, maxWaitMs },
      readBudget: { limit: e.GRAPH_READ_LIMIT, windowMs, maxWaitMs },
    },
    /** The shared store for the budgets and the pool locks; `redis` undefined: in process. */
    coordination: sections.coordination,
    history: sections.history,
    azure,
    /** OTLP/HTTP traces URL; undefined: tracing off. */
    tracing: {
      endpoint:
        e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
        (e.OTEL_EXPORTER_OTLP_ENDPOINT ? `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined),
      serviceName: e.OTEL_SERVICE_NAME,
    },
    /** Port of the embedded emulator in emulator mode (0: any free port). */
    emulator: { port: e.EMULATOR_PORT },
    auth: {
      /** Whether requests need a verified bearer token (always in app and obo modes; in emulator mode with AUTH_AUDIENCE). */
      enabled: decisions.authEnabled,
      audiences: e.AUTH_AUDIENCE ?? [],
      issuers: e.AUTH_ISSUER ?? (tenantId ? defaultIssuers(e.GRAPH_CLOUD, azure.authorityHost, tenantId) : []),
      // The tenant's signing keys (the same keys sign v1 and v2 tokens).
      jwksUrl: e.AUTH_JWKS_URL ?? (tenantId ? `${azure.authorityHost.replace(/\/+$/, '')}/${tenantId}/discovery/v2.0/keys` : ''),
      jwksCooldownSeconds: e.AUTH_JWKS_COOLDOWN_SECONDS,
      jwksRefreshSeconds: e.AUTH_JWKS_REFRESH_SECONDS,
      clockToleranceSeconds: e.AUTH_CLOCK_TOLERANCE_SECONDS,
      permissions: decisions.permissions,
      /** `router-authorization` value required on every /graphql request, when set. */
      routerSecret: e.ROUTER_SECRET,
      verifiedCacheSize: e.AUTH_TOKEN_CACHE_SIZE,
      oboCacheSize: e.OBO_CACHE_SIZE,
    },
    limits: {
      maxDepth: e.MAX_DEPTH,
      maxAliases: e.MAX_ALIASES,
      maxTokens: e.MAX_TOKENS,
      maxCost: e.MAX_COST,
      maxDirectives: e.MAX_DIRECTIVES,
      maxEntities: e.MAX_ENTITIES,
      routerMaxAliases: e.ROUTER_MAX_ALIASES,
      routerMaxTokens: e.ROUTER_MAX_TOKENS,
    },
    federation: {
      /** The max age of every cache hint; 0: every reply `no-store`. */
      cacheMaxAgeS: e.CACHE_MAX_AGE_S,
      /** Every hint `scope: PRIVATE`: on-behalf-of mode, where what a caller sees depends on who calls. */
      privateScope: decisions.authMode === 'obo',
      /** Apollo Router's invalidation endpoint and shared key; absent: off. */
      ...(e.ROUTER_INVALIDATION_URL && e.ROUTER_INVALIDATION_SECRET
        ? { invalidation: { url: e.ROUTER_INVALIDATION_URL, secret: e.ROUTER_INVALIDATION_SECRET, timeoutMs: INVALIDATION_TIMEOUT_MS } }
        : {}),
    },
    edits: {
      targetChecks: e.TARGET_CHECKS,
      /** Cross-request memory of existence for `targetState` (0: none). */
      targetCheckCacheSeconds: e.TARGET_CHECK_CACHE_S,
      /** A bulk edit's longest time spent retrying throttled pools. */
      bulkTimeoutMs: e.BULK_TIMEOUT_MS,
    },
  };
}

/** A tenant's v2 and v1 token issuers on the cloud (v1 `<authority>/<tenant>/` with a custom authority host). */
function defaultIssuers(cloud: GraphCloud, authorityHost: string, tenantId: string): string[] {
  const authority = authorityHost.replace(/\/+$/, '');
  // Entra ID's v1 issuer host on the cloud's own authority (`iss` = `<host>/<tenant>/`).
  const v1Host = authority !== CLOUDS[cloud].authority ? authority : cloud === 'china' ? 'https://sts.chinacloudapi.cn' : 'https://sts.windows.net';
  return [`${authority}/${tenantId}/v2.0`, `${v1Host}/${tenantId}/`];
}
