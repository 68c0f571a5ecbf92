/**
 * `Authorization: Bearer …` on every attempt, retries included, from a token kept until shortly before it expires.
 * One policy per credential: a client for another credential (on-behalf-of) is the same chain with another one.
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { GraphError, isGraphError } from '../../errors';
import { isRecord } from '../../json';
import type { PipelinePolicy } from '../types';

/**
 * Keeps the last access token of a credential until shortly before it expires, and shares one in-flight
 * request among concurrent callers, so the hot path does not go through the credential (and MSAL's cache
 * lookup) on every Graph call. @azure/identity still owns acquisition and its own cache.
 */
export class CachedToken {
  private token?: AccessToken;
  private pending?: Promise<AccessToken>;
  private failed = false;

  constructor(
    private readonly credential: TokenCredential,
    private readonly scope: string,
    /** Refresh this long before expiry (default 5 minutes, like the Azure SDK's bearer policy). */
    private readonly refreshBeforeMs = 5 * 60_000,
    /** Called after each token the credential handed out (for metrics). */
    private readonly onAcquired?: () => void,
  ) {}

  /** False while the last acquisition failed. */
  get healthy(): boolean {
    return !this.failed;
  }

  /** A valid token: the cached one, or a new one from the credential. */
  get(signal?: AbortSignal): Promise<AccessToken> | AccessToken {
    const token = this.token;
    if (token && token.expiresOnTimestamp - this.refreshBeforeMs > Date.now()) return token;
    this.pending ??= this.acquire(signal);
    return this.pending;
  }

  private async acquire(signal?: AbortSignal): Promise<AccessToken> {
    try {
      const token = await this.credential.getToken(this.scope, { abortSignal: signal });
      if (!token) throw new Error('The credential returned no token.');
      this.token = token;
      this.failed = false;
      this.onAcquired?.();
      return token;
    } catch (error) {
      this.failed = true;
      throw error;
    } finally {
      this.pending = undefined;
    }
  }
}

export function bearerTokenPolicy(token: CachedToken): PipelinePolicy {
  return {
    name: 'bearerTokenPolicy',
    async sendRequest(request, next) {
      let accessToken: string;
      try {
        const cached = token.get(request.signal);
        accessToken = (cached instanceof Promise ? await cached : cached).token;
      } catch (error) {
        throw credentialError(error, request.clientRequestId);
      }
      request.headers.authorization = `Bearer ${accessToken}`;
      return next(request);
    },
  };
}

/**
 * A token failure. @azure/identity's AuthenticationError carries the token endpoint's status and Entra's error
 * code: invalid_grant / interaction_required / consent_required mean the caller (on-behalf-of) has to sign in
 * again or consent; anything else means Graph cannot be reached with this configuration. The message is fixed:
 * Entra's text can include the client id or assertion details.
 */
export function credentialError(error: unknown, clientRequestId: string): GraphError {
  if (isGraphError(error)) return error;
  const errorResponse = isRecord(error) && isRecord(error.errorResponse) ? error.errorResponse : undefined;
  const entraCode = typeof errorResponse?.error === 'string' ? errorResponse.error : undefined;
  const description = typeof errorResponse?.errorDescription === 'string' ? errorResponse.errorDescription : '';
  let credentialFailure: 'unauthenticated' | 'forbidden' | 'unavailable' = 'unavailable';
  // Only Entra's own answer says the caller must sign in again; a network failure (which @azure/identity also
  // reports as AuthenticationRequiredError) means the identity provider is unreachable.
  if (entraCode === 'invalid_grant' || entraCode === 'interaction_required') credentialFailure = 'unauthenticated';
  if (entraCode === 'consent_required' || /AADSTS65001|AADSTS53003/.test(description)) credentialFailure = 'forbidden';
  return new GraphError('Could not get an access token for Microsoft Graph.', {
    kind: 'credential',
    code: entraCode,
    clientRequestId,
    credentialFailure,
    cause: error,
  });
}
