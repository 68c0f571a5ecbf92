import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { GraphError, isGraphError } from '../../../../../src/graph/errors';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { callOf } from '../../../../../src/graph/pipeline/request';
import { bearerPolicy, CachedToken, rejectedTokenPolicy } from '../../../../../src/graph/pipeline/token';
import { rejection, request, response, scriptedNext } from '../../../../support/pipeline';

/** A credential that hands out numbered tokens valid for `lifetimeMs`, or fails with `failure`. */
class CountingCredential implements TokenCredential {
  calls = 0;
  failure?: Error;
  constructor(private readonly lifetimeMs = 3600_000) {}
  readonly claims: Array<string | undefined> = [];
  async getToken(_scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken> {
    this.calls++;
    this.claims.push(options.claims);
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failure !== undefined) throw this.failure;
    return { token: `token-${this.calls}`, expiresOnTimestamp: Date.now() + this.lifetimeMs };
  }
}

const SCOPE = 'https://graph.microsoft.com/.default';
const cached = (credential: TokenCredential | (() => TokenCredential), onAcquired?: () => void): CachedToken =>
  new CachedToken(credential, { scope: SCOPE, onTokenAcquired: onAcquired });

/** The bearer policy with the rejected-token policy below it, as the pipeline chains them. */
function bearerTokenPolicy(token: CachedToken): PipelinePolicy {
  const bearer = bearerPolicy(token, SCOPE);
  const rejected = rejectedTokenPolicy(token);
  return { name: 'bearer', sendRequest: (req, next) => bearer.sendRequest(req, (r) => rejected.sendRequest(r, next)) };
}

