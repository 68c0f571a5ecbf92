/**
 * Configuration from environment variables, validated at start-up. A bad value stops the process with a
 * message naming the variable (never echoing a secret's value).
 */
import { z } from 'zod';
import { CLOUDS, type GraphCloud } from '../graph/clouds';
import type { AppCredentialSettings } from '../identity/credential';
import { DEFAULT_LIMITS, defaultIssuers, defaultJwksUrl, type AuthSettings, type OperationLimits } from '../auth/settings';

export type GraphAuthMode = 'emulator' | 'app' | 'obo';

export interface Config {
  nodeEnv: string;
  production: boolean;
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  introspection: boolean;
  maxBodyBytes: number;
  /** How long in-flight requests may take to finish after SIGTERM. */
  shutdownGraceMs: number;
  /** How long readiness reports 503 before the listener closes (lets a load balancer drain). */
  shutdownDelayMs: number;
  graph: {
    authMode: GraphAuthMode;
    cloud: GraphCloud;
    /** Graph's origin to call. */
    baseUrl: string;
    /** Whether baseUrl came from GRAPH_BASE_URL (else from the cloud, or the embedded emulator). */
    baseUrlOverridden: boolean;
    scope: string;
    timeoutMs: number;
    // issue 10 (tokens): longest wait for one token acquisition (GRAPH_TOKEN_TIMEOUT_MS, at most timeoutMs).
    tokenTimeoutMs: number;
    maxRetries: number;
    maxConnections: number;
    connectTimeoutMs: number;
    bulkhead: { maxConcurrent: number; maxQueue: number; maxWaitMs: number };
    writeBudget: { limit: number; windowMs: number; maxWaitMs: number };
  };
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
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no'].includes(v), 'must be true or false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const httpUrl = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be an absolute URL' });
      return;
    }
    // Plain HTTP only to this machine (the emulator, a local proxy): never a token over the network in clear.
    const local = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && local)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be https:// (http:// is accepted only for localhost)' });
    }
    if (u.search !== '' || u.hash !== '' || u.username !== '' || u.password !== '') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must not have credentials, a query or a fragment' });
    }
  })
  .transform((v) => v.replace(/\/+$/, ''));

/** An OTLP/HTTP collector: http or https (collectors usually sit inside the cluster). */
const collectorUrl = z
  .string()
  .trim()
  .refine((v) => /^https?:\/\/[^/]/.test(v) && URL.canParse(v), 'must be an http:// or https:// URL');

const guid = z
  .string()
  .trim()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID');

/** A URL for identity metadata (issuers, the JWKS): https, or http for localhost; a query is allowed (`?appid=`). */
function identityUrlIssue(v: string): string | undefined {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return `${JSON.stringify(v)} is not an absolute URL`;
  }
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && local)) return `${JSON.stringify(v)} must be https:// (http:// only for localhost)`;
  if (u.hash !== '' || u.username !== '' || u.password !== '') return `${JSON.stringify(v)} must not have credentials or a fragment`;
  return undefined;
}

/** A comma-separated list of non-empty items. */
const commaList = z
  .string()
  .transform((v) => v.split(',').map((item) => item.trim()).filter((item) => item.length > 0))
  .refine((items) => items.length > 0, 'must list at least one value');

const urlList = commaList.superRefine((items, ctx) => {
  for (const item of items) {
    const issue = identityUrlIssue(item);
    if (issue !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message: issue });
  }
});

const identityUrl = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const issue = identityUrlIssue(v);
    if (issue !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message: issue });
  });

/** A permission (scope or app role) name: no spaces, since `scp` is space-separated. */
const permissionName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._:-]{1,120}$/, 'must be a scope or app role name (letters, digits, . _ : -)');

