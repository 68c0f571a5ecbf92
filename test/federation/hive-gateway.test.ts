/**
 * End to end through Hive Gateway (test/support/hive-gateway.ts): two replicas of this subgraph behind one gateway
 * (round-robin), the directory subgraph, one Graph emulator with 120 generated pools, ROUTER_SECRET required by
 * both replicas. What a gateway really sends: 100 pool references in one `_entities` fetch, parallel fetches merged
 * into one aliased document, the caller's headers, and the subgraph's error codes on the way back.
 */
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { describeWithPart } from '../support/real-parts';
import { PINNED_POOLS, startHiveFederation, type HiveFederation } from '../support/hive-gateway';

function hiveGatewayLoads(): boolean {
  try {
    require.resolve('@graphql-hive/gateway-runtime');
    // Without its HTTP transport the runtime answers every subgraph field with "Unexpected error".
    require.resolve('@graphql-mesh/transport-http');
    return true;
  } catch {
    return false;
  }
}

const UNKNOWN_POOL = '00000000-0000-4000-8000-000000000404';
const batches = (fed: HiveFederation) => fed.emulator.requests.filter((r) => r.method === 'POST' && r.path === '/beta/$batch');

describeWithPart('Hive Gateway', hiveGatewayLoads(), 'npm ci installs @graphql-hive/gateway-runtime and @graphql-mesh/transport-http')('Hive Gateway → two replicas + directory', () => {
  let fed: HiveFederation;
  beforeAll(async () => {
    fed = await startHiveFederation();
  }, 60_000);
  afterAll(async () => {
    await fed?.stop();
  });
  beforeEach(() => fed.reset());

  it('100 pools through one _entities fetch cost 5 Graph requests ($batch of 20), on each replica in turn', async () => {
    const replicas: number[] = [];
    for (let turn = 0; turn < 2; turn += 1) {
      fed.reset();
      const reply = await fed.graphql('{ pinnedPools(first: 100) { id displayName activationCodeCount } }');
      expect(reply.status).toBe(200);
      expect(reply.body.errors).toBeUndefined();
      const pools = reply.body.data?.pinnedPools as Array<{ id: string; displayName: string }>;
      expect(pools.map((p) => p.id)).toEqual(PINNED_POOLS.slice(0, 100));
      expect(pools.every((p) => p.displayName.startsWith('Generated pool'))).toBe(true);
      // From the emulator's log: nothing but the five batches.
      expect(fed.emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Array(5).fill('POST /beta/$batch'));
      expect(fed.fetches).toHaveLength(1);
      expect((fed.fetches[0].variables.representations as unknown[]).length).toBe(100);
      // One replica served this turn, as its own request log shows.
      const served = fed.replicas.map((r) => r.requests.length);
      expect(served.filter((n) => n > 0)).toHaveLength(1);
      replicas.push(served.findIndex((n) => n > 0));
    }
    expect(replicas.sort()).toEqual([0, 1]);
  });

  it('both replicas answer: consecutive operations alternate between them', async () => {
    for (let i = 0; i < 4; i += 1) {
      const reply = await fed.graphql('{ pinnedPools(first: 3) { id displayName } }');
      expect(reply.body.errors).toBeUndefined();
    }
    expect(fed.fetches.map((f) => f.replica)).toEqual(expect.arrayContaining([0, 1]));
    expect(fed.replicas[0].requests.length).toBe(2);
    expect(fed.replicas[1].requests.length).toBe(2);
  });

  it('accepts the merged document of 16 parallel entity fetches (16 aliased _entities, more than MAX_ALIASES)', async () => {
    const query = `{ ${Array.from({ length: 16 }, (_, i) => `p${i}: pinnedPools(first: ${i + 1}) { id n${i}: displayName }`).join(' ')} }`;
    const reply = await fed.graphql(query);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data?.p15).toHaveLength(16);
    // One request to the subgraph carried all sixteen fetches, each an aliased `_entities` field.
    expect(fed.fetches).toHaveLength(1);
    expect(fed.fetches[0].query.match(/:_entities\(/g)).toHaveLength(16);
    // The loaders de-duplicate: 16 distinct pools, one $batch.
    expect(batches(fed)).toHaveLength(1);
  });

  it('forwards Authorization and x-request-id to the replica (as the replica saw them)', async () => {
    const requestId = '7e57ab1e-0000-4abc-8def-0123456789ab';
    const reply = await fed.graphql('{ pinnedPools(first: 2) { id displayName } }', undefined, {
      authorization: 'Bearer caller-token',
      'x-request-id': requestId,
    });
    expect(reply.body.errors).toBeUndefined();
    const seen = fed.replicas.flatMap((r) => r.requests);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ authorization: 'Bearer caller-token', 'x-request-id': requestId });
    // The gateway added the router secret for esim-pools only; the directory never sees it.
    expect(seen[0]['router-authorization']).toBeDefined();
    expect(fed.directory.requests[0].headers['router-authorization']).toBeUndefined();
    expect(fed.directory.requests[0].headers['x-request-id']).toBe(requestId);
    // Graph gets the request id as client-request-id.
    for (const r of fed.emulator.requests) expect(r.headers['client-request-id']).toBe(requestId);
  });

  it("passes the subgraph's error codes through: BAD_USER_INPUT, NOT_FOUND, TOO_MANY_ENTITIES", async () => {
    const bad = await fed.graphql('{ embeddedSIMActivationCodePool(id: "../../users") { id } }');
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(fed.emulator.requests).toHaveLength(0);

    const missing = await fed.graphql(`mutation { assignEmbeddedSIMActivationCodePool(poolId: "${UNKNOWN_POOL}", assignments: []) { pool { id } } }`);
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    fed.reset();
    // Six parallel fetches of 100 merge into one operation of 600 representations: past MAX_ENTITIES (500).
    const query = `{ ${Array.from({ length: 6 }, (_, i) => `p${i}: pinnedPools(first: 100) { id n${i}: displayName }`).join(' ')} }`;
    const tooMany = await fed.graphql(query);
    const codes = (tooMany.body.errors ?? []).map((e) => e.extensions?.code);
    expect(codes).toContain('TOO_MANY_ENTITIES');
    expect(fed.emulator.requests).toHaveLength(0);
  });

  it('a sample pool by id through the gateway (a root field, no _entities)', async () => {
    const reply = await fed.graphql(`{ embeddedSIMActivationCodePool(id: "${SAMPLE_POOLS[0].id}") { id displayName } }`);
    expect(reply.body.data).toEqual({ embeddedSIMActivationCodePool: { id: SAMPLE_POOLS[0].id, displayName: SAMPLE_POOLS[0].displayName } });
  });
});
