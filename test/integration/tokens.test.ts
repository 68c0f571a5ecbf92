/**
 * The application's Graph token over real parts: @azure/identity's ClientSecretCredential (MSAL inside) against the
 * local HTTPS IdP, Graph over real HTTP (the emulator, or a scripted Graph for 401 replies). A token endpoint that
 * hangs, one that fails while the cached token is still valid, a 401, and a CAE claims challenge.
 */
import { ClientSecretCredential } from '@azure/identity';
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { GraphClient } from '../../src/graph/client';
import { isGraphError } from '../../src/graph/errors';
import { startTestIdp, type IdpTokenRequest, type TestIdp } from '../support/idp';
import { rejection } from '../support/pipeline';
import { startScriptedGraph, type ScriptedAnswer, type ScriptedGraph } from '../support/scripted-graph';
import { startStack, type Stack } from '../support/stack';

const CLIENT_ID = '5d1c0e2a-7b3f-4c6d-9e8a-0f1b2c3d4e5f';
const CLIENT_SECRET = 'tokens-test~secret.never-logged';
const SCOPE = 'https://graph.microsoft.com/.default';
const POOL = SAMPLE_POOLS[0].id;
const READ = `query ($id: ID!) { embeddedSIMActivationCodePool(id: $id) { id } }`;

/** New ClientSecretCredentials for the IdP, as src/identity makes them (a factory: see CachedToken.reject). */
const credentialFor = (idp: TestIdp) => (): ClientSecretCredential =>
  new ClientSecretCredential(idp.tenantId, CLIENT_ID, CLIENT_SECRET, {
    authorityHost: idp.url,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: idp.caPem },
    // core-rest-pipeline retries a 503 with backoff of seconds by default; the outage here is the IdP's own.
    retryOptions: { maxRetries: 1, retryDelayInMs: 5, maxRetryDelayInMs: 20 },
  });

async function until(condition: () => boolean, what: string, maxWaitMs = 15_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 25) {
    if (waited > maxWaitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const clientCredentialRequests = (idp: TestIdp): IdpTokenRequest[] => idp.tokenRequests.filter((r) => r.grantType === 'client_credentials');

describe('a token endpoint that hangs, then recovers', () => {
  let idp: TestIdp;
  let stack: Stack;
  beforeAll(async () => {
    idp = await startTestIdp();
    idp.clients.set(CLIENT_ID, { secret: CLIENT_SECRET });
    stack = await startStack({ credential: credentialFor(idp), client: { timeoutMs: 4_000, tokenTimeoutMs: 1_000 } });
  }, 30_000);
  afterAll(async () => {
    await stack?.stop();
    await idp?.close();
  });

  it('each call ends within its deadline with a clear code, the next one starts a fresh acquisition, and recovery needs no restart', async () => {
    idp.setTokenEndpoint('hang');
    const first = await stack.graphql(READ, { id: POOL });
    expect(first.body.errors?.[0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'identity_provider_timeout' });
    expect(idp.hungRequests).toBe(1);
    expect(stack.graph.tokenHealthy).toBe(false);

    const second = await stack.graphql(READ, { id: POOL });
    expect(second.body.errors?.[0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'identity_provider_timeout' });
    // Not waiting on the first (still unanswered) request: a second one reached the IdP.
    expect(idp.hungRequests).toBe(2);
    expect(stack.emulator.requests).toHaveLength(0);

    idp.recover();
    const third = await stack.graphql(READ, { id: POOL });
    expect(third.body.errors).toBeUndefined();
    const issued = clientCredentialRequests(idp).filter((r) => r.status === 200);
    expect(issued.length).toBeGreaterThanOrEqual(1);
    expect(issued.map((r) => idp.graphTokenFor(r))).toContain(stack.emulator.requests[0].bearerToken);
    expect(stack.graph.tokenHealthy).toBe(true);
  }, 30_000);
});

describe('a refresh that fails while the cached token is still valid', () => {
  let idp: TestIdp;
  let stack: Stack;
  beforeAll(async () => {
    // 30 s tokens: inside the 5-minute refresh window from the start (MSAL too then asks the IdP), refreshed at
    // most every 3 s (a tenth of their life), sent for 20 s (not in their last 10 s).
    idp = await startTestIdp({ tokenLifetimeSeconds: 30 });
    idp.clients.set(CLIENT_ID, { secret: CLIENT_SECRET });
    stack = await startStack({ credential: credentialFor(idp) });
  }, 30_000);
  afterAll(async () => {
    await stack?.stop();
    await idp?.close();
  });

  it('calls go on with the old token, readiness stays up, and the next refresh after recovery replaces it', async () => {
    expect((await stack.graphql(READ, { id: POOL })).body.errors).toBeUndefined();
    const old = stack.emulator.requests[0].bearerToken;
    const issuedBefore = clientCredentialRequests(idp).length;
    idp.setDown(true);
    await new Promise((resolve) => setTimeout(resolve, 3_100)); // past the refresh hold-back
    expect((await stack.graphql(READ, { id: POOL })).body.errors).toBeUndefined();
    await until(() => clientCredentialRequests(idp).some((r, i) => i >= issuedBefore && r.status === 503), 'a refresh that fails');
    expect((await stack.graphql(READ, { id: POOL })).body.errors).toBeUndefined();
    expect(stack.emulator.requests.map((r) => r.bearerToken)).toEqual([old, old, old]);
    expect(stack.graph.tokenHealthy).toBe(true);

    idp.setDown(false);
    // The failed refresh backs off (about a second); a call after that refreshes in the background, a later one
    // carries the new token.
    let fresh: string | undefined;
    for (let waited = 0; fresh === undefined; waited += 100) {
      if (waited > 15_000) throw new Error('no call carried a new token');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await stack.graphql(READ, { id: POOL })).body.errors).toBeUndefined();
      fresh = stack.emulator.requests.map((r) => r.bearerToken).find((t) => t !== old);
    }
    const refreshed = clientCredentialRequests(idp).filter((r, i) => i >= issuedBefore && r.status === 200);
    expect(refreshed.map((r) => idp.graphTokenFor(r))).toContain(fresh);
  }, 30_000);
});

