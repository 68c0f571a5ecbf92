import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { GraphError, isGraphError } from '../../../../../src/graph/errors';
import { bearerTokenPolicy, CachedToken } from '../../../../../src/graph/pipeline/policies/bearerTokenPolicy';
import { rejection, request, response, scriptedNext } from '../../../../support/pipeline';

/** A credential that hands out numbered tokens valid for `lifetimeMs`, or fails with `failure`. */
class CountingCredential implements TokenCredential {
  calls = 0;
  failure?: unknown;
  constructor(private readonly lifetimeMs = 3600_000) {}
  async getToken(): Promise<AccessToken> {
    this.calls++;
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failure !== undefined) throw this.failure;
    return { token: `token-${this.calls}`, expiresOnTimestamp: Date.now() + this.lifetimeMs };
  }
}

const SCOPE = 'https://graph.microsoft.com/.default';

it('sends the token on every attempt and asks the credential once while it is valid', async () => {
  const credential = new CountingCredential();
  const acquired: number[] = [];
  const policy = bearerTokenPolicy(new CachedToken(credential, SCOPE, undefined, () => acquired.push(1)));
  const next = scriptedNext(response(200));
  await Promise.all([policy.sendRequest(request(), next), policy.sendRequest(request(), next)]);
  await policy.sendRequest(request(), next);
  expect(next.seen.map((a) => a.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-1']);
  expect(credential.calls).toBe(1);
  expect(acquired).toHaveLength(1);
});

it('asks again for a token that is about to expire', async () => {
  const credential = new CountingCredential(60_000); // inside the 5-minute refresh margin
  const policy = bearerTokenPolicy(new CachedToken(credential, SCOPE));
  const next = scriptedNext(response(200));
  await policy.sendRequest(request(), next);
  await policy.sendRequest(request(), next);
  expect(next.seen.map((a) => a.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
});

it.each([
  ['invalid_grant', 'unauthenticated'],
  ['interaction_required', 'unauthenticated'],
  ['consent_required', 'forbidden'],
  ['invalid_client', 'unavailable'],
])('Entra’s %s is a credential error (%s) with a fixed message; nothing is sent', async (entraCode, credentialFailure) => {
  const credential = new CountingCredential();
  credential.failure = Object.assign(new Error(`${entraCode}: AADSTS7000215 for client 1234`), { errorResponse: { error: entraCode, errorDescription: 'details' } });
  const token = new CachedToken(credential, SCOPE);
  const next = scriptedNext(response(200));
  const req = request();
  const error = await rejection(bearerTokenPolicy(token).sendRequest(req, next));
  expect(error).toMatchObject({ kind: 'credential', code: entraCode, credentialFailure, clientRequestId: req.clientRequestId });
  expect(isGraphError(error) && error.message).toBe('Could not get an access token for Microsoft Graph.');
  expect(next.seen).toHaveLength(0);
  expect(token.healthy).toBe(false);
});

it('an unreachable identity provider is `unavailable`; health comes back with the next token', async () => {
  const credential = new CountingCredential();
  credential.failure = new Error('connect ECONNREFUSED');
  const token = new CachedToken(credential, SCOPE);
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
  expect(await rejection(bearerTokenPolicy(new CachedToken(credential, SCOPE)).sendRequest(request(), scriptedNext(response(200))))).toBe(classified);
});
