/**
 * GRAPH_AUTH_MODE=obo in process: the real OnBehalfOfCredential against the local HTTPS IdP's jwt-bearer grant,
 * the Graph emulator recording which token each call carried. Failure classification, the per-user client cache
 * and what reaches the logs. (The built process is exercised in test/process/obo-identity.test.ts.)
 */
import { expect } from '@jest/globals';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeJwt } from 'jose';
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { NoUserCredential } from '../../src/identity/obo';
import { createClientCertificate } from '../support/certs';
import { JWT_BEARER, startTestIdp, type TestIdp } from '../support/idp';
import { API_CLIENT_ID, API_CLIENT_SECRET, appToken, bearer, gateFor, memoryLogger, userToken } from '../support/auth';
import { startStack, type Stack } from '../support/stack';
import { ASSIGN_SAMPLE_GROUP as ASSIGN } from '../support/documents';

const POOL = SAMPLE_POOLS[0].id;
const READ = `query ($id: ID!) { embeddedSIMActivationCodePool(id: $id) { id displayName } }`;

let idp: TestIdp;
let stack: Stack;
let log: ReturnType<typeof memoryLogger>;
let userCount = 0;

/** A new user (new assertion → new cache entry) with the given scopes. */
async function newUser(scp = 'EsimPools.Assign'): Promise<{ oid: string; token: string }> {
  userCount++;
  const oid = `0b0e0000-0000-4000-8000-${String(userCount).padStart(12, '0')}`;
  return { oid, token: await userToken(idp, oid, scp) };
}

const oboRequests = () => idp.tokenRequests.filter((r) => r.grantType === JWT_BEARER);

beforeAll(async () => {
  idp = await startTestIdp();
  idp.clients.set(API_CLIENT_ID, { secret: API_CLIENT_SECRET, delegatedScopes: ['DeviceManagementConfiguration.ReadWrite.All'] });
  log = memoryLogger();
  stack = await startStack({
    credential: new NoUserCredential(),
    auth: (graph) => gateFor(idp, graph, { mode: 'obo', logger: log.logger }),
    logger: log.logger,
  });
}, 30_000);

afterAll(async () => {
  await stack?.stop();
  await idp?.close();
});

afterEach(() => {
  idp.setOboFailure(undefined);
  idp.setDown(false);
  stack.emulator.reset();
});

it('calls Graph with a token issued on behalf of the caller (jwt-bearer with the caller’s token as assertion)', async () => {
  const alice = await newUser();
  const before = oboRequests().length;
  const reply = await stack.graphql(ASSIGN, { poolId: POOL }, bearer(alice.token));
  expect(reply.body.errors).toBeUndefined();
  const requests = oboRequests().slice(before);
  expect(requests).toHaveLength(1);
  expect(requests[0]).toMatchObject({
    clientId: API_CLIENT_ID,
    clientAuth: 'secret',
    clientSecretOk: true,
    requestedTokenUse: 'on_behalf_of',
    assertion: alice.token,
    scope: expect.stringContaining('https://graph.microsoft.com/.default'),
    status: 200,
  });
  const graphToken = idp.graphTokenFor(requests[0]);
  const [call] = stack.emulator.requests.filter((r) => r.path.endsWith('/assign'));
  expect(call.bearerToken).toBe(graphToken);
  expect(decodeJwt(call.bearerToken ?? '')).toMatchObject({ oid: alice.oid, idtyp: 'user', appid: API_CLIENT_ID, scp: 'DeviceManagementConfiguration.ReadWrite.All' });
});

it('an application token cannot be used in obo mode → 403 FORBIDDEN, no token request, Graph not called', async () => {
  const before = idp.tokenRequests.length;
  const token = await appToken(idp, ['EsimPools.Assign']);
  const reply = await stack.graphql(READ, { id: POOL }, bearer(token));
  expect(reply.status).toBe(403);
  expect(reply.body.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringContaining('user') });
  expect(idp.tokenRequests.length).toBe(before);
  expect(stack.emulator.requests).toHaveLength(0);
});

it.each([
  ['consent_required', 'FORBIDDEN', 'consent_required', 'AADSTS65001'],
  ['invalid_grant', 'UNAUTHENTICATED', 'invalid_grant', 'AADSTS50173'],
  ['interaction_required', 'UNAUTHENTICATED', 'interaction_required', 'AADSTS50079'],
] as const)('OBO %s → %s (reason %s) with a safe message; Graph not called', async (mode, code, reason, aadsts) => {
  idp.setOboFailure(mode);
  const user = await newUser();
  const reply = await stack.graphql(ASSIGN, { poolId: POOL }, bearer(user.token));
  expect(reply.body.data).toBeNull();
  expect(reply.body.errors).toHaveLength(1);
  const [error] = reply.body.errors ?? [];
  expect(error.extensions).toMatchObject({ code, reason });
  const body = JSON.stringify(reply.body);
  // Entra's text (AADSTS codes, trace ids, the client id) and the secrets never reach the caller.
  for (const leak of ['AADSTS', API_CLIENT_ID, API_CLIENT_SECRET, user.token, 'Trace ID']) expect(body).not.toContain(leak);
  expect(stack.emulator.requests).toHaveLength(0);
  // Operators get the AADSTS code in the log, with the user's oid, and no secret.
  const line = log.lines().find((l) => l.msg === 'on-behalf-of token request failed' && l.oid === user.oid);
  expect(line).toMatchObject({ reason, aadsts });
  expect(log.text()).not.toContain(API_CLIENT_SECRET);
  expect(log.text()).not.toContain(user.token);
});