describe('Graph rejecting the token', () => {
  let idp: TestIdp;
  let graph: ScriptedGraph;
  let client: GraphClient;
  let script: ScriptedAnswer[];
  const pool = { id: POOL, displayName: 'pool', activationCodeCount: 1, createdDateTime: '2026-01-01T00:00:00Z', modifiedDateTime: '2026-01-01T00:00:00Z' };
  const claims = JSON.stringify({ access_token: { nbf: { essential: true, value: '1726258122' } } });
  const graphWwwAuthenticate = 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

  beforeAll(async () => {
    idp = await startTestIdp();
    idp.clients.set(CLIENT_ID, { secret: CLIENT_SECRET });
    // Each call takes the next scripted answer; once they are used up, Graph answers with the pool.
    graph = await startScriptedGraph(() => script.shift() ?? { status: 200, body: pool });
  }, 30_000);
  beforeEach(() => {
    client = new GraphClient(graph.url, credentialFor(idp), { scope: SCOPE, retry: { baseDelayMs: 1, maxDelayMs: 1 } });
    graph.calls.length = 0;
    idp.tokenRequests.length = 0;
  });
  afterEach(() => client.close());
  afterAll(async () => {
    await graph?.close();
    await idp?.close();
  });

  it('a plain 401 is surfaced, and the next call carries a new token from Entra ID, not MSAL’s cached one', async () => {
    script = [{ status: 401, headers: { 'www-authenticate': graphWwwAuthenticate }, body: { error: { code: 'InvalidAuthenticationToken', message: 'Access token validation failure.' } } }];
    const error = await rejection(client.getPool(POOL));
    expect(isGraphError(error) && { kind: error.kind, status: error.status }).toEqual({ kind: 'http', status: 401 });
    expect(idp.tokenRequests).toHaveLength(1);

    expect(await client.getPool(POOL)).toMatchObject({ id: POOL });
    expect(idp.tokenRequests).toHaveLength(2);
    const [first, second] = idp.tokenRequests.map((r) => idp.graphTokenFor(r));
    expect(graph.calls.map((c) => c.authorization)).toEqual([`Bearer ${first}`, `Bearer ${second}`]);
    expect(second).not.toBe(first);
  });

  it('a claims challenge: the IdP is asked with those claims, and the call is sent once more and succeeds', async () => {
    expect(await client.getPool(POOL)).toMatchObject({ id: POOL }); // a token in the cache first
    script = [{ status: 401, headers: { 'www-authenticate': `${graphWwwAuthenticate}, error="insufficient_claims", claims="${Buffer.from(claims).toString('base64')}"` } }];
    expect(await client.getPool(POOL)).toMatchObject({ id: POOL });
    expect(idp.tokenRequests).toHaveLength(2);
    const challenged = idp.tokenRequests[1];
    // MSAL merges the challenge into the claims it sends (with CAE's xms_cc capability).
    expect(JSON.parse(challenged.claims ?? '{}')).toMatchObject({ access_token: { nbf: { essential: true, value: '1726258122' } } });
    expect(graph.calls).toHaveLength(3);
    expect(graph.calls[2].authorization).toBe(`Bearer ${idp.graphTokenFor(challenged)}`);
    expect(graph.calls[2].authorization).not.toBe(graph.calls[1].authorization);
  });
});