const envSchema = z.object({
  NODE_ENV: z.string().trim().optional(),
  HOST: z.string().trim().min(1).optional(),
  PORT: int(0, 65535).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  INTROSPECTION: bool.optional(),
  MAX_BODY_BYTES: int(1024, 10 * 1024 * 1024).optional(),
  SHUTDOWN_GRACE_MS: int(0, 600_000).optional(),
  SHUTDOWN_DELAY_MS: int(0, 600_000).optional(),
  GRAPH_AUTH_MODE: z.enum(['emulator', 'app', 'obo']).optional(),
  GRAPH_CLOUD: z.enum(['global', 'usgov', 'usgovdod', 'china']).optional(),
  GRAPH_BASE_URL: httpUrl.optional(),
  GRAPH_SCOPE: z.string().trim().min(1).optional(),
  GRAPH_TIMEOUT_MS: int(100, 300_000).optional(),
  GRAPH_TOKEN_TIMEOUT_MS: int(100, 300_000).optional(), // issue 10 (tokens)
  GRAPH_MAX_RETRIES: int(0, 10).optional(),
  GRAPH_MAX_CONNECTIONS: int(1, 1024).optional(),
  GRAPH_CONNECT_TIMEOUT_MS: int(100, 60_000).optional(),
  GRAPH_MAX_CONCURRENCY: int(0, 100_000).optional(),
  GRAPH_MAX_QUEUE: int(0, 1_000_000).optional(),
  GRAPH_QUEUE_TIMEOUT_MS: int(0, 300_000).optional(),
  GRAPH_WRITE_LIMIT: int(0, 1_000_000).optional(),
  GRAPH_WRITE_WINDOW_SECONDS: int(1, 3600).optional(),
  GRAPH_WRITE_MAX_WAIT_MS: int(0, 300_000).optional(),
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
  AUTH_TOKEN_CACHE_SIZE: int(1, 1_000_000).optional(),
  OBO_CACHE_SIZE: int(1, 100_000).optional(),
  ROUTER_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  MAX_DEPTH: int(1, 100).optional(),
  MAX_ALIASES: int(0, 1000).optional(),
  MAX_TOKENS: int(10, 100_000).optional(),
  MAX_COST: int(1, 100_000_000).optional(),
  MAX_DIRECTIVES: int(0, 1000).optional(),
});

/** Variables whose values must never be printed. */
const SECRET_VARIABLES = new Set(['AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PASSWORD', 'ROUTER_SECRET']);

