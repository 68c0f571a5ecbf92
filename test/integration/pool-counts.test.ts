/**
 * `totalCount` on both connections: Graph's `@odata.count`, asked for (`$count=true`) only when the operation
 * selects it (through fragments too), `null` when Graph gives none, UPSTREAM_ERROR when it gives nonsense.
 */
import { SAMPLE_POOLS, type RecordedRequest } from '@esim-pools/graph-emulator';
import { useStack } from '../support/stack';

const R = '/beta/deviceManagement/embeddedSIMActivationCodePools';
const [P1, P2] = SAMPLE_POOLS.map((p) => p.id);

const fixture = useStack();

/** The pool-list requests Graph got, and every device-state page (single or inside a $batch). */
const listRequests = (): RecordedRequest[] => fixture.stack.emulator.requests.filter((r) => r.method === 'GET' && r.path === R);
const deviceStateRequests = (): RecordedRequest[] =>
  fixture.stack.emulator.requests.flatMap((r) => r.batchItems ?? [r]).filter((r) => r.path.endsWith('/deviceStates'));

describe('pools', () => {
  it('selected: $count=true is sent and totalCount is the whole collection, on every page', async () => {
    const first = await fixture.stack.graphql('{ embeddedSIMActivationCodePools(first: 1) { totalCount edges { node { id } } pageInfo { endCursor } } }');
    expect(first.body.errors).toBeUndefined();
    const page = first.body.data?.embeddedSIMActivationCodePools as { totalCount: number; edges: unknown[]; pageInfo: { endCursor: string } };
    expect(page).toMatchObject({ totalCount: 3, edges: [expect.anything()] });
    const next = await fixture.stack.graphql(
      'query ($after: String) { embeddedSIMActivationCodePools(first: 1, after: $after) { ...Counted } } fragment Counted on EmbeddedSIMActivationCodePoolConnection { totalCount }',
      { after: page.pageInfo.endCursor },
    );
    expect(next.body.data).toEqual({ embeddedSIMActivationCodePools: { totalCount: 3 } });
    expect(listRequests().map((r) => r.query.$count)).toEqual(['true', 'true']);
  });

  it('not selected: no $count in the request', async () => {
    const reply = await fixture.stack.graphql('{ embeddedSIMActivationCodePools(first: 2) { edges { node { id } } } }');
    expect(reply.body.errors).toBeUndefined();
    const [request] = listRequests();
    expect(request.query).toEqual({ $top: '2' });
    expect(request.rawPath).not.toContain('count');
  });

  it('null when Graph gives no @odata.count; UPSTREAM_ERROR when it is not a whole number', async () => {
    fixture.stack.emulator.setQuirks({ replies: [{ path: '/deviceManagement/embeddedSIMActivationCodePools', remove: ['/@odata.count'] }] });
    const none = await fixture.stack.graphql('{ embeddedSIMActivationCodePools { totalCount edges { node { id } } } }');
    expect(none.body.errors).toBeUndefined();
    expect(none.body.data).toMatchObject({ embeddedSIMActivationCodePools: { totalCount: null } });
    fixture.stack.emulator.setQuirks({ replies: [{ path: '/deviceManagement/embeddedSIMActivationCodePools', set: { '/@odata.count': '3' } }] });
    const bad = await fixture.stack.graphql('{ embeddedSIMActivationCodePools { totalCount } }');
    expect(bad.body.errors?.[0].extensions?.code).toBe('UPSTREAM_ERROR');
  });
});

describe('device states', () => {
  it("one pool's: $count=true only when totalCount is selected", async () => {
    const counted = await fixture.stack.graphql(`{ embeddedSIMActivationCodePool(id: "${P1}") { deviceStates(first: 5) { totalCount edges { node { id } } } } }`);
    expect(counted.body.data).toMatchObject({ embeddedSIMActivationCodePool: { deviceStates: { totalCount: 25 } } });
    const plain = await fixture.stack.graphql(`{ embeddedSIMActivationCodePool(id: "${P1}") { deviceStates(first: 5) { edges { node { id } } } } }`);
    expect(plain.body.errors).toBeUndefined();
    expect(deviceStateRequests().map((r) => r.query.$count)).toEqual(['true', undefined]);
  });

  it('every listed pool\'s, batched: each $batch item asks for its own count; null for a pool Graph gives none', async () => {
    const reply = await fixture.stack.graphql('{ embeddedSIMActivationCodePools { edges { node { id deviceStates(first: 1) { totalCount } } } } }');
    expect(reply.body.errors).toBeUndefined();
    const edges = (reply.body.data?.embeddedSIMActivationCodePools as { edges: Array<{ node: { id: string; deviceStates: { totalCount: number | null } } }> }).edges;
    const counts = new Map(edges.map((e) => [e.node.id, e.node.deviceStates.totalCount]));
    expect(counts.get(P1)).toBe(25);
    expect(counts.get(P2)).toEqual(expect.any(Number));
    const items = deviceStateRequests();
    expect(items).toHaveLength(3);
    for (const item of items) expect(item.query.$count).toBe('true');
    fixture.stack.emulator.clearRequests();
    fixture.stack.emulator.setQuirks({ replies: [{ path: `/deviceManagement/embeddedSIMActivationCodePools/${P2}/deviceStates`, remove: ['/@odata.count'] }] });
    const partial = await fixture.stack.graphql(`{ embeddedSIMActivationCodePool(id: "${P2}") { deviceStates { totalCount } } }`);
    expect(partial.body.data).toEqual({ embeddedSIMActivationCodePool: { deviceStates: { totalCount: null } } });
  });
});
