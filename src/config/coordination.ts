/** The shared coordination store's variables (REDIS_*): unset REDIS_URL means in-process coordination. */
import { z } from 'zod';
import type { RedisSettings } from '../coordination/types';
import { GUID_PATTERN } from '../graph/json';
import { int, readSections, redactUrl, reporter, type Report } from './values';

/** `<prefix>:<tenant>:<client>:`, leaving out identities that are not given (or not GUIDs: loadConfig reports those). */
export function coordinationKeyPrefix(prefix: string, identity: { tenantId?: string; clientId?: string } = {}): string {
  const ids = [identity.tenantId, identity.clientId].filter((id): id is string => id !== undefined && GUID_PATTERN.test(id));
  return `${[prefix, ...ids.map((id) => id.toLowerCase())].join(':')}:`;
}

/** What a REDIS_URL says; undefined (reported) when it is not a redis:// URL to a host and an optional database. */
function parseRedisUrl(value: string, report: Report): Omit<RedisSettings, 'displayUrl' | 'keyPrefix' | 'lockTtlMs' | 'commandTimeoutMs'> | undefined {
  if (!URL.canParse(value)) return report('REDIS_URL', 'must be a redis:// or rediss:// URL');
  const url = new URL(value);
  const got = ` (got ${JSON.stringify(redactUrl(value))})`;
  const path = url.pathname.replace(/^\/+/, '');
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return report('REDIS_URL', `must start with redis:// or rediss://${got}`);
  if (url.hostname === '') return report('REDIS_URL', `must name a host${got}`);
  if (url.search !== '' || url.hash !== '') return report('REDIS_URL', `must not have a query or a fragment${got}`);
  if (path !== '' && !/^\d{1,2}$/.test(path)) return report('REDIS_URL', `the path may only be a database number, e.g. /0${got}`);
  return {
    // IPv6 hosts come back bracketed from URL; net.connect wants them bare.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 6379 : Number(url.port),
    tls: url.protocol === 'rediss:',
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    db: path === '' ? 0 : Number(path),
  };
}

export const coordination = z
  .object({
    REDIS_URL: z.string().trim().optional(),
    REDIS_PASSWORD: z.string().optional(),
    REDIS_KEY_PREFIX: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 letters, digits, dots, dashes or underscores')
      .optional(),
    REDIS_LOCK_TTL_MS: int(1000, 600_000).optional(),
    REDIS_COMMAND_TIMEOUT_MS: int(10, 60_000).optional(),
    // Only to namespace the keys (the service section validates them).
    AZURE_TENANT_ID: z.string().trim().optional(),
    AZURE_CLIENT_ID: z.string().trim().optional(),
  })
  .transform((e, ctx): { redis?: RedisSettings } => {
    const report = reporter(ctx);
    const rest = ['REDIS_PASSWORD', 'REDIS_KEY_PREFIX', 'REDIS_LOCK_TTL_MS', 'REDIS_COMMAND_TIMEOUT_MS'] as const;
    if (e.REDIS_URL === undefined) {
      // A Redis setting without REDIS_URL is most likely a forgotten URL: say so instead of running unshared.
      for (const name of rest) if (e[name] !== undefined) report(name, 'set without REDIS_URL (set REDIS_URL too, or unset it)');
      return {};
    }
    const url = parseRedisUrl(e.REDIS_URL, report);
    if (url?.password !== undefined && e.REDIS_PASSWORD !== undefined) {
      report('REDIS_PASSWORD', 'the password is already in REDIS_URL; give it in one place only');
    }
    if (url === undefined) return {};
    const password = url.password ?? e.REDIS_PASSWORD;
    const display = new URL(e.REDIS_URL);
    if (password !== undefined) display.password = '***';
    return {
      redis: {
        ...url,
        password,
        displayUrl: display.toString(),
        // Fallbacks here, not in the schema: a REDIS_* variable set without REDIS_URL is reported above.
        keyPrefix: coordinationKeyPrefix(e.REDIS_KEY_PREFIX ?? 'esim-pools', { tenantId: e.AZURE_TENANT_ID, clientId: e.AZURE_CLIENT_ID }),
        lockTtlMs: e.REDIS_LOCK_TTL_MS ?? 30_000,
        commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS ?? 500,
      },
    };
  });

/** The REDIS_* settings alone; throws ConfigError naming every bad variable (never the password). */
export function parseCoordinationEnv(env: NodeJS.ProcessEnv = process.env) {
  return readSections({ coordination }, env).coordination;
}
