/**
 * Hive Gateway's response cache over this subgraph, for real: `scripts/gateway.mjs` (what `npm run gateway` runs)
 * in a child process, the subgraph and the Graph emulator in process. A cached reply costs no Graph call; a
 * mutation through the gateway drops the replies holding the pool it returns; in on-behalf-of mode (every hint
 * PRIVATE, the cache keyed by the caller's token) two users never get each other's cached replies.
 */
import { decodeJwt } from 'jose';
import { SAMPLE_GROUP_IDS, SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import type { RecordedRequest } from '@esim-pools/graph-emulator';
import { NoUserCredential } from '../../src/identity/obo';
import { API_CLIENT_ID, API_CLIENT_SECRET, bearer, gateFor, userToken } from '../support/auth';
import { startTestIdp, type TestIdp } from '../support/idp';
import { describeWithPart } from '../support/real-parts';
import { startStack, type Stack } from '../support/stack';
import { startGatewayProcess, type GatewayProcess } from './gateway-process';

function gatewayLoads(): boolean {
  try {
    require.resolve('@graphql-hive/gateway-runtime');
    require.resolve('@graphql-mesh/transport-http');
    require.resolve('@graphql-mesh/cache-inmemory-lru');
    return true;
  } catch {
    return false;
  }
}

const POOL = SAMPLE_POOLS[0].id;
const POOLS = `{ embeddedSIMActivationCodePools(first: 10) { edges { node { id displayName assignments { id target { __typename
  ... on GroupAssignmentTarget { groupId group { id displayName } } } } } } } }`;
const ASSIGN = `mutation ($poolId: ID!, $groupId: ID!) {
  assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: [{ target: { kind: GROUP, groupId: $groupId } }]) {
    pool { id } assignments { id }
  }
}`;

/** Graph requests since `since`, a $batch counted as its items (Intune counts each). */
function graphCalls(requests: readonly RecordedRequest[], since: number): number {
  return requests.slice(since).reduce((n, r) => n + (r.batchItems?.length ?? 1), 0);
}

type Pools = { embeddedSIMActivationCodePools: { edges: Array<{ node: { id: string; assignments: Array<{ target: Record<string, unknown> }> } }> } };

const describeGateway = describeWithPart('Hive Gateway', gatewayLoads(), 'npm ci installs @graphql-hive/gateway-runtime, @graphql-mesh/transport-http and @graphql-mesh/cache-inmemory-lru');

describeGateway('Hive Gateway response cache (npm run gateway) over the subgraph', () => {
  let stack: Stack;
  let gateway: GatewayProcess;
  beforeAll(async () => {
    stack = await startStack();
    // No DIRECTORY_URL: the script starts examples/directory-subgraph itself.
    gateway = await startGatewayProcess({ esimPoolsUrl: stack.url, hints: { maxAgeS: 30, privateScope: false } });
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    await stack?.stop();
  });

  it('the example directory resolves group { id displayName } through the gateway', async () => {
    const reply = await gateway.graphql(POOLS);
    expect(reply.body.errors).toBeUndefined();
    const pool = (reply.body.data as Pools).embeddedSIMActivationCodePools.edges.find((e) => e.node.id === POOL);
    expect(pool?.node.assignments.map((a) => a.target)).toContainEqual({
      __typename: 'GroupAssignmentTarget',
      groupId: SAMPLE_GROUP_IDS[0],
      group: { id: SAMPLE_GROUP_IDS[0], displayName: 'Field engineers (5G)' },
    });
  });

  it('the same pools query twice: the second costs no Graph call; a mutation through the gateway: the next read does, and shows the new set', async () => {
    const start = stack.emulator.requests.length;
    const first = await gateway.graphql(POOLS.replace('first: 10', 'first: 9'));
    expect(first.body.errors).toBeUndefined();
    const afterFirst = stack.emulator.requests.length;
    expect(graphCalls(stack.emulator.requests, start)).toBeGreaterThan(0);
    const second = await gateway.graphql(POOLS.replace('first: 10', 'first: 9'));
    expect(second.body).toEqual(first.body);
    expect(stack.emulator.requests.length).toBe(afterFirst);

    const assigned = await gateway.graphql(ASSIGN, { poolId: POOL, groupId: SAMPLE_GROUP_IDS[1] });
    expect(assigned.body.errors).toBeUndefined();
    const afterWrite = stack.emulator.requests.length;
    const third = await gateway.graphql(POOLS.replace('first: 10', 'first: 9'));
    expect(graphCalls(stack.emulator.requests, afterWrite)).toBeGreaterThan(0);
    const pool = (third.body.data as Pools).embeddedSIMActivationCodePools.edges.find((e) => e.node.id === POOL);
    expect(pool?.node.assignments.map((a) => a.target)).toEqual([
      { __typename: 'GroupAssignmentTarget', groupId: SAMPLE_GROUP_IDS[1], group: { id: SAMPLE_GROUP_IDS[1], displayName: 'Executives (excluded)' } },
    ]);
  });
});

describeGateway('Hive Gateway response cache in on-behalf-of mode', () => {
  let idp: TestIdp;
  let stack: Stack;
  let gateway: GatewayProcess;
  beforeAll(async () => {
    idp = await startTestIdp();
    idp.clients.set(API_CLIENT_ID, { secret: API_CLIENT_SECRET, delegatedScopes: ['DeviceManagementConfiguration.ReadWrite.All'] });
    stack = await startStack({
      credential: new NoUserCredential(),
      auth: (graph) => gateFor(idp, graph, { mode: 'obo' }),
      config: { federation: { cacheMaxAgeS: 30, privateScope: true } },
    });
    gateway = await startGatewayProcess({ esimPoolsUrl: stack.url, hints: { maxAgeS: 30, privateScope: true } });
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    await stack?.stop();
    await idp?.close();
  });

  it('the subgraph marks its replies private', async () => {
    const alice = await userToken(idp, '0b0e0000-0000-4000-8000-00000000a11c', 'EsimPools.Read');
    const reply = await stack.graphql(`{ embeddedSIMActivationCodePool(id: "${POOL}") { id } }`, undefined, bearer(alice));
    expect(reply.headers['cache-control']).toBe('max-age=30, private');
  });

  it("two users never get each other's cached replies; each user's own reply is cached", async () => {
    const aliceOid = '0b0e0000-0000-4000-8000-0000000a11ce';
    const bobOid = '0b0e0000-0000-4000-8000-000000000b0b';
    const alice = bearer(await userToken(idp, aliceOid, 'EsimPools.Read'));
    const bob = bearer(await userToken(idp, bobOid, 'EsimPools.Read'));
    const query = `{ embeddedSIMActivationCodePool(id: "${POOL}") { id displayName } }`;
    const callersOf = (since: number) => stack.emulator.requests.slice(since).map((r) => decodeJwt(r.bearerToken ?? '').oid);

    const t0 = stack.emulator.requests.length;
    expect((await gateway.graphql(query, undefined, alice)).body.errors).toBeUndefined();
    expect(callersOf(t0)).toEqual([aliceOid]);

    // Bob asks the very same: Graph is asked again, as Bob.
    const t1 = stack.emulator.requests.length;
    const bobReply = await gateway.graphql(query, undefined, bob);
    expect(bobReply.body.errors).toBeUndefined();
    expect(callersOf(t1)).toEqual([bobOid]);

    // Each one's second ask is their own cached reply.
    const t2 = stack.emulator.requests.length;
    expect((await gateway.graphql(query, undefined, alice)).body.data).toEqual(bobReply.body.data);
    await gateway.graphql(query, undefined, bob);
    expect(stack.emulator.requests.length).toBe(t2);

    // Without a token nothing is served from the users' entries (the subgraph refuses it).
    const anonymous = await gateway.graphql(query);
    expect(anonymous.body.data?.embeddedSIMActivationCodePool ?? null).toBeNull();
    expect(stack.emulator.requests.length).toBe(t2);
  });
});
