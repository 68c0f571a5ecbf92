/** Inbound Entra ID access tokens verified with jose; verified principals cached by the token's SHA-256 (docs/identity.md). */
import { createHash } from 'node:crypto';
import type { Agent } from 'node:https';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { AuthError, type AuthFailureReason } from './errors';
import { LRUCache } from 'lru-cache';
import { principalFromClaims, type Principal } from './principal';
import type { AuthSettings } from './settings';

/** AuthSettings' key set, issuers, audiences and clock tolerance, and: */
export type TokenVerifierOptions = Pick<AuthSettings, 'jwksUrl' | 'issuers' | 'audiences' | 'clockToleranceSeconds' | 'jwksCooldownSeconds' | 'jwksRefreshSeconds'> & {
  /** Bound of the verified-token cache. */
  cacheSize: number;
  /** Timeout of one key set fetch (default 5 s). */
  jwksTimeoutMs?: number;
  /** Longest reuse of one verification (default 300 s; never past `exp`). */
  cacheTtlSeconds?: number;
  /** HTTPS agent for the key set fetch (e.g. one trusting a private CA); default Node's global agent. */
  agent?: Agent;
  /** Called when a key set fetch fails (for logs). */
  onKeySetError?: (error: unknown) => void;
  now?: () => number;
};

/** Longest accepted token (Entra tokens are 1–3 KB; group overage keeps them well below this). */
const MAX_TOKEN_LENGTH = 16 * 1024;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The cache key of a token (its SHA-256): tokens themselves are never kept as keys. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class TokenVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  private readonly verifyOptions: JWTVerifyOptions;
  private readonly cache: LRUCache<string, Principal>;
  private readonly pending = new Map<string, Promise<Principal>>();
  private readonly now: () => number;
  private lastRefresh: number;

  constructor(private readonly options: TokenVerifierOptions) {
    this.now = options.now ?? Date.now;
    this.jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
      agent: options.agent,
      cooldownDuration: options.jwksCooldownSeconds * 1000,
      // Never stale for jose: maybeRefreshKeys() replaces the keys in the background (docs/identity.md).
      cacheMaxAge: Number.POSITIVE_INFINITY,
      timeoutDuration: options.jwksTimeoutMs ?? 5000,
    });
    this.verifyOptions = {
      algorithms: ['RS256'],
      issuer: [...options.issuers],
      audience: [...options.audiences],
      clockTolerance: options.clockToleranceSeconds,
      requiredClaims: ['exp'],
    };
    this.cache = new LRUCache<string, Principal>({ max: options.cacheSize, ttlResolution: 0, perf: { now: this.now } });
    this.lastRefresh = this.now();
  }

  /** The principal of a valid token (`hash`: its tokenHash); throws AuthError otherwise. */
  verify(token: string, hash: string): Principal | Promise<Principal> {
    const known = this.cache.get(hash) ?? this.pending.get(hash);
    if (known !== undefined) return known;
    if (token.length > MAX_TOKEN_LENGTH || !JWS_COMPACT.test(token)) throw new AuthError('malformed_token');
    this.maybeRefreshKeys();
    const run = this.verifyUncached(token, hash).finally(() => this.pending.delete(hash));
    this.pending.set(hash, run);
    return run;
  }

  private async verifyUncached(token: string, hash: string): Promise<Principal> {
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, this.jwks, this.verifyOptions));
    } catch (error) {
      const reason = failureReason(error);
      if (reason === 'keys_unavailable') this.options.onKeySetError?.(error);
      throw new AuthError(reason);
    }
    const principal = principalFromClaims(claims);
    const ttl = Math.min(principal.expiresAt * 1000 - this.now(), (this.options.cacheTtlSeconds ?? 300) * 1000);
    if (ttl > 0) this.cache.set(hash, principal, { ttl });
    return principal;
  }

  /** Starts a background refresh of the key set when the last one is older than the refresh period. */
  private maybeRefreshKeys(): void {
    const now = this.now();
    if (now - this.lastRefresh < this.options.jwksRefreshSeconds * 1000 || this.jwks.reloading) return;
    this.lastRefresh = now;
    this.jwks.reload().catch((error: unknown) => this.options.onKeySetError?.(error));
  }
}

/** jose's error → why the token is refused; anything about fetching keys is `keys_unavailable`. */
function failureReason(error: unknown): AuthFailureReason {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return 'missing_claim';
    if (error.claim === 'nbf') return 'not_yet_valid';
    if (error.claim === 'aud') return 'wrong_audience';
    if (error.claim === 'iss') return 'wrong_issuer';
    return 'malformed_token';
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm_not_allowed';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) return 'unknown_key';
  if (
    error instanceof joseErrors.JWSInvalid ||
    error instanceof joseErrors.JWTInvalid ||
    error instanceof joseErrors.JOSENotSupported
  ) {
    return 'malformed_token';
  }
  // JWKSTimeout, JWKSInvalid, a non-200 or non-JSON reply, a TLS or connection error.
  return 'keys_unavailable';
}
