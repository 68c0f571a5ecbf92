/** The service's environment variables by section (each one's kind of value and default, as written), and the rules between them. */
import { z } from 'zod';
import { DEFAULT_PERMISSIONS, type PermissionNames } from '../auth/principal';
import { GRAPH_CLIENT_DEFAULTS as G } from '../graph/options';
import { bool, collectorUrl, commaList, guid, httpUrl, identityUrl, int, permissionName, secret, text, urlList, type Report } from './values';

/** Intune: 1000 requests of any kind per 20 s per app per tenant (GRAPH_READ_LIMIT's default). */
export const INTUNE_READ_LIMIT = 1000;

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
  GRAPH_READ_LIMIT: int(0, 1_000_000).default(String(INTUNE_READ_LIMIT)),
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
  // operation limits (docs/identity.md has what they count and what typical operations cost)
  MAX_DEPTH: int(1, 100).default('10'),
  MAX_ALIASES: int(0, 1000).default('15'),
  MAX_TOKENS: int(10, 100_000).default('1000'),
  MAX_COST: int(1, 100_000_000).default('1000'),
  MAX_DIRECTIVES: int(0, 1000).default('20'),
  MAX_ENTITIES: int(1, 100_000).default('500'),
  ROUTER_MAX_ALIASES: int(0, 100_000).default('500'),
  ROUTER_MAX_TOKENS: int(10, 1_000_000).default('50000'),
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

/** The AZURE_* variables whose presence means "a real tenant is configured". */
const AZURE_VARIABLES = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_FEDERATED_TOKEN_FILE'] as const;

/** The mode; emulator when unset, except in production or with a tenant configured; undefined while none was chosen. */
function authModeOf(e: Env, production: boolean, report: Report): GraphAuthMode | undefined {
  if (e.GRAPH_AUTH_MODE) return e.GRAPH_AUTH_MODE;
  if (production) {
    report('GRAPH_AUTH_MODE', 'must be set explicitly when NODE_ENV=production (app, obo or emulator)');
    return undefined;
  }
  const azureSet = AZURE_VARIABLES.filter((name) => e[name] !== undefined);
  if (azureSet.length === 0) return 'emulator';
  const names = azureSet.join(', ');
  report(
    'GRAPH_AUTH_MODE',
    `${names} ${azureSet.length === 1 ? 'is' : 'are'} set but GRAPH_AUTH_MODE is not: set GRAPH_AUTH_MODE=app ` +
      `(Graph with the application's own permissions) or obo (on behalf of the signed-in caller), or unset ${names} to use the built-in Graph emulator`,
  );
  return undefined;
}

/** What calling Graph for a tenant needs: the tenant, and for on-behalf-of a confidential client. */
function checkAzure(e: Env, authMode: GraphAuthMode, report: Report): void {
  if (authMode === 'app' || authMode === 'obo') {
    if (!e.AZURE_TENANT_ID) report('AZURE_TENANT_ID', `required when GRAPH_AUTH_MODE=${authMode}`);
    if (authMode === 'obo') {
      if (!e.AZURE_CLIENT_ID) report('AZURE_CLIENT_ID', 'required when GRAPH_AUTH_MODE=obo');
      if (!e.AZURE_CLIENT_SECRET && !e.AZURE_CLIENT_CERTIFICATE_PATH) report('AZURE_CLIENT_SECRET', 'on-behalf-of needs a client secret or AZURE_CLIENT_CERTIFICATE_PATH');
    }
    if (e.AZURE_CLIENT_SECRET && e.AZURE_CLIENT_CERTIFICATE_PATH) report('AZURE_CLIENT_CERTIFICATE_PATH', 'set either AZURE_CLIENT_SECRET or a certificate, not both');
    if ((e.AZURE_CLIENT_SECRET || e.AZURE_CLIENT_CERTIFICATE_PATH) && !e.AZURE_CLIENT_ID) {
      report('AZURE_CLIENT_ID', 'required with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH');
    }
  }
  if (authMode === 'obo' && e.AZURE_CLIENT_CERTIFICATE_PASSWORD !== undefined) {
    report('AZURE_CLIENT_CERTIFICATE_PASSWORD', 'not supported with GRAPH_AUTH_MODE=obo (give an unencrypted PEM file)');
  }
}

/** Inbound authentication needs audiences, and issuers and keys (given, or derived from the tenant). */
function checkInboundAuth(e: Env, authMode: GraphAuthMode, report: Report): boolean {
  const enabled = authMode !== 'emulator' || e.AUTH_AUDIENCE !== undefined;
  if (enabled) {
    if (!e.AUTH_AUDIENCE) report('AUTH_AUDIENCE', `required when GRAPH_AUTH_MODE=${authMode} (the subgraph's client id and/or App ID URI)`);
    if (!e.AUTH_ISSUER && !e.AZURE_TENANT_ID) report('AUTH_ISSUER', "required without AZURE_TENANT_ID (it defaults to the tenant's issuers)");
    if (!e.AUTH_JWKS_URL && !e.AZURE_TENANT_ID) report('AUTH_JWKS_URL', "required without AZURE_TENANT_ID (it defaults to the tenant's keys)");
  }
  return enabled;
}

/** Applies the rules, reporting each one broken; what they decide beyond the variables, undefined while no mode was chosen. */
export function decide(e: Env, production: boolean, report: Report) {
  const authMode = authModeOf(e, production, report);
  if (authMode !== undefined) checkAzure(e, authMode, report);
  const authEnabled = authMode !== undefined && checkInboundAuth(e, authMode, report);
  // Two equal names would let one duty grant another (read → assign, assign → importing activation codes).
  const permissions: PermissionNames = { read: e.AUTH_READ_PERMISSION, assign: e.AUTH_ASSIGN_PERMISSION, manage: e.AUTH_MANAGE_PERMISSION };
  if (permissions.read === permissions.assign) report('AUTH_ASSIGN_PERMISSION', 'must differ from AUTH_READ_PERMISSION');
  if (permissions.manage === permissions.read || permissions.manage === permissions.assign) {
    report('AUTH_MANAGE_PERMISSION', 'must differ from AUTH_READ_PERMISSION and AUTH_ASSIGN_PERMISSION');
  }
  // A token wait is part of a call, so it cannot outlast the call's deadline.
  if (e.GRAPH_TOKEN_TIMEOUT_MS !== undefined && e.GRAPH_TOKEN_TIMEOUT_MS > e.GRAPH_TIMEOUT_MS) {
    report('GRAPH_TOKEN_TIMEOUT_MS', `must not be longer than GRAPH_TIMEOUT_MS (${e.GRAPH_TIMEOUT_MS} ms), the deadline of a whole call`);
  }
  // The router refuses invalidations without its shared key: a URL alone would only ever fail.
  if ((e.ROUTER_INVALIDATION_URL === undefined) !== (e.ROUTER_INVALIDATION_SECRET === undefined)) {
    report('ROUTER_INVALIDATION_URL', "set together with ROUTER_INVALIDATION_SECRET (the router's invalidation shared_key), or neither");
  }
  return authMode === undefined ? undefined : { authMode, authEnabled, permissions };
}
