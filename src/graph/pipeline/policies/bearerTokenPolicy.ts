/**
 * `Authorization: Bearer …` on every attempt, retries included, from the credential's CachedToken (../token.ts).
 * One policy per credential: a client for another credential (on-behalf-of) is the same chain with another one.
 *
 * A 401 from Graph means Graph rejected the token: it is never sent again (CachedToken.reject). With a CAE claims
 * challenge (`WWW-Authenticate: Bearer …, error="insufficient_claims", claims="<base64 JSON>"`) a new token is
 * requested for those claims and the request is sent once more, as @azure/core-rest-pipeline's
 * bearerTokenAuthenticationPolicy does (authorizeRequestOnCaeChallenge); a plain 401, or a second one, is
 * returned as it is (the retry policy makes it the caller's UNAUTHENTICATED error).
 */
import type { AccessToken } from '@azure/core-auth';
import { abortedError, GraphError, isGraphError } from '../../errors';
import { isRecord } from '../../json';
import { TokenTimeoutError, type CachedToken } from '../token';
import type { GraphRequest, PipelinePolicy, ResponseHeaders } from '../types';

export function bearerTokenPolicy(token: CachedToken): PipelinePolicy {
  return {
    name: 'bearerTokenPolicy',
    async sendRequest(request, next) {
      const sent = await authorize(request, () => token.get(request.signal));
      const response = await next(request);
      if (response.status !== 401) return response;
      const claims = claimsChallenge(response.headers);
      token.reject(sent, claims !== undefined);
      if (claims === undefined) return response;
      const fresh = await authorize(request, () => token.forClaims(claims, request.signal));
      // The credential could not do better (managed identity ignores claims): the same token would fail again.
      if (fresh === sent) return response;
      return next(request);
    },
  };
}

/** Puts a token on the request; returns it. */
async function authorize(request: GraphRequest, get: () => Promise<AccessToken> | AccessToken): Promise<string> {
  let accessToken: string;
  try {
    const got = get();
    accessToken = (got instanceof Promise ? await got : got).token;
  } catch (error) {
    throw tokenWaitError(error, request);
  }
  request.headers.authorization = `Bearer ${accessToken}`;
  return accessToken;
}

/**
 * Why there is no token for this call: the call's deadline passed while waiting (a TimeoutError reason) or the
 * acquisition timed out → `identity_provider_timeout`; the caller went away → aborted; else credentialError.
 */
function tokenWaitError(error: unknown, request: GraphRequest): GraphError {
  const timedOut = error instanceof TokenTimeoutError || (isRecord(error) && error.name === 'TimeoutError');
  if (timedOut) {
    return new GraphError('Microsoft Entra ID did not issue an access token for Microsoft Graph in time.', {
      kind: 'credential',
      code: 'identity_provider_timeout',
      clientRequestId: request.clientRequestId,
      credentialFailure: 'unavailable',
    });
  }
  if (request.signal?.aborted) return abortedError({ clientRequestId: request.clientRequestId, cause: error });
  return credentialError(error, request.clientRequestId);
}

/**
 * The decoded claims of a CAE challenge (`Bearer` with error="insufficient_claims" and claims="<base64>"), or
 * undefined: no challenge, another one, or claims that are not a base64 JSON object (then the 401 stands).
 */
export function claimsChallenge(headers: ResponseHeaders): string | undefined {
  const value = headers['www-authenticate'];
  const header = Array.isArray(value) ? value.join(', ') : value;
  if (header === undefined) return undefined;
  for (const challenge of parseChallenges(header)) {
    if (challenge.scheme.toLowerCase() !== 'bearer') continue;
    const encoded = challenge.params.claims;
    if (challenge.params.error !== 'insufficient_claims' || encoded === undefined) continue;
    // Node's base64 decoder also takes the URL-safe alphabet and missing padding.
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    try {
      const parsed: unknown = JSON.parse(decoded);
      if (isRecord(parsed)) return decoded;
    } catch {
      // not JSON: not a challenge this policy can answer
    }
  }
  return undefined;
}

/** `Scheme k="v", k2=v2, Scheme2 …` → schemes with their parameters (quoted values may hold commas). */
function parseChallenges(header: string): Array<{ scheme: string; params: Record<string, string> }> {
  const challenges: Array<{ scheme: string; params: Record<string, string> }> = [];
  const token = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*))?\s*,?/y;
  let current: { scheme: string; params: Record<string, string> } | undefined;
  token.lastIndex = 0;
  while (token.lastIndex < header.length) {
    const start = token.lastIndex;
    const match = token.exec(header);
    if (match === null || token.lastIndex === start) break;
    const [, name, rawValue] = match;
    if (rawValue === undefined) {
      // A bare word starts a new challenge (a scheme); a parameter always has `=`.
      current = { scheme: name, params: {} };
      challenges.push(current);
    } else if (current !== undefined) {
      current.params[name.toLowerCase()] = rawValue.startsWith('"') ? rawValue.slice(1, -1).replace(/\\(.)/g, '$1') : rawValue;
    }
  }
  return challenges;
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