it('sends the token on every attempt and asks the credential once while it is valid', async () => {
  const credential = new CountingCredential();
  const acquired: number[] = [];
  const policy = bearerTokenPolicy(cached(credential, () => acquired.push(1)));
  const next = scriptedNext(response(200));
  await Promise.all([policy.sendRequest(request(), next), policy.sendRequest(request(), next)]);
  await policy.sendRequest(request(), next);
  expect(next.seen.map((a) => a.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-1']);
  expect(credential.calls).toBe(1);
  expect(acquired).toHaveLength(1);
});

it('asks again for a token that expired', async () => {
  const credential = new CountingCredential(5_000); // less than the margin a token must have left to be sent
  const policy = bearerTokenPolicy(cached(credential));
  const next = scriptedNext(response(200));
  await policy.sendRequest(request(), next);
  await policy.sendRequest(request(), next);
  expect(next.seen.map((a) => a.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
});

it('the call’s deadline passing while it waits for a token is `identity_provider_timeout`; its caller leaving is `aborted`', async () => {
  const hanging: TokenCredential = { getToken: () => new Promise<AccessToken>(() => undefined) };
  const policy = bearerTokenPolicy(cached(hanging));
  const deadline = new AbortController();
  const timedOut = request();
  callOf(timedOut).signal = deadline.signal;
  const pending = rejection(policy.sendRequest(timedOut, scriptedNext(response(200))));
  deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  expect(await pending).toMatchObject({ kind: 'credential', code: 'identity_provider_timeout', credentialFailure: 'unavailable', clientRequestId: callOf(timedOut).clientRequestId });
  const caller = new AbortController();
  const left = request();
  callOf(left).signal = caller.signal;
  const leaving = rejection(policy.sendRequest(left, scriptedNext(response(200))));
  caller.abort();
  expect(await leaving).toMatchObject({ kind: 'aborted' });
});

const CLAIMS = '{"access_token":{"nbf":{"essential":true,"value":"1726258122"}}}';
const challenge = (claims: string): Record<string, string> => ({
  'www-authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="${Buffer.from(claims).toString('base64')}"`,
});

it('a plain 401 is returned as it is, and its token is never sent again: the next one is from a new credential', async () => {
  const instances: CountingCredential[] = [];
  const policy = bearerTokenPolicy(
    cached(() => {
      instances.push(new CountingCredential());
      return instances[instances.length - 1];
    }),
  );
  const next = scriptedNext(response(401, { headers: { 'www-authenticate': 'Bearer realm=""' } }), response(200));
  expect((await policy.sendRequest(request(), next)).status).toBe(401);
  expect(next.seen).toHaveLength(1);
  await policy.sendRequest(request(), next);
  expect(next.seen.map((a) => a.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-1']);
  expect(instances).toHaveLength(2); // same numbering, new instance: a token MSAL's cache never held
});

it('a claims challenge gets a token for the decoded claims and one more try; a second 401 is returned', async () => {
  const credential = new CountingCredential();
  const policy = bearerTokenPolicy(cached(credential));
  const next = scriptedNext(response(401, { headers: challenge(CLAIMS) }), response(200));
  expect((await policy.sendRequest(request(), next)).status).toBe(200);
  expect(credential.claims).toEqual([undefined, CLAIMS]);
  expect(next.seen.map((a) => a.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);

  const again = scriptedNext(response(401, { headers: challenge(CLAIMS) }));
  expect((await policy.sendRequest(request(), again)).status).toBe(401);
  expect(again.seen).toHaveLength(2);
});

it.each([
  ['a plain Bearer challenge', { 'www-authenticate': 'Bearer realm="", client_id="00000003-0000-0000-c000-000000000000"' }, 1],
  ['claims without insufficient_claims', { 'www-authenticate': `Bearer claims="${Buffer.from(CLAIMS).toString('base64')}"` }, 1],
  ['claims that are not base64', { 'www-authenticate': 'Bearer error="insufficient_claims", claims="not json"' }, 1],
  ['a challenge after another scheme', { 'www-authenticate': `Basic realm="x", ${challenge(CLAIMS)['www-authenticate']}` }, 2],
  ['no header', {}, 1],
])('a 401 with %s is sent %i time(s) in all', async (_name, headers, sends) => {
  const next = scriptedNext(response(401, { headers }), response(200));
  await policyResult(bearerTokenPolicy(cached(new CountingCredential())).sendRequest(request(), next));
  expect(next.seen).toHaveLength(sends);
});

it('claims that are not a JSON object are Graph’s bad data: nothing is asked of the credential', async () => {
  const credential = new CountingCredential();
  const next = scriptedNext(response(401, { headers: challenge('not json') }), response(200));
  expect(await rejection(bearerTokenPolicy(cached(credential)).sendRequest(request(), next))).toMatchObject({ kind: 'invalid-response' });
  expect(credential.claims).toEqual([undefined]);
  expect(next.seen).toHaveLength(1);
});

it('a credential that ignores the claims (managed identity) hands back the refused token: not sent again', async () => {
  const same: TokenCredential = { getToken: async () => ({ token: 'same', expiresOnTimestamp: Date.now() + 3600_000 }) };
  const next = scriptedNext(response(401, { headers: challenge(CLAIMS) }), response(200));
  expect(await rejection(bearerTokenPolicy(cached(same)).sendRequest(request(), next))).toMatchObject({ kind: 'credential', credentialFailure: 'unauthenticated' });
  expect(next.seen).toHaveLength(1);
});

/** The outcome of a call, reply or error alike. */
async function policyResult(call: Promise<unknown>): Promise<unknown> {
  try {
    return await call;
  } catch (error) {
    return error;
  }
}

it.each([
  ['invalid_grant', 'unauthenticated'],
  ['interaction_required', 'unauthenticated'],
  ['consent_required', 'forbidden'],
  ['invalid_client', 'unavailable'],
])('Entra’s %s is a credential error (%s) with a fixed message; nothing is sent', async (entraCode, credentialFailure) => {
  const credential = new CountingCredential();
  credential.failure = Object.assign(new Error(`${entraCode}: AADSTS7000215 for client 1234`), { errorResponse: { error: entraCode, errorDescription: 'details' } });
  const token = cached(credential);
  const next = scriptedNext(response(200));
  const req = request();
  const error = await rejection(bearerTokenPolicy(token).sendRequest(req, next));
  expect(error).toMatchObject({ kind: 'credential', code: entraCode, credentialFailure, clientRequestId: callOf(req).clientRequestId });
  expect(isGraphError(error) && error.message).toBe('Could not get an access token for Microsoft Graph.');
  expect(next.seen).toHaveLength(0);
  expect(token.healthy).toBe(false);
});

it('an unreachable identity provider is `unavailable`; health comes back with the next token', async () => {
  const credential = new CountingCredential();
  credential.failure = new Error('connect ECONNREFUSED');
  const token = cached(credential);
  const policy = bearerTokenPolicy(token);
  expect(await rejection(policy.sendRequest(request(), scriptedNext(response(200))))).toMatchObject({ kind: 'credential', credentialFailure: 'unavailable' });
  credential.failure = undefined;
  await policy.sendRequest(request(), scriptedNext(response(200)));
  expect(token.healthy).toBe(true);
});

it('a GraphError from the credential (the on-behalf-of classification) passes through unchanged', async () => {
  const credential = new CountingCredential();
  const classified = new GraphError('Sign in again', { kind: 'credential', code: 'invalid_grant', credentialFailure: 'unauthenticated' });
  credential.failure = classified;
  expect(await rejection(bearerTokenPolicy(cached(credential)).sendRequest(request(), scriptedNext(response(200))))).toBe(classified);
});
