/**
 * Settings of the shared coordination store, from environment variables. Kept apart from src/config so that the
 * coordination layer can be configured (and tested) on its own; loadConfig calls parseCoordinationEnv and wraps a
 * thrown error in its ConfigError.
 *
 * No message built here ever contains the Redis password: a URL is only ever shown through `redactRedisUrl`.
 */
import { z } from 'zod';

export interface RedisSettings {
  host: string;
  port: number;
  /** `rediss://`: TLS, with the host name checked against the certificate. */
  tls: boolean;
  username?: string;
  password?: string;
  db: number;
  /** The URL for logs and health: the password replaced by `***`. */
  displayUrl: string;
  /**
   * Prepended to every key: `<REDIS_KEY_PREFIX>:<tenant id>:<client id>:`. Intune counts per app per tenant, so
   * replicas of one app in one tenant share a budget and two apps (or tenants) sharing a Redis never do.
   */
  keyPrefix: string;
  /** How long a pool lock lives without being renewed: a dead holder's lock is free again after this. */
  lockTtlMs: number;
  /** Longest wait for any one Redis reply; past it the call fails with `unavailable` (or reads go local). */
  commandTimeoutMs: number;
}

export interface CoordinationSettings {
  /** Undefined: REDIS_URL is unset and coordination is in process (one replica). */
  redis?: RedisSettings;
}

export const DEFAULT_KEY_PREFIX = 'esim-pools';
export const DEFAULT_LOCK_TTL_MS = 30_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 500;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The URL with its password (if any) replaced by `***`; input that is not a URL is not shown at all. */
export function redactRedisUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return '(not a URL)';
  }
  if (url.password !== '') url.password = '***';
  return url.toString();
}

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const envSchema = z.object({
  REDIS_URL: z.string().trim().optional(),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 letters, digits, dots, dashes or underscores')
    .optional(),
  REDIS_LOCK_TTL_MS: int(1000, 600_000).optional(),
  REDIS_COMMAND_TIMEOUT_MS: int(10, 60_000).optional(),
  // Read only to namespace the keys; loadConfig validates them.
  AZURE_TENANT_ID: z.string().trim().optional(),
  AZURE_CLIENT_ID: z.string().trim().optional(),
});

/** Variables whose value is never shown, not even in part. */
const SECRET_VARIABLES = new Set(['REDIS_PASSWORD', 'REDIS_URL']);

/** What a REDIS_URL says. */
type ParsedUrl = Pick<RedisSettings, 'host' | 'port' | 'tls' | 'username' | 'password' | 'db'>;

function parseRedisUrl(value: string, problems: string[]): ParsedUrl | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push('REDIS_URL: must be a redis:// or rediss:// URL');
    return undefined;
  }
  const shown = redactRedisUrl(value);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    problems.push(`REDIS_URL: must start with redis:// or rediss:// (got ${JSON.stringify(shown)})`);
    return undefined;
  }
  if (url.hostname === '') {
    problems.push(`REDIS_URL: must name a host (got ${JSON.stringify(shown)})`);
    return undefined;
  }
  if (url.search !== '' || url.hash !== '') {
    problems.push(`REDIS_URL: must not have a query or a fragment (got ${JSON.stringify(shown)})`);
    return undefined;
  }
  const path = url.pathname.replace(/^\/+/, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) {
    problems.push(`REDIS_URL: the path may only be a database number, e.g. /0 (got ${JSON.stringify(shown)})`);
    return undefined;
  }
  // IPv6 hosts come back bracketed from URL; net.connect wants them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port: url.port === '' ? 6379 : Number(url.port),
    tls: url.protocol === 'rediss:',
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    db: path === '' ? 0 : Number(path),
  };
}

/** `<prefix>:<tenant>:<client>:`, leaving out identities that are not given (or not GUIDs: loadConfig reports those). */
export function coordinationKeyPrefix(prefix: string, identity: { tenantId?: string; clientId?: string } = {}): string {
  const parts = [prefix];
  for (const id of [identity.tenantId, identity.clientId]) {
    if (id !== undefined && GUID.test(id)) parts.push(id.toLowerCase());
  }
  return `${parts.join(':')}:`;
}

/**
 * The variables of one zod object schema read from `env` (empty strings count as unset): the parsed values, or one
 * `NAME: why` line per bad variable, quoting the value except for the `secrets`.
 */
export function readEnvSection<T extends z.ZodRawShape>(
  schema: z.ZodObject<T>,
  env: NodeJS.ProcessEnv,
  secrets: ReadonlySet<string>,
): { data: z.infer<z.ZodObject<T>> } | { problems: string[] } {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return { data: parsed.data };
  return {
    problems: parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const shown = secrets.has(name) ? '' : ` (got ${JSON.stringify(input[name])})`;
      return `${name}: ${issue.message}${shown}`;
    }),
  };
}

/**
 * Reads REDIS_URL, REDIS_PASSWORD, REDIS_KEY_PREFIX, REDIS_LOCK_TTL_MS and REDIS_COMMAND_TIMEOUT_MS. Throws an Error
 * whose message names every bad variable and never contains the password. Empty strings count as unset.
 */
export function parseCoordinationEnv(env: NodeJS.ProcessEnv = process.env): CoordinationSettings {
  const parsed = readEnvSection(envSchema, env, SECRET_VARIABLES);
  if ('problems' in parsed) throw new Error(`Invalid coordination configuration:\n  ${parsed.problems.join('\n  ')}`);
  const e = parsed.data;
  const problems: string[] = [];
  const rest = ['REDIS_PASSWORD', 'REDIS_KEY_PREFIX', 'REDIS_LOCK_TTL_MS', 'REDIS_COMMAND_TIMEOUT_MS'] as const;
  if (e.REDIS_URL === undefined) {
    // A Redis setting without REDIS_URL is most likely a forgotten URL: say so instead of running unshared.
    for (const name of rest) if (e[name] !== undefined) problems.push(`${name}: set without REDIS_URL (set REDIS_URL too, or unset it)`);
    if (problems.length > 0) throw new Error(`Invalid coordination configuration:\n  ${problems.join('\n  ')}`);
    return {};
  }
  const url = parseRedisUrl(e.REDIS_URL, problems);
  if (url?.password !== undefined && e.REDIS_PASSWORD !== undefined) {
    problems.push('REDIS_PASSWORD: the password is already in REDIS_URL; give it in one place only');
  }
  if (problems.length > 0 || url === undefined) throw new Error(`Invalid coordination configuration:\n  ${problems.join('\n  ')}`);
  const password = url.password ?? e.REDIS_PASSWORD;
  const display = new URL(e.REDIS_URL);
  if (password !== undefined) display.password = '***';
  return {
    redis: {
      ...url,
      password,
      displayUrl: display.toString(),
      keyPrefix: coordinationKeyPrefix(e.REDIS_KEY_PREFIX ?? DEFAULT_KEY_PREFIX, { tenantId: e.AZURE_TENANT_ID, clientId: e.AZURE_CLIENT_ID }),
      lockTtlMs: e.REDIS_LOCK_TTL_MS ?? DEFAULT_LOCK_TTL_MS,
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS ?? DEFAULT_COMMAND_TIMEOUT_MS,
    },
  };
}
