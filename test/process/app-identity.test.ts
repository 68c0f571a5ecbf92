/**
 * GRAPH_AUTH_MODE=app for real: the built subgraph as its own process, the real @azure/identity
 * ClientSecretCredential against a local HTTPS token endpoint (trusted through NODE_EXTRA_CA_CERTS), and the
 * Graph emulator checking which token it received.
 */
import { SAMPLE_GROUP_IDS, SAMPLE_POOLS, startGraphEmulator, type GraphEmulator } from '../../src/emulator';
import { startTestIdp, type TestIdp } from '../support/idp';
import { spawnService, type ServiceProcess } from '../support/process';
import { postGraphQL } from '../support/stack';

const CLIENT_ID = '3f6c2a1e-8b7d-4c5e-9f0a-1b2c3d4e5f60';
const CLIENT_SECRET = 'test-secret-Zx9~never-log-me';
const ASSIGN = `mutation ($poolId: ID!) {
  assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: [{ target: { kind: GROUP, groupId: "${SAMPLE_GROUP_IDS[0]}" } }]) {
    assignments { id }
  }
}`;

let idp: TestIdp;
let emulator: GraphEmulator;
let service: ServiceProcess;

beforeAll(async () => {
  idp = await startTestIdp();
  idp.clients.set(CLIENT_ID, { secret: CLIENT_SECRET, roles: ['DeviceManagementConfiguration.ReadWrite.All'] });
  emulator = await startGraphEmulator();
  service = await spawnService({
    GRAPH_AUTH_MODE: 'app',
    GRAPH_BASE_URL: emulator.url,
    AZURE_TENANT_ID: idp.tenantId,
    AZURE_CLIENT_ID: CLIENT_ID,
    AZURE_CLIENT_SECRET: CLIENT_SECRET,
    AZURE_AUTHORITY_HOST: idp.url,
    AZURE_DISABLE_INSTANCE_DISCOVERY: 'true',
    NODE_EXTRA_CA_CERTS: idp.caFile,
  });
}, 30_000);

afterAll(async () => {
  await service?.stop();
  await emulator?.close();
  await idp?.close();
});

it('50 mutations cost one token request, and Graph receives that token', async () => {
  for (let i = 0; i < 50; i++) {
    const reply = await postGraphQL(service.url, ASSIGN, { poolId: SAMPLE_POOLS[0].id });
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

it('never logs the client secret or the token', () => {
  const issued = idp.graphTokenFor(idp.tokenRequests[0]);
  expect(service.output()).not.toContain(CLIENT_SECRET);
  expect(issued && service.output().includes(issued)).toBe(false);
});
