/**
 * TokenVerifier against a real key set server on loopback HTTP (real RSA keys, real jose): required claims,
 * algorithms, the verified-token cache, and key set refreshes that never block or break requests.
 */
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { AuthError, tokenHash, tokenVerifier, type TokenVerifier, type TokenVerifierOptions } from '../../src/auth/jwt';
import { classifyOboError } from '../../src/identity/obo';
import type { Principal } from '../../src/auth/principal';
import { listenOnLoopback } from '../support/net';

const ISSUER = 'https://idp.test/tenant/v2.0';
const AUDIENCE = 'api://esim';

let server: Server;
let jwksUrl: string;
let keys: JWK[] = [];
let failing = false;
let fetches = 0;
let privateKey: KeyLike;
const KID = 'key-1';

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  keys = [{ ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' }];
  server = createServer((_req, res) => {
    fetches++;
    if (failing) {
      res.writeHead(500).end('down');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  jwksUrl = `http://127.0.0.1:${await listenOnLoopback(server)}/keys`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  failing = false;
  fetches = 0;
});

function verifier(overrides: Partial<TokenVerifierOptions> = {}): TokenVerifier {
  return tokenVerifier({
    jwksUrl,
    issuers: [ISSUER],
    audiences: [AUDIENCE],
    clockToleranceSeconds: 30,
    jwksCooldownSeconds: 30,
    jwksRefreshSeconds: 60,
    cacheSize: 100,
    ...overrides,
  });
}

async function sign(claims: Record<string, unknown>, opts: { exp?: number | null; alg?: string; kid?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ scp: 'EsimPools.Read', oid: 'o-1', ...claims })
    .setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: opts.kid ?? KID })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now);
  if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? now + 3600);
  return jwt.sign(privateKey);
}

async function reason(result: unknown): Promise<string> {
  try {
    await result;
  } catch (error) {
    if (error instanceof AuthError) return error.reason;
    throw error;
  }
  throw new Error('expected an AuthError');
}

const check = (v: TokenVerifier, token: string): Principal | Promise<Principal> => {
  try {
    return v.verify(token, tokenHash(token));
  } catch (error) {
    return Promise.reject(error);
  }
};

it('requires exp', async () => {
  expect(await reason(check(verifier(), await sign({}, { exp: null })))).toBe('missing_claim');
});

it('accepts RS256 only', async () => {
  const pair = await generateKeyPair('PS256');
  const now = Math.floor(Date.now() / 1000);
  const ps = await new SignJWT({ scp: 'x' })
    .setProtectedHeader({ alg: 'PS256', kid: KID })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(now + 60)
    .sign(pair.privateKey);
  expect(await reason(check(verifier(), ps))).toBe('algorithm_not_allowed');
});

it('a verified token is then served from the cache synchronously, until exp', async () => {
  let now = Date.now();
  const v = verifier({ now: () => now });
  const exp = Math.floor(now / 1000) + 120;
  const token = await sign({}, { exp });
  const first = check(v, token);
  expect(first).toBeInstanceOf(Promise);
  // A second verification while the first runs shares it.
  expect(check(v, token)).toBe(first);
  const principal = await first;
  expect(principal).toMatchObject({ oid: 'o-1', isApp: false, expiresAt: exp });
  const second = check(v, token);
  expect(second).not.toBeInstanceOf(Promise);
  expect(second).toBe(principal);
  // Past exp the cache entry is gone (jose then decides, with the real clock).
  now = exp * 1000 + 1;
  expect(check(v, token)).toBeInstanceOf(Promise);
});

it('a cached verification is reused for at most cacheTtlSeconds', async () => {
  let now = Date.now();
  const v = verifier({ now: () => now, cacheTtlSeconds: 10 });
  const token = await sign({});
  await check(v, token);
  expect(check(v, token)).not.toBeInstanceOf(Promise);
  now += 11_000;
  expect(check(v, token)).toBeInstanceOf(Promise);
});

it('keeps verifying with the cached keys while a background refresh fails, and picks keys up once it succeeds', async () => {
  let now = Date.now();
  const errors: unknown[] = [];
  const v = verifier({ now: () => now, onKeySetError: (e) => errors.push(e) });
  await check(v, await sign({ oid: 'before' }));
  expect(fetches).toBe(1);

  failing = true;
  now += 61_000; // past the refresh period: this request starts a refresh and does not wait for it
  await expect(check(v, await sign({ oid: 'during' }))).resolves.toMatchObject({ oid: 'during' });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(fetches).toBe(2);
  expect(errors).toHaveLength(1);
  // No refresh storm: the next attempt waits another period.
  await check(v, await sign({ oid: 'still' }));
  expect(fetches).toBe(2);

  failing = false;
  now += 61_000;
  await check(v, await sign({ oid: 'after' }));
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(fetches).toBe(3);
});

it('with no keys yet and the key set unreachable: keys_unavailable (503), not a 401', async () => {
  failing = true;
  const errors: unknown[] = [];
  const v = verifier({ onKeySetError: (e) => errors.push(e) });
  expect(await reason(check(v, await sign({})))).toBe('keys_unavailable');
  expect(errors).toHaveLength(1);
  expect(new AuthError('keys_unavailable')).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
});

describe('classifyOboError (MSAL error messages as @azure/identity surfaces them)', () => {
  it.each([
    ["invalid_grant: AADSTS65001: The user or administrator has not consented to use the application", 'consent_required'],
    ['invalid_grant: AADSTS53003: Access has been blocked by Conditional Access policies.', 'conditional_access'],
    ['interaction_required: AADSTS50079: you must enroll in multi-factor authentication', 'interaction_required'],
    ['invalid_grant: AADSTS50076: you must use multi-factor authentication to access', 'interaction_required'],
    ['invalid_grant: Error(s): 50173 - Description: AADSTS50173: The provided grant has expired', 'invalid_grant'],
    ['invalid_grant: AADSTS500133: Assertion is not within its valid time range.', 'invalid_grant'],
    ['invalid_client: AADSTS7000215: Invalid client secret provided.', 'configuration'],
    ['network_error: Network request failed', 'identity_provider_unavailable'],
    ['endpoints_resolution_error: Endpoints cannot be resolved', 'identity_provider_unavailable'],
  ])('%s → %s', (message, expected) => {
    expect(classifyOboError(new Error(message)).reason).toBe(expected);
  });
});
