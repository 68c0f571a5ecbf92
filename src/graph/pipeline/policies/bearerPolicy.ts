/** `Authorization: Bearer …` from a CachedToken through core's bearer policy (CAE challenges included). */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { bearerTokenAuthenticationPolicy, type PipelinePolicy, type PipelineRequest } from '@azure/core-rest-pipeline';
import { abortedError, GraphError, isGraphError } from '../../errors';
import { isRecord, tryParseJson } from '../../json';
import { callOf } from '../request';
import { entraError, isTimeout, type CachedToken } from '../token';

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
