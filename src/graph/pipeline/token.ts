/** A credential's access token (shared, refreshed early, recovered, a refused one never resent); its bearer policy. */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { bearerTokenAuthenticationPolicy, type PipelinePolicy, type PipelineRequest } from '@azure/core-rest-pipeline';
import { abortedError, GraphError, isGraphError } from '../errors';
import { isRecord, tryParseJson } from '../json';
import type { GraphClientOptions } from '../options';
import { callOf } from './request';

/** A credential, or a factory of new instances of it (only then can a token Graph refused be replaced: reject). */
export type CredentialSource = TokenCredential | (() => TokenCredential);

/** What happened to the token, for logs: never the token itself, nor Entra's message. */
export type TokenEvent =
  | { type: 'acquisition-failed'; reason: string; background: boolean; retryInMs?: number }
  | { type: 'recovered' }
  | { type: 'rejected-by-graph'; claimsChallenge: boolean };

/** What the token asks its credential for, its longest wait (default 10 s), its callbacks and background recovery. */
export type CachedTokenOptions = Pick<
  GraphClientOptions,
  'scope' | 'tokenTimeoutMs' | 'onTokenAcquired' | 'onTokenEvent' | 'tokenRecovery' | 'random'
>;

/** The acquisition took longer than its timeout, or the call's deadline passed while it waited (a `TimeoutError`). */
function isTimeout(error: unknown): boolean {
  return isRecord(error) && error.name === 'TimeoutError';
}

/** Refresh this long before expiry, like MSAL. */
const REFRESH_BEFORE_MS = 5 * 60_000;
/** A token is sent only while it has at least this long to live. */
const USABLE_MARGIN_MS = 10_000;
/** Least time between a token and its background refresh (at most this, and at most a tenth of the token's life). */
const MIN_REFRESH_INTERVAL_MS = 30_000;
/** Backoff of background refreshes of a still-valid token after a failure, when `tokenRecovery` does not say. */
const DEFAULT_BACKOFF = { initialDelayMs: 1_000, maxDelayMs: 30_000 };

export class CachedToken {
  private credential?: TokenCredential;
  private token?: AccessToken;
  /** The acquisitions under way: '' the plain one, else by a claims challenge's claims. */
  private readonly pending = new Map<string, Promise<AccessToken>>();
  private failures = 0;
  private refreshNotBefore = 0;
  private recoveryTimer?: NodeJS.Timeout;
  /** The last token Graph rejected: never cached again. */
  private rejected?: string;
  /** Set by reject(): the next acquisition goes through a new credential instance. */
  private renew = false;
  private closed = false;

  constructor(
    private readonly source: CredentialSource,
    private readonly options: CachedTokenOptions,
  ) {}

  /** False while the last acquisition failed and there is no token left to send (readiness). */
  get healthy(): boolean {
    return this.failures === 0 || this.usable(this.token, Date.now());
  }

  /** A token to send: the cached one (refreshed in the background when due), or the one of a (shared) acquisition. */
  get(signal?: AbortSignal): Promise<AccessToken> | AccessToken {
    const now = Date.now();
    const token = this.token;
    if (token !== undefined && this.usable(token, now)) {
      if (now >= this.refreshAt(token) && now >= this.refreshNotBefore && !this.pending.has('') && !this.closed) void this.share(true);
      return token;
    }
    return this.wait(this.pending.get('') ?? this.share(false), signal);
  }

  /** A new token carrying a claims challenge's claims (decoded JSON); concurrent challenges with the same claims share one acquisition. */
  forClaims(claims: string, signal?: AbortSignal): Promise<AccessToken> {
    return this.wait(this.pending.get(claims) ?? this.share(false, claims), signal);
  }

  /** Graph answered 401 to `rejected`: dropped, never cached again; the next acquisition uses a new credential instance (when given a factory). */
  reject(rejected: string, claimsChallenge: boolean): void {
    this.options.onTokenEvent?.({ type: 'rejected-by-graph', claimsChallenge });
    if (this.rejected === rejected) return;
    this.rejected = rejected;
    if (this.token?.token === rejected) this.token = undefined;
    // An acquisition already under way may come back with the same token from the old instance's cache.
    this.pending.delete('');
    this.renew = typeof this.source === 'function';
  }

  /** Whether Graph refused this token. */
  isRejected(token: string): boolean {
    return token === this.rejected;
  }

