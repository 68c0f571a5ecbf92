/**
 * Configuration from environment variables, validated at start-up. A bad value stops the process with a
 * message naming the variable (never echoing a secret's value).
 */
import { z } from 'zod';
import { CLOUDS, type GraphCloud } from './graph/clouds';

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
    maxRetries: number;
    maxConnections: number;
    connectTimeoutMs: number;
    bulkhead: { maxConcurrent: number; maxQueue: number; maxWaitMs: number };
    writeBudget: { limit: number; windowMs: number; maxWaitMs: number };
  };
  azure: {
    tenantId?: string;
    clientId?: string;
    clientSecret?: string;
    clientCertificatePath?: string;
    clientCertificatePassword?: string;
    federatedTokenFile?: string;
    authorityHost: string;
    disableInstanceDiscovery: boolean;
  };
  emulator: {
    /** Port of the embedded emulator in emulator mode (0: any free port). */
    port: number;
  };
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

const guid = z
  .string()
  .trim()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID');

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
});

/** Variables whose values must never be printed. */
const SECRET_VARIABLES = new Set(['AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PASSWORD']);

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

  const azureConfigured = AZURE_VARIABLES.some((name) => input[name] !== undefined);
  let authMode: GraphAuthMode;
  if (e.GRAPH_AUTH_MODE) authMode = e.GRAPH_AUTH_MODE;
  else if (production) {
    problems.push('GRAPH_AUTH_MODE: must be set explicitly when NODE_ENV=production (app, obo or emulator)');
    authMode = 'app';
  } else if (azureConfigured) {
    problems.push('GRAPH_AUTH_MODE: AZURE_* variables are set; say which mode to use (app or obo), or unset them to use the emulator');
    authMode = 'app';
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
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);

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
      timeoutMs: e.GRAPH_TIMEOUT_MS ?? 30_000,
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
    emulator: { port: e.EMULATOR_PORT ?? 0 },
  };
}
