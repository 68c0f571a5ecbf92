/**
 * `Authorization: Bearer …` on every attempt (core's bearer policy, CAE challenge included) from a CachedToken, and
 * the policy that drops a token Graph answered 401 to. Token failures are `credential` GraphErrors.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { bearerTokenAuthenticationPolicy, type PipelinePolicy, type PipelineRequest } from '@azure/core-rest-pipeline';
import { abortedError, GraphError, isGraphError } from '../../errors';
import { isRecord } from '../../json';
import { callOf } from '../request';
import { TokenTimeoutError, type CachedToken } from '../token';

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
      if (!isJsonObject(claims)) {
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

function isJsonObject(text: string): boolean {
  try {
    return isRecord(JSON.parse(text));
  } catch {
    return false;
  }
}

/** No token for this call: the caller going away is `aborted`; anything else is credentialError's. */
function tokenWaitError(error: unknown, request: PipelineRequest): GraphError {
  const call = callOf(request);
  if (call.signal?.aborted && !isTimeout(error)) return abortedError({ clientRequestId: call.clientRequestId, cause: error });
  return credentialError(error, call.clientRequestId);
}

/** The acquisition's own timeout, or the call's deadline passing while it waited. */
function isTimeout(error: unknown): boolean {
  return error instanceof TokenTimeoutError || (isRecord(error) && error.name === 'TimeoutError');
}

/**
 * A token failure: a timeout → `identity_provider_timeout`; else by Entra's error code: invalid_grant /
 * interaction_required → `unauthenticated` (sign in again), consent_required or AADSTS65001/53003 → `forbidden`,
 * anything else → `unavailable`. The message is fixed: Entra's text can name the client or the assertion.
 */
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
  const errorResponse = isRecord(error) && isRecord(error.errorResponse) ? error.errorResponse : undefined;
  const entraCode = typeof errorResponse?.error === 'string' ? errorResponse.error : undefined;
  const description = typeof errorResponse?.errorDescription === 'string' ? errorResponse.errorDescription : '';
  let credentialFailure: 'unauthenticated' | 'forbidden' | 'unavailable' = 'unavailable';
  if (entraCode === 'invalid_grant' || entraCode === 'interaction_required') credentialFailure = 'unauthenticated';
  if (entraCode === 'consent_required' || /AADSTS65001|AADSTS53003/.test(description)) credentialFailure = 'forbidden';
  return new GraphError('Could not get an access token for Microsoft Graph.', { kind: 'credential', code: entraCode, clientRequestId, credentialFailure, cause: error });
}
