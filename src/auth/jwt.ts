/** Inbound Entra ID access tokens verified with jose; verified principals cached by the token's SHA-256 (docs/identity.md). */
import { createHash } from 'node:crypto';
import type { Agent } from 'node:https';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { LRUCache } from 'lru-cache';
import { ErrorCode } from '../graphql/errors';
import { principalFromClaims, type Principal } from './principal';
import type { Config } from '../config';

/** The auth settings' key set, issuers, audiences and clock tolerance, and: */
export type TokenVerifierOptions = Pick<Config['auth'], 'jwksUrl' | 'issuers' | 'audiences' | 'clockToleranceSeconds' | 'jwksCooldownSeconds' | 'jwksRefreshSeconds'> & {
  /** Bound of the verified-token cache. */
  cacheSize: number;
  /** Longest reuse of one verification (default 300 s; never past `exp`). */
  cacheTtlSeconds?: number;
  /** HTTPS agent for the key set fetch (e.g. one trusting a private CA); default Node's global agent. */
  agent?: Agent;
  /** Called when a key set fetch fails (for logs). */
  onKeySetError?: (error: unknown) => void;
  now?: () => number;
};

/** Why a request is turned away before Apollo (401/403/503): fixed text, never a token, a claim, a secret or a library's message. */
const MESSAGES = {
  missing_token: 'Authentication required: send an access token as `Authorization: Bearer <token>`.',
  malformed_token: 'The access token is malformed.',
  algorithm_not_allowed: 'The access token is not signed with an accepted algorithm (RS256 only).',
  unknown_key: 'The access token is signed with a key the identity provider does not publish.',
  bad_signature: 'The access token signature is not valid.',
  expired: 'The access token has expired.',
  not_yet_valid: 'The access token is not valid yet.',
  wrong_audience: 'The access token is not meant for this API (audience).',
  wrong_issuer: 'The access token was not issued by a trusted issuer.',
  missing_claim: 'The access token lacks a required claim.',
  router_secret: 'This subgraph only accepts requests that come through the router.',
  app_token_in_obo_mode:
    'This subgraph calls Microsoft Graph as the signed-in user: it needs a user (delegated) token, not an application token.',
  keys_unavailable: "Access tokens cannot be verified right now: the identity provider's signing keys are unavailable. Retry later.",
} as const;

/** A machine-readable reason, also used in logs and metrics. */
export type AuthFailureReason = keyof typeof MESSAGES;

export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly status: 401 | 403 | 503;
  readonly code: ErrorCode;

  constructor(readonly reason: AuthFailureReason) {
    super(MESSAGES[reason]);
    this.status = reason === 'keys_unavailable' ? 503 : reason === 'app_token_in_obo_mode' ? 403 : 401;
    this.code = { 401: ErrorCode.Unauthenticated, 403: ErrorCode.Forbidden, 503: ErrorCode.UpstreamUnavailable }[this.status];
  }

  /** The `WWW-Authenticate` header for a 401 (RFC 6750 §3), none otherwise. */
  get wwwAuthenticate(): string | undefined {
    if (this.status !== 401) return undefined;
    if (this.reason === 'missing_token' || this.reason === 'router_secret') return 'Bearer';
    return `Bearer error="invalid_token", error_description="${this.message.replace(/[^\x20-\x7e]|["\\]/g, '')}"`;
  }
}

/** Longest accepted token (Entra tokens are 1–3 KB; group overage keeps them well below this). */
const MAX_TOKEN_LENGTH = 16 * 1024;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The cache key of a token (its SHA-256): tokens themselves are never kept as keys. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Verifies tokens against the key set (refreshed in the background), caching each principal by the token's hash. */
export function tokenVerifier(options: TokenVerifierOptions) {
  const now = options.now ?? Date.now;
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
    agent: options.agent,
    cooldownDuration: options.jwksCooldownSeconds * 1000,
    // Never stale for jose: maybeRefreshKeys() replaces the keys in the background (docs/identity.md).
    cacheMaxAge: Number.POSITIVE_INFINITY,
    timeoutDuration: 5000,
  });
  const verifyOptions: JWTVerifyOptions = {
    algorithms: ['RS256'],
    issuer: [...options.issuers],
    audience: [...options.audiences],
    clockTolerance: options.clockToleranceSeconds,
    requiredClaims: ['exp'],
  };
  const cache = new LRUCache<string, Principal>({ max: options.cacheSize, ttlResolution: 0, perf: { now } });
  const pending = new Map<string, Promise<Principal>>();
  let lastRefresh = now();

  async function verifyUncached(token: string, hash: string): Promise<Principal> {
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, jwks, verifyOptions));
    } catch (error) {
      const reason = failureReason(error);
      if (reason === 'keys_unavailable') options.onKeySetError?.(error);
      throw new AuthError(reason);
    }
    const principal = principalFromClaims(claims);
    const ttl = Math.min(principal.expiresAt * 1000 - now(), (options.cacheTtlSeconds ?? 300) * 1000);
    if (ttl > 0) cache.set(hash, principal, { ttl });
    return principal;
  }

  /** Starts a background refresh of the key set when the last one is older than the refresh period. */
  function maybeRefreshKeys(): void {
    const time = now();
    if (time - lastRefresh < options.jwksRefreshSeconds * 1000 || jwks.reloading) return;
    lastRefresh = time;
    jwks.reload().catch((error: unknown) => options.onKeySetError?.(error));
  }

  return {
    /** The principal of a valid token (`hash`: its tokenHash); throws AuthError otherwise. */
    verify(token: string, hash: string): Principal | Promise<Principal> {
      const known = cache.get(hash) ?? pending.get(hash);
      if (known !== undefined) return known;
      if (token.length > MAX_TOKEN_LENGTH || !JWS_COMPACT.test(token)) throw new AuthError('malformed_token');
      maybeRefreshKeys();
      const run = verifyUncached(token, hash).finally(() => pending.delete(hash));
      pending.set(hash, run);
      return run;
    },
  };
}

export type TokenVerifier = ReturnType<typeof tokenVerifier>;

/** jose's error codes → why the token is refused; anything else (fetching the keys failed) is `keys_unavailable`. */
const REASONS: Partial<Record<string, AuthFailureReason>> = {
  ERR_JWT_EXPIRED: 'expired',
  ERR_JOSE_ALG_NOT_ALLOWED: 'algorithm_not_allowed',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'bad_signature',
  ERR_JWKS_NO_MATCHING_KEY: 'unknown_key',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'unknown_key',
  ERR_JWS_INVALID: 'malformed_token',
  ERR_JWT_INVALID: 'malformed_token',
  ERR_JOSE_NOT_SUPPORTED: 'malformed_token',
};
const CLAIM_REASONS: Partial<Record<string, AuthFailureReason>> = { nbf: 'not_yet_valid', aud: 'wrong_audience', iss: 'wrong_issuer' };

function failureReason(error: unknown): AuthFailureReason {
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return error.reason === 'missing' ? 'missing_claim' : (CLAIM_REASONS[error.claim] ?? 'malformed_token');
  }
  return (error instanceof joseErrors.JOSEError ? REASONS[error.code] : undefined) ?? 'keys_unavailable';
}