it('the app’s own credentials refused (secret rotated in Entra only) → UPSTREAM_UNAVAILABLE, reason configuration, secret nowhere', async () => {
  idp.clients.set(API_CLIENT_ID, { secret: 'rotated-in-entra~new.value', delegatedScopes: ['DeviceManagementConfiguration.ReadWrite.All'] });
  try {
    const user = await newUser();
    const reply = await stack.graphql(READ, { id: POOL }, bearer(user.token));
    expect(reply.body.errors?.[0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', reason: 'configuration' });
    expect(oboRequests()[oboRequests().length - 1]).toMatchObject({ clientSecretOk: false, status: 401 });
    expect(JSON.stringify(reply.body)).not.toContain(API_CLIENT_SECRET);
    expect(log.text()).not.toContain(API_CLIENT_SECRET);
    expect(log.lines().find((l) => l.msg === 'on-behalf-of token request failed' && l.oid === user.oid)).toMatchObject({
      level: 'error',
      reason: 'configuration',
      aadsts: 'AADSTS7000215',
    });
    expect(stack.emulator.requests).toHaveLength(0);
  } finally {
    idp.clients.set(API_CLIENT_ID, { secret: API_CLIENT_SECRET, delegatedScopes: ['DeviceManagementConfiguration.ReadWrite.All'] });
  }
});

it('a user’s failed token request is retried on their next request (failures are not cached)', async () => {
  const user = await newUser();
  idp.setOboFailure('interaction_required');
  expect((await stack.graphql(READ, { id: POOL }, bearer(user.token))).body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  idp.setOboFailure(undefined);
  const reply = await stack.graphql(READ, { id: POOL }, bearer(user.token));
  expect(reply.body.errors).toBeUndefined();
  expect(reply.body.data).toEqual({ embeddedSIMActivationCodePool: { id: POOL, displayName: SAMPLE_POOLS[0].displayName } });
});

it('the per-user client cache is bounded: past OBO_CACHE_SIZE the least recently used user is evicted', async () => {
  const small = await startStack({
    credential: new NoUserCredential(),
    auth: (graph) => gateFor(idp, graph, { mode: 'obo', auth: { oboCacheSize: 2 } }),
  });
  try {
    const [a, b, c] = [await newUser(), await newUser(), await newUser()];
    const before = oboRequests().length;
    const call = async (user: { token: string }) => expect((await small.graphql(READ, { id: POOL }, bearer(user.token))).body.errors).toBeUndefined();
    await call(a);
    await call(b);
    await call(a); // cached
    expect(oboRequests().length - before).toBe(2);
    await call(c); // evicts b (least recently used)
    await call(a); // still cached
    expect(oboRequests().length - before).toBe(3);
    await call(b); // evicted: a new token request
    expect(oboRequests().length - before).toBe(4);
  } finally {
    await small.stop();
  }
});

it('authenticates with a client certificate instead of a secret', async () => {
  const CERT_CLIENT = '0e5a1b2c-3d4e-4f50-8a6b-00000000ce27';
  const cert = await createClientCertificate({ commonName: 'esim-obo-cert' });
  idp.clients.set(CERT_CLIENT, { certPem: cert.certPem, delegatedScopes: ['DeviceManagementConfiguration.ReadWrite.All'], appIdUri: idp.apiAudience });
  const withCert = await startStack({
    credential: new NoUserCredential(),
    auth: (graph) => gateFor(idp, graph, { mode: 'obo', azure: { clientId: CERT_CLIENT, clientSecret: undefined, clientCertificatePath: cert.pemFile } }),
  });
  try {
    const user = await newUser();
    const before = oboRequests().length;
    const reply = await withCert.graphql(READ, { id: POOL }, bearer(user.token));
    expect(reply.body.errors).toBeUndefined();
    expect(oboRequests().slice(before)).toEqual([expect.objectContaining({ clientId: CERT_CLIENT, clientAuth: 'assertion', clientSecretOk: true, status: 200 })]);
  } finally {
    await withCert.stop();
    rmSync(dirname(cert.pemFile), { recursive: true, force: true });
  }
});

it('an unreadable certificate fails at start-up, naming the variable', () => {
  expect(() =>
    gateFor(idp, stack.graph, { mode: 'obo', azure: { clientSecret: undefined, clientCertificatePath: '/nonexistent/obo.pem' } }),
  ).toThrow(/AZURE_CLIENT_CERTIFICATE_PATH/);
});