/** The AZURE_* variables whose presence means "a real tenant is configured". */
const AZURE_VARIABLES = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_FEDERATED_TOKEN_FILE'];

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset (docker-compose and .env files produce them).
  const input: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const shown = SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(input[name])})`;
      return `${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const nodeEnv = e.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';
  const problems: string[] = [];

  const azureSet = AZURE_VARIABLES.filter((name) => input[name] !== undefined);
  // issue 10 (start-up errors): undefined while no mode was chosen; the mode-specific checks below are then
  // skipped, as they would name a mode nobody picked (AZURE_TENANT_ID alone used to get "required when
  // GRAPH_AUTH_MODE=app").
  let authMode: GraphAuthMode | undefined;
  if (e.GRAPH_AUTH_MODE) authMode = e.GRAPH_AUTH_MODE;
  else if (production) {
    problems.push('GRAPH_AUTH_MODE: must be set explicitly when NODE_ENV=production (app, obo or emulator)');
  } else if (azureSet.length > 0) {
    const names = azureSet.join(', ');
    problems.push(
      `GRAPH_AUTH_MODE: ${names} ${azureSet.length === 1 ? 'is' : 'are'} set but GRAPH_AUTH_MODE is not: set GRAPH_AUTH_MODE=app ` +
        `(Graph with the application's own permissions) or obo (on behalf of the signed-in caller), or unset ${names} to use the built-in Graph emulator`,
    );
  } else authMode = 'emulator';

  const cloud = e.GRAPH_CLOUD ?? 'global';
  const endpoints = CLOUDS[cloud];
  if (authMode === 'app' || authMode === 'obo') {
    if (!e.AZURE_TENANT_ID) problems.push(`AZURE_TENANT_ID: required when GRAPH_AUTH_MODE=${authMode}`);
    if (authMode === 'obo') {
      if (!e.AZURE_CLIENT_ID) problems.push('AZURE_CLIENT_ID: required when GRAPH_AUTH_MODE=obo');
      if (!e.AZURE_CLIENT_SECRET && !e.AZURE_CLIENT_CERTIFICATE_PATH) {
        problems.push('AZURE_CLIENT_SECRET: on-behalf-of needs a client secret or AZURE_CLIENT_CERTIFICATE_PATH');
      }
    }
    if (e.AZURE_CLIENT_SECRET && e.AZURE_CLIENT_CERTIFICATE_PATH) {
      problems.push('AZURE_CLIENT_CERTIFICATE_PATH: set either AZURE_CLIENT_SECRET or a certificate, not both');
    }
    if ((e.AZURE_CLIENT_SECRET || e.AZURE_CLIENT_CERTIFICATE_PATH) && !e.AZURE_CLIENT_ID) {
      problems.push('AZURE_CLIENT_ID: required with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH');
    }
  }
  if (authMode === 'obo' && e.AZURE_CLIENT_CERTIFICATE_PASSWORD !== undefined) {
    problems.push('AZURE_CLIENT_CERTIFICATE_PASSWORD: not supported with GRAPH_AUTH_MODE=obo (give an unencrypted PEM file)');
  }

  // Inbound authentication: required in app and obo modes, on in emulator mode when AUTH_AUDIENCE is set.
  const authorityHost = e.AZURE_AUTHORITY_HOST ?? endpoints.authority;
  const authEnabled = authMode !== 'emulator' || e.AUTH_AUDIENCE !== undefined;
  if (authEnabled && authMode !== undefined) {
    if (!e.AUTH_AUDIENCE) problems.push(`AUTH_AUDIENCE: required when GRAPH_AUTH_MODE=${authMode} (the subgraph's client id and/or App ID URI)`);
    if (!e.AUTH_ISSUER && !e.AZURE_TENANT_ID) problems.push('AUTH_ISSUER: required without AZURE_TENANT_ID (it defaults to the tenant\'s issuers)');
    if (!e.AUTH_JWKS_URL && !e.AZURE_TENANT_ID) problems.push('AUTH_JWKS_URL: required without AZURE_TENANT_ID (it defaults to the tenant\'s keys)');
  }
  const readPermission = e.AUTH_READ_PERMISSION ?? 'EsimPools.Read';
  const assignPermission = e.AUTH_ASSIGN_PERMISSION ?? 'EsimPools.Assign';
  if (readPermission === assignPermission) problems.push('AUTH_ASSIGN_PERMISSION: must differ from AUTH_READ_PERMISSION');
  // issue 10 (tokens): a token wait is part of a call, so it cannot outlast the call's deadline.
  const timeoutMs = e.GRAPH_TIMEOUT_MS ?? 30_000;
  if (e.GRAPH_TOKEN_TIMEOUT_MS !== undefined && e.GRAPH_TOKEN_TIMEOUT_MS > timeoutMs) {
    problems.push(`GRAPH_TOKEN_TIMEOUT_MS: must not be longer than GRAPH_TIMEOUT_MS (${timeoutMs} ms), the deadline of a whole call`);
  }
  if (problems.length > 0 || authMode === undefined) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);

  const tenantId = e.AZURE_TENANT_ID ?? '';
  const auth: AuthSettings = {
    enabled: authEnabled,
    audiences: e.AUTH_AUDIENCE ?? [],
    issuers: e.AUTH_ISSUER ?? (tenantId ? defaultIssuers(cloud, authorityHost, tenantId) : []),
    jwksUrl: e.AUTH_JWKS_URL ?? (tenantId ? defaultJwksUrl(authorityHost, tenantId) : ''),
    jwksCooldownSeconds: e.AUTH_JWKS_COOLDOWN_SECONDS ?? 30,
    jwksRefreshSeconds: e.AUTH_JWKS_REFRESH_SECONDS ?? 3600,
    clockToleranceSeconds: e.AUTH_CLOCK_TOLERANCE_SECONDS ?? 60,
    permissions: { read: readPermission, assign: assignPermission },
    routerSecret: e.ROUTER_SECRET,
    verifiedCacheSize: e.AUTH_TOKEN_CACHE_SIZE ?? 10_000,
    oboCacheSize: e.OBO_CACHE_SIZE ?? 1000,
  };

  const graphOrigin = e.GRAPH_BASE_URL ?? endpoints.graph;
  return {
    nodeEnv,
    production,
    host: e.HOST ?? (production ? '0.0.0.0' : 'localhost'),
    port: e.PORT ?? 4000,
    logLevel: e.LOG_LEVEL ?? 'info',
    introspection: e.INTROSPECTION ?? !production,
    maxBodyBytes: e.MAX_BODY_BYTES ?? 256 * 1024,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS ?? 10_000,
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS ?? 0,
    graph: {
      authMode,
      cloud,
      baseUrl: graphOrigin,
      baseUrlOverridden: e.GRAPH_BASE_URL !== undefined,
      scope: e.GRAPH_SCOPE ?? `${endpoints.graph}/.default`,
      timeoutMs,
      tokenTimeoutMs: e.GRAPH_TOKEN_TIMEOUT_MS ?? Math.min(10_000, timeoutMs), // issue 10 (tokens)
      maxRetries: e.GRAPH_MAX_RETRIES ?? 3,
      maxConnections: e.GRAPH_MAX_CONNECTIONS ?? 32,
      connectTimeoutMs: e.GRAPH_CONNECT_TIMEOUT_MS ?? 10_000,
      bulkhead: {
        maxConcurrent: e.GRAPH_MAX_CONCURRENCY ?? 64,
        maxQueue: e.GRAPH_MAX_QUEUE ?? 256,
        maxWaitMs: e.GRAPH_QUEUE_TIMEOUT_MS ?? 5_000,
      },
      writeBudget: {
        limit: e.GRAPH_WRITE_LIMIT ?? 100,
        windowMs: (e.GRAPH_WRITE_WINDOW_SECONDS ?? 20) * 1000,
        maxWaitMs: e.GRAPH_WRITE_MAX_WAIT_MS ?? 2_000,
      },
    },
    azure: {
      tenantId: e.AZURE_TENANT_ID,
      clientId: e.AZURE_CLIENT_ID,
      clientSecret: e.AZURE_CLIENT_SECRET,
      clientCertificatePath: e.AZURE_CLIENT_CERTIFICATE_PATH,
      clientCertificatePassword: e.AZURE_CLIENT_CERTIFICATE_PASSWORD,
      federatedTokenFile: e.AZURE_FEDERATED_TOKEN_FILE,
      authorityHost: e.AZURE_AUTHORITY_HOST ?? endpoints.authority,
      disableInstanceDiscovery: e.AZURE_DISABLE_INSTANCE_DISCOVERY ?? false,
    },
    tracing: {
      endpoint:
        e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
        (e.OTEL_EXPORTER_OTLP_ENDPOINT ? `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined),
      serviceName: e.OTEL_SERVICE_NAME ?? 'esim-pools-subgraph',
    },
    emulator: { port: e.EMULATOR_PORT ?? 0 },
    auth,
    limits: {
      maxDepth: e.MAX_DEPTH ?? DEFAULT_LIMITS.maxDepth,
      maxAliases: e.MAX_ALIASES ?? DEFAULT_LIMITS.maxAliases,
      maxTokens: e.MAX_TOKENS ?? DEFAULT_LIMITS.maxTokens,
      maxCost: e.MAX_COST ?? DEFAULT_LIMITS.maxCost,
      maxDirectives: e.MAX_DIRECTIVES ?? DEFAULT_LIMITS.maxDirectives,
    },
  };
}
