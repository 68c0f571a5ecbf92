/**
 * REDIS_* variables: what they parse to, and error messages that name the variable and never show the password.
 */
import { coordinationKeyPrefix, parseCoordinationEnv } from '../../../src/config/coordination';
import { redactUrl as redactRedisUrl } from '../../../src/config/values';
import { describeRedisError } from '../../../src/coordination/redis';

const SECRET = 'pa55-w0rd/with:odd@chars';
const ENCODED = encodeURIComponent(SECRET);
const TENANT = '0F1E2D3C-4B5A-4978-8796-A5B4C3D2E1F0';
const CLIENT = '11111111-2222-4333-8444-555555555555';

function errorOf(env: NodeJS.ProcessEnv): string {
  try {
    parseCoordinationEnv(env);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected the settings to be refused');
}

describe('parseCoordinationEnv', () => {
  it('means in-process coordination when REDIS_URL is unset or empty', () => {
    expect(parseCoordinationEnv({})).toEqual({});
    expect(parseCoordinationEnv({ REDIS_URL: '', REDIS_KEY_PREFIX: '' })).toEqual({});
  });

  it('reads a redis:// URL with defaults for the rest', () => {
    expect(parseCoordinationEnv({ REDIS_URL: 'redis://cache.internal:6380/2' }).redis).toEqual({
      host: 'cache.internal',
      port: 6380,
      tls: false,
      username: undefined,
      password: undefined,
      db: 2,
      displayUrl: 'redis://cache.internal:6380/2',
      keyPrefix: 'esim-pools:',
      lockTtlMs: 30_000,
      commandTimeoutMs: 500,
    });
  });

  it('reads rediss:// with credentials in the URL, and shows the URL only with the password hidden', () => {
    const redis = parseCoordinationEnv({ REDIS_URL: `rediss://app:${ENCODED}@cache.example.net` }).redis;
    expect(redis).toMatchObject({ host: 'cache.example.net', port: 6379, tls: true, username: 'app', password: SECRET, db: 0 });
    expect(redis?.displayUrl).toBe('rediss://app:***@cache.example.net');
  });

  it('takes the password from REDIS_PASSWORD, but not from both places', () => {
    expect(parseCoordinationEnv({ REDIS_URL: 'redis://[::1]:7000', REDIS_PASSWORD: SECRET }).redis).toMatchObject({
      host: '::1',
      port: 7000,
      password: SECRET,
      displayUrl: 'redis://:***@[::1]:7000',
    });
    const message = errorOf({ REDIS_URL: `redis://:${ENCODED}@localhost`, REDIS_PASSWORD: SECRET });
    expect(message).toContain('REDIS_PASSWORD');
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain(ENCODED);
  });

  it.each([
    ['another scheme', `http://user:${ENCODED}@cache:6379`, 'must start with redis:// or rediss://'],
    ['a query', `redis://user:${ENCODED}@cache:6379?tls=true`, 'must not have a query'],
    ['a path that is not a database', `redis://user:${ENCODED}@cache:6379/cache`, 'database number'],
    ['not a URL at all', `${SECRET} cache:6379`, 'must be a redis:// or rediss:// URL'],
  ])('refuses %s in REDIS_URL without showing the password', (_, url, expected) => {
    const message = errorOf({ REDIS_URL: url });
    expect(message).toContain('REDIS_URL');
    expect(message).toContain(expected);
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain(ENCODED);
  });

  it('names each bad number and the bad prefix', () => {
    const message = errorOf({ REDIS_URL: 'redis://cache', REDIS_LOCK_TTL_MS: 'soon', REDIS_COMMAND_TIMEOUT_MS: '5', REDIS_KEY_PREFIX: 'has space' });
    expect(message).toContain('REDIS_LOCK_TTL_MS: must be a whole number (got "soon")');
    expect(message).toContain('REDIS_COMMAND_TIMEOUT_MS: must be between 10 and 60000');
    expect(message).toContain('REDIS_KEY_PREFIX');
  });

  it('refuses Redis settings without REDIS_URL (most likely a forgotten URL), without showing the password', () => {
    const message = errorOf({ REDIS_PASSWORD: SECRET, REDIS_LOCK_TTL_MS: '10000' });
    expect(message).toContain('REDIS_PASSWORD: set without REDIS_URL');
    expect(message).toContain('REDIS_LOCK_TTL_MS: set without REDIS_URL');
    expect(message).not.toContain(SECRET);
  });

  it('namespaces the keys by prefix, tenant and app, so that two apps on one Redis share nothing', () => {
    const redis = parseCoordinationEnv({
      REDIS_URL: 'redis://cache',
      REDIS_KEY_PREFIX: 'pools-prod',
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: CLIENT,
      REDIS_LOCK_TTL_MS: '45000',
      REDIS_COMMAND_TIMEOUT_MS: '250',
    }).redis;
    expect(redis).toMatchObject({ keyPrefix: `pools-prod:${TENANT.toLowerCase()}:${CLIENT}:`, lockTtlMs: 45_000, commandTimeoutMs: 250 });
    expect(coordinationKeyPrefix('esim-pools', { tenantId: TENANT })).toBe(`esim-pools:${TENANT.toLowerCase()}:`);
    expect(coordinationKeyPrefix('esim-pools', { tenantId: 'not-a-guid' })).toBe('esim-pools:');
  });
});

describe('redactRedisUrl and describeRedisError', () => {
  it('hide the password', () => {
    expect(redactRedisUrl(`redis://user:${ENCODED}@host:1/0`)).toBe('redis://user:***@host:1/0');
    expect(redactRedisUrl(`garbage ${SECRET}`)).toBe('(not a URL)');
  });

  it('describe an error by its code or reply word only', () => {
    const refused = Object.assign(new Error(`connect ECONNREFUSED 10.0.0.1:6379 (redis://:${SECRET}@x)`), { code: 'ECONNREFUSED' });
    expect(describeRedisError(refused)).toBe('redis unreachable: ECONNREFUSED');
    const wrongPass = Object.assign(new Error('WRONGPASS invalid username-password pair'), { name: 'ReplyError' });
    expect(describeRedisError(wrongPass)).toBe('redis refused: WRONGPASS');
    expect(describeRedisError(new Error('Command timed out'))).toBe('redis slow: command timed out');
    expect(describeRedisError(new Error(`something about ${SECRET}`))).toBe('redis unreachable: Error');
    expect(describeRedisError('a string')).toBe('redis unreachable: string');
  });
});