  /** Stops the background recovery; acquisitions under way are left to finish or time out. */
  close(): void {
    this.closed = true;
    clearTimeout(this.recoveryTimer);
    this.recoveryTimer = undefined;
  }

  /** The acquisition's outcome, or the signal's reason when it fires first (the acquisition goes on for the others). */
  private wait(attempt: Promise<AccessToken>, signal: AbortSignal | undefined): Promise<AccessToken> {
    if (signal === undefined) return attempt;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<AccessToken>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      void attempt.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private usable(token: AccessToken | undefined, now: number): token is AccessToken {
    return token !== undefined && token.token !== this.rejected && token.expiresOnTimestamp - USABLE_MARGIN_MS > now;
  }

  private refreshAt(token: AccessToken): number {
    return Math.min(token.expiresOnTimestamp - REFRESH_BEFORE_MS, token.refreshAfterTimestamp ?? Number.POSITIVE_INFINITY);
  }

  /** One acquisition, bounded by `tokenTimeoutMs`, shared until it settles; its outcome updates the cache and the health. */
  private share(background: boolean, claims?: string): Promise<AccessToken> {
    const key = claims ?? '';
    const signal = AbortSignal.timeout(this.options.tokenTimeoutMs ?? 10_000);
    const acquired = this.request(signal, claims).then((token) => {
      // Also when the timeout already won: a late token is still a good one.
      this.accept(token);
      return token;
    });
    acquired.catch(() => undefined); // a late failure after the timeout was already reported as the timeout
    const attempt = this.wait(acquired, signal);
    this.pending.set(key, attempt);
    const settled = (): void => {
      if (this.pending.get(key) === attempt) this.pending.delete(key);
    };
    attempt.then(settled, (error: unknown) => {
      settled();
      this.failed(error, background);
    });
    return attempt;
  }

  private async request(abortSignal: AbortSignal, claims: string | undefined): Promise<AccessToken> {
    if (this.renew || this.credential === undefined) {
      this.renew = false;
      this.credential = typeof this.source === 'function' ? this.source() : this.source;
    }
    // enableCae: Graph then answers a revoked session with a claims challenge instead of accepting the token until it expires.
    const options: GetTokenOptions = { abortSignal, enableCae: true, ...(claims !== undefined ? { claims } : {}) };
    const token = await this.credential.getToken(this.options.scope, options);
    if (!token) throw new Error('The credential returned no token.');
    return token;
  }

  private accept(token: AccessToken): void {
    this.options.onTokenAcquired?.();
    if (token.token === this.rejected) return;
    const current = this.token;
    if (current === undefined || token.expiresOnTimestamp >= current.expiresOnTimestamp || !this.usable(current, Date.now())) this.token = token;
    const wasFailing = this.failures > 0;
    this.failures = 0;
    const now = Date.now();
    this.refreshNotBefore = now + Math.min(MIN_REFRESH_INTERVAL_MS, Math.max(0, token.expiresOnTimestamp - now) / 10);
    clearTimeout(this.recoveryTimer);
    this.recoveryTimer = undefined;
    if (wasFailing) this.options.onTokenEvent?.({ type: 'recovered' });
  }

  private failed(error: unknown, background: boolean): void {
    this.failures++;
    const backoff = this.options.tokenRecovery ?? DEFAULT_BACKOFF;
    const ceiling = Math.min(backoff.maxDelayMs, backoff.initialDelayMs * 2 ** (this.failures - 1));
    // Half fixed, half random: replicas that failed together do not all come back at the same moment.
    const delayMs = Math.round(ceiling / 2 + (this.options.random ?? Math.random)() * (ceiling / 2));
    const now = Date.now();
    const stillServing = this.usable(this.token, now);
    this.refreshNotBefore = now + delayMs;
    const recovering = !stillServing && this.options.tokenRecovery !== undefined && !this.closed;
    if (recovering && this.recoveryTimer === undefined) {
      this.recoveryTimer = setTimeout(() => {
        this.recoveryTimer = undefined;
        if (this.closed || this.usable(this.token, Date.now()) || this.pending.has('')) return;
        void this.share(true);
      }, delayMs);
      this.recoveryTimer.unref();
    }
    this.options.onTokenEvent?.({
      type: 'acquisition-failed',
      reason: failureReason(error),
      background,
      retryInMs: stillServing || recovering ? delayMs : undefined,
    });
  }
}

/** A short, fixed reason for logs: Entra's error code or the error's kind, never its message. */
function failureReason(error: unknown): string {
  if (isTimeout(error)) return 'timeout';
  if (isGraphError(error)) return error.code ?? error.kind;
  return entraError(error).entraCode ?? (error instanceof Error ? error.name : 'unknown');
}

/** MSAL's `errorResponse`: Entra's error code and description, when the error carries one. */
function entraError(error: unknown): { entraCode?: string; description: string } {
  const response = isRecord(error) && isRecord(error.errorResponse) ? error.errorResponse : undefined;
  const entraCode = typeof response?.error === 'string' ? response.error : undefined;
  return { entraCode, description: typeof response?.errorDescription === 'string' ? response.errorDescription : '' };
}

/** The bearer policy of one credential; `rejectedTokenPolicy(token)` goes right below it. */
export function bearerPolicy(token: CachedToken, scope: string): PipelinePolicy {
  return bearerTokenAuthenticationPolicy({
    scopes: scope,
    // Asked only with a claims challenge's claims (authorizeRequest below serves every other token).
    credential: claimsCredential(token),
    challengeCallbacks: {
      async authorizeRequest({ request }) {
        const call = callOf(request);
        let accessToken: string;
        try {
          const got = token.get(call.signal);
          accessToken = (got instanceof Promise ? await got : got).token;
        } catch (error) {
          throw tokenWaitError(error, request);
        }
        request.headers.set('authorization', `Bearer ${accessToken}`);
      },
    },
  });
}

/** Graph answered 401: the token it refused is never sent again (CachedToken.reject). */
export function rejectedTokenPolicy(token: CachedToken): PipelinePolicy {
  return {
    name: 'rejectedTokenPolicy',
    async sendRequest(request, next) {
      const response = await next(request);
      const sent = request.headers.get('authorization');
      if (response.status === 401 && sent !== undefined) {
        token.reject(sent.slice('Bearer '.length), /error="?insufficient_claims/.test(response.headers.get('www-authenticate') ?? ''));
      }
      return response;
    },
  };
}

/** A TokenCredential over CachedToken.forClaims: claims that are not a JSON object are Graph's bad data. */
function claimsCredential(token: CachedToken): TokenCredential {
  return {
    async getToken(_scopes: string | string[], options?: GetTokenOptions) {
      const claims = options?.claims;
      if (claims === undefined) return token.get();
      if (!isRecord(tryParseJson(claims))) {
        throw new GraphError('Microsoft Graph sent a claims challenge whose claims are not a JSON object.', { kind: 'invalid-response', status: 401 });
      }
      let fresh: AccessToken;
      try {
        // core's challenge path gives no signal: CachedToken's own timeout bounds the wait.
        fresh = await token.forClaims(claims);
      } catch (error) {
        throw credentialError(error);
      }
      // The credential ignores claims (managed identity): the refused token would only be refused again.
      if (token.isRejected(fresh.token)) {
        throw new GraphError('Microsoft Graph refused the access token, and the credential cannot answer its claims challenge.', {
          kind: 'credential',
          code: 'insufficient_claims',
          credentialFailure: 'unauthenticated',
        });
      }
      return fresh;
    },
  };
}

/** No token for this call: the caller going away is `aborted`; anything else is credentialError's. */
function tokenWaitError(error: unknown, request: PipelineRequest): GraphError {
  const call = callOf(request);
  if (call.signal?.aborted && !isTimeout(error)) return abortedError({ clientRequestId: call.clientRequestId, cause: error });
  return credentialError(error, call.clientRequestId);
}

/** A token failure, with a fixed message (Entra's text can name the client): docs/identity.md#errors-a-caller-can-get. */
function credentialError(error: unknown, clientRequestId?: string): GraphError {
  if (isGraphError(error)) return error;
  if (isTimeout(error)) {
    return new GraphError('Microsoft Entra ID did not issue an access token for Microsoft Graph in time.', {
      kind: 'credential',
      code: 'identity_provider_timeout',
      clientRequestId,
      credentialFailure: 'unavailable',
    });
  }
  const { entraCode, description } = entraError(error);
  let credentialFailure: 'unauthenticated' | 'forbidden' | 'unavailable' = 'unavailable';
  if (entraCode === 'invalid_grant' || entraCode === 'interaction_required') credentialFailure = 'unauthenticated';
  if (entraCode === 'consent_required' || /AADSTS65001|AADSTS53003/.test(description)) credentialFailure = 'forbidden';
  return new GraphError('Could not get an access token for Microsoft Graph.', { kind: 'credential', code: entraCode, clientRequestId, credentialFailure, cause: error });
}
