/**
 * GRAPH_AUTH_MODE=app for real: the built subgraph as its own process, the real @azure/identity
 * ClientSecretCredential against a local HTTPS token endpoint (trusted through NODE_EXTRA_CA_CERTS), and the
 * Graph emulator checking which token it received. Callers present app tokens from the same IdP, verified by
 * jose against its JWKS (issuer, audience and keys URL all defaulted from AZURE_TENANT_ID/AZURE_AUTHORITY_HOST).
 */
import { expect } from '@jest/globals';
import { SAMPLE_POOLS, startGraphEmulator, type GraphEmulator } from '@esim-pools/graph-emulator';
import { APP_REGISTRATION, appModeEnv, registerApp } from '../support/app-mode';
import { appToken, bearer, userToken } from '../support/auth';
import { createTestCertificates } from '../support/certs';
import { startTestIdp, type TestIdp } from '../support/idp';
import { spawnService, type ServiceProcess } from '../support/process';
import { postGraphQL } from '../support/stack';
import { ASSIGN_SAMPLE_GROUP as ASSIGN } from '../support/documents';

const { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } = APP_REGISTRATION;

let idp: TestIdp;
let emulator: GraphEmulator;
let service: ServiceProcess;
/** A client application's token for the subgraph, with the assign role. */
let callerToken: string;

beforeAll(async () => {
  // One test CA for the token endpoint and for "Graph": both are HTTPS, trusted through NODE_EXTRA_CA_CERTS only.
  const certs = await createTestCertificates();
  idp = await startTestIdp({ certs });
  registerApp(idp);
  emulator = await startGraphEmulator({ tls: { cert: certs.certPem, key: certs.keyPem } });
  expect(emulator.url).toMatch(/^https:\/\//);
  service = await spawnService(appModeEnv(idp, emulator.url));
  callerToken = await appToken(idp, ['EsimPools.Assign']);
}, 30_000);

afterAll(async () => {
  await service?.stop();
  await emulator?.close();
  await idp?.close();
});

it('50 mutations cost one token request, and Graph receives that token', async () => {
  for (let i = 0; i < 50; i++) {
    const reply = await postGraphQL(service.url, ASSIGN, { poolId: SAMPLE_POOLS[0].id }, bearer(callerToken));
    expect(reply.body.errors).toBeUndefined();
  }
  expect(idp.tokenRequests).toHaveLength(1);
  const [tokenRequest] = idp.tokenRequests;
  expect(tokenRequest).toMatchObject({
    grantType: 'client_credentials',
    clientId: CLIENT_ID,
    scope: expect.stringContaining('https://graph.microsoft.com/.default'),
    clientAuth: 'secret',
    clientSecretOk: true,
  });
  const issued = idp.graphTokenFor(tokenRequest);
  expect(issued).toBeDefined();
  const assigns = emulator.requests.filter((r) => r.path.endsWith('/assign'));
  expect(assigns).toHaveLength(50);
  for (const call of assigns) expect(call.bearerToken).toBe(issued);
});

it('without a token, or without the permission, nothing reaches Graph', async () => {
  const graphCalls = emulator.requests.length;
  const tokenRequests = idp.tokenRequests.length;
  const anonymous = await postGraphQL(service.url, ASSIGN, { poolId: SAMPLE_POOLS[0].id });
  expect(anonymous.status).toBe(401);
  expect(anonymous.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  const reader = await postGraphQL(service.url, ASSIGN, { poolId: SAMPLE_POOLS[0].id }, bearer(await appToken(idp, ['EsimPools.Read'])));
  expect(reader.status).toBe(403);
  expect(reader.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const user = await postGraphQL(service.url, ASSIGN, { poolId: SAMPLE_POOLS[0].id }, bearer(await userToken(idp, 'a11ce000-0000-4000-8000-00000000a11c', 'User.Read')));
  expect(user.status).toBe(403);
  expect(emulator.requests.length).toBe(graphCalls);
  expect(idp.tokenRequests.length).toBe(tokenRequests);
});

it('never logs the client secret or a token', () => {
  const issued = idp.graphTokenFor(idp.tokenRequests[0]);
  expect(service.output()).not.toContain(CLIENT_SECRET);
  expect(issued && service.output().includes(issued)).toBe(false);
  expect(service.output()).not.toContain(callerToken);
});

it('the token endpoint down: UPSTREAM_UNAVAILABLE, readiness 503, and no secret in the reply or the logs', async () => {
  const fresh = await spawnService(appModeEnv(idp, emulator.url));
  idp.setDown(true);
  try {
    const graphCalls = emulator.requests.length;
    const reply = await postGraphQL(fresh.url, ASSIGN, { poolId: SAMPLE_POOLS[0].id }, bearer(callerToken));
    expect(reply.body.errors?.[0].extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(emulator.requests.length).toBe(graphCalls);
    const ready = await fetch(fresh.url.replace(/\/graphql$/, '/readyz'));
    expect(ready.status).toBe(503);
    expect(JSON.stringify(reply.body)).not.toContain(CLIENT_SECRET);
    expect(fresh.output()).not.toContain(CLIENT_SECRET);
  } finally {
    idp.setDown(false);
    await fresh.stop();
  }
}, 60_000);

it('readiness recovers without traffic: the token endpoint black-holed → /readyz 503; back → /readyz 200, only /readyz polled', async () => {
  const fresh = await spawnService({ ...appModeEnv(idp, emulator.url), GRAPH_TIMEOUT_MS: '3000', GRAPH_TOKEN_TIMEOUT_MS: '1000' });
  const readyz = fresh.url.replace(/\/graphql$/, '/readyz');
  idp.setTokenEndpoint('hang');
  try {
    const reply = await postGraphQL(fresh.url, ASSIGN, { poolId: SAMPLE_POOLS[0].id }, bearer(callerToken));
    // Within the call's deadline, with a code that says why (not a hang, not a Graph timeout).
    expect(reply.body.errors?.[0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'identity_provider_timeout' });
    expect((await fetch(readyz)).status).toBe(503);
    const graphCalls = emulator.requests.length;
    const attempts = idp.tokenRequests.length;
    // No traffic from here on: only /readyz. The replica keeps trying in the background (with backoff)…
    for (let waited = 0; idp.tokenRequests.length < attempts + 2; waited += 100) {
      if (waited > 20_000) throw new Error('no background token requests');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await fetch(readyz)).status).toBe(503);
    idp.recover();
    // …and becomes ready by itself once the token endpoint answers again.
    let status = 503;
    for (let waited = 0; status !== 200; waited += 200) {
      if (waited > 40_000) throw new Error('readiness did not recover');
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await fetch(readyz)).status;
    }
    expect(emulator.requests.length).toBe(graphCalls);
    // The log line travels by the child's stdout, the 200 by HTTP: either may reach this process first.
    const recovered = () => fresh.logs().some((l) => l.msg === 'token for Microsoft Graph acquired again');
    for (let waited = 0; !recovered() && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fresh.logs().map((l) => l.msg)).toContain('token for Microsoft Graph acquired again');
    expect(fresh.output()).not.toContain(CLIENT_SECRET);
  } finally {
    idp.recover();
    await fresh.stop();
  }
}, 90_000);
