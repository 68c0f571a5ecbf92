/**
 * GRAPH_AUTH_MODE=obo for real: the built subgraph as its own process verifies each caller's token (jose, JWKS
 * over HTTPS trusted through NODE_EXTRA_CA_CERTS) and calls the Graph emulator with a token it got on that
 * caller's behalf from the local IdP's jwt-bearer grant (the real OnBehalfOfCredential).
 */
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { SAMPLE_POOLS, startGraphEmulator, type GraphEmulator } from '@esim-pools/graph-emulator';
import { API_CLIENT_ID, API_CLIENT_SECRET, bearer, userToken } from '../support/auth';
import { JWT_BEARER, startTestIdp, type TestIdp } from '../support/idp';
import { spawnService, type ServiceProcess } from '../support/process';
import { postGraphQL } from '../support/stack';
import { ASSIGN_SAMPLE_GROUP as ASSIGN } from '../support/documents';

const POOL = SAMPLE_POOLS[0].id;
const ALICE = 'a11ce000-0000-4000-8000-00000000a11c';
const BOB = 'b0b00000-0000-4000-8000-000000000b0b';
const CAROL = 'ca201000-0000-4000-8000-0000000ca201';
const DAVE = 'da7e0000-0000-4000-8000-0000000da7e0';
const READ = `query ($id: ID!) { embeddedSIMActivationCodePool(id: $id) { id displayName assignments { id } } }`;

let idp: TestIdp;
let emulator: GraphEmulator;
let service: ServiceProcess;
const userTokens: string[] = [];

async function tokenFor(oid: string, scp = 'EsimPools.Assign'): Promise<string> {
  const token = await userToken(idp, oid, scp);
  userTokens.push(token);
  return token;
}

const oboRequests = () => idp.tokenRequests.filter((r) => r.grantType === JWT_BEARER);

beforeAll(async () => {
  idp = await startTestIdp();
  idp.clients.set(API_CLIENT_ID, { secret: API_CLIENT_SECRET, delegatedScopes: ['DeviceManagementConfiguration.ReadWrite.All'] });
  emulator = await startGraphEmulator();
  service = await spawnService({
    GRAPH_AUTH_MODE: 'obo',
    GRAPH_BASE_URL: emulator.url,
    AZURE_TENANT_ID: idp.tenantId,
    AZURE_CLIENT_ID: API_CLIENT_ID,
    AZURE_CLIENT_SECRET: API_CLIENT_SECRET,
    AZURE_AUTHORITY_HOST: idp.url,
    AZURE_DISABLE_INSTANCE_DISCOVERY: 'true',
    NODE_EXTRA_CA_CERTS: idp.caFile,
    AUTH_AUDIENCE: `${idp.apiAudience},${API_CLIENT_ID}`,
  });
}, 30_000);

afterAll(async () => {
  await service?.stop();
  await emulator?.close();
  await idp?.close();
});

afterEach(() => idp.setDown(false));

it('two users get two different Graph tokens, and Graph sees each user’s own', async () => {
  const before = oboRequests().length;
  const calls: Array<{ oid: string; requestId: string }> = [];
  for (const oid of [ALICE, BOB]) {
    const token = await tokenFor(oid);
    for (const query of [READ, ASSIGN]) {
      const requestId = randomUUID();
      const reply = await postGraphQL(service.url, query, { id: POOL, poolId: POOL }, { ...bearer(token), 'x-request-id': requestId });
      expect(reply.body.errors).toBeUndefined();
      calls.push({ oid, requestId });
    }
  }
  const requests = oboRequests().slice(before);
  expect(requests).toHaveLength(2);
  const [aliceGraphToken, bobGraphToken] = requests.map((r) => idp.graphTokenFor(r));
  expect(aliceGraphToken).toBeDefined();
  expect(aliceGraphToken).not.toBe(bobGraphToken);
  expect(decodeJwt(aliceGraphToken ?? '')).toMatchObject({ oid: ALICE, idtyp: 'user' });
  expect(decodeJwt(bobGraphToken ?? '')).toMatchObject({ oid: BOB, idtyp: 'user' });

  // Every Graph request of a GraphQL request carries that caller's own token (matched by client-request-id).
  for (const { oid, requestId } of calls) {
    const graphCalls = emulator.requests.filter((r) => r.headers['client-request-id'] === requestId);
    expect(graphCalls.length).toBeGreaterThan(0);
    for (const call of graphCalls) expect(call.bearerToken).toBe(oid === ALICE ? aliceGraphToken : bobGraphToken);
  }
});

it('100 calls by one user cost one on-behalf-of token request', async () => {
  const token = await tokenFor(CAROL, 'EsimPools.Read');
  const before = oboRequests().length;
  const graphBefore = emulator.requests.length;
  const replies = await Promise.all(Array.from({ length: 100 }, () => postGraphQL(service.url, READ, { id: POOL }, bearer(token))));
  for (const reply of replies) expect(reply.body.errors).toBeUndefined();
  const requests = oboRequests().slice(before);
  expect(requests).toHaveLength(1);
  expect(requests[0]).toMatchObject({ assertion: token, status: 200 });
  const issued = idp.graphTokenFor(requests[0]);
  const graphCalls = emulator.requests.slice(graphBefore);
  expect(graphCalls.length).toBeGreaterThanOrEqual(100);
  for (const call of graphCalls) expect(call.bearerToken).toBe(issued);
});

it('token endpoint down → a clear error, and no secret or token in the body or the logs', async () => {
  idp.setDown(true);
  const token = await tokenFor(DAVE);
  const graphBefore = emulator.requests.length;
  const reply = await postGraphQL(service.url, ASSIGN, { poolId: POOL }, bearer(token));
  expect(reply.status).toBe(200);
  expect(reply.body.data).toBeNull();
  expect(reply.body.errors).toHaveLength(1);
  const [error] = reply.body.errors ?? [];
  expect(error.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'identity_provider_unavailable' });
  expect(error.message).toMatch(/identity provider/);
  const body = JSON.stringify(reply.body);
  for (const secret of [API_CLIENT_SECRET, token, 'Service Unavailable', idp.url]) expect(body).not.toContain(secret);
  expect(emulator.requests.length).toBe(graphBefore);
  expect(oboRequests()[oboRequests().length - 1]).toMatchObject({ status: 503, assertion: token });

  const failure = await service.waitForLog((l) => l.msg === 'on-behalf-of token request failed' && l.oid === DAVE);
  expect(failure).toMatchObject({ level: 'error', reason: 'identity_provider_unavailable' });
}, 60_000);

it('the client secret, the callers’ tokens and the Graph tokens never appear in the logs', () => {
  const output = service.output();
  expect(output).not.toContain(API_CLIENT_SECRET);
  for (const token of userTokens) {
    expect(output).not.toContain(token);
    expect(output).not.toContain(token.split('.')[2]);
  }
  for (const request of idp.tokenRequests) {
    const issued = idp.graphTokenFor(request);
    if (issued) expect(output).not.toContain(issued);
  }
  // The refusals and failures were logged (so the absence above means something).
  expect(service.logs().some((l) => l.msg === 'on-behalf-of token request failed')).toBe(true);
});
