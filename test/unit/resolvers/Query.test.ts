/** Query.embeddedSIMActivationCodePool and Query.embeddedSIMActivationCodePools over an in-memory Graph API. */
import { FakeGraph, wire } from '../../support/fake-graph';
import { codesOf, useOperations } from '../../support/operations';

const P1 = '6f2c1b9e-4a3d-4c8e-9b1a-2f5e7d8c9a01';
const P2 = '0b7e4c2d-1f3a-4b6c-8d9e-3a4b5c6d7e02';
const P3 = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c03';

const ops = useOperations(() =>
  new FakeGraph().addPool(wire.pool(P1, 'Field devices')).addPool(wire.pool(P2)).addPool(wire.pool(P3)),
);

describe('embeddedSIMActivationCodePool(id)', () => {
  it('reads the pool through the batching loader and maps every field', async () => {
    const result = await ops.run(`query ($id: ID!) {
      embeddedSIMActivationCodePool(id: $id) { id displayName activationCodeCount createdDateTime modifiedDateTime }
    }`, { id: P1 });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      embeddedSIMActivationCodePool: {
        id: P1,
        displayName: 'Field devices',
        activationCodeCount: 100,
        createdDateTime: '2026-01-05T08:00:00Z',
        modifiedDateTime: '2026-01-06T09:30:00Z',
      },
    });
    expect(ops.graph.calls.map((c) => [c.method, c.args])).toEqual([['getPools', [[P1]]]]);
  });

  it('is null when Graph has no such pool', async () => {
    const result = await ops.run('{ embeddedSIMActivationCodePool(id: "00000000-0000-4000-8000-000000000000") { id } }');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ embeddedSIMActivationCodePool: null });
  });

  it('refuses an id that is not a GUID before any Graph call', async () => {
    const result = await ops.run('{ embeddedSIMActivationCodePool(id: "../../users") { id } }');
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.extensions?.field).toBe('id');
    expect(ops.graph.calls).toEqual([]);
  });

  it('passes the request id to Graph with every call', async () => {
    await ops.run(`{ embeddedSIMActivationCodePool(id: "${P1}") { id } }`);
    expect(ops.graph.calls[0].options?.requestId).toMatch(/^test-\d+$/);
  });
});

describe('embeddedSIMActivationCodePools', () => {
  const PAGE = `query ($first: Int, $after: String) {
    embeddedSIMActivationCodePools(first: $first, after: $after) {
      edges { cursor node { id } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }`;
  type Connection = { edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  const connection = (data: Record<string, unknown> | null | undefined) => data?.embeddedSIMActivationCodePools as Connection;

  it('pages with opaque cursors until Graph has no next page', async () => {
    const first = await ops.run(PAGE, { first: 2 });
    expect(first.errors).toBeUndefined();
    const page1 = connection(first.data);
    expect(page1.edges.map((e) => e.node.id)).toEqual([P1, P2]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    expect(ops.graph.callsOf('listPools').map((c) => c.args[0])).toEqual([{ top: 2, next: undefined, count: false }]);

    const second = await ops.run(PAGE, { first: 2, after: page1.pageInfo.endCursor });
    const page2 = connection(second.data);
    expect(page2.edges.map((e) => e.node.id)).toEqual([P3]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    // The cursor carried Graph's page position, not an offset into the first page.
    expect(ops.graph.callsOf('listPools').map((c) => c.args[0])[1]).toEqual({ top: 2, next: { $skip: '2' }, count: false });
  });

  it('asks Graph for the default page size when first is not given', async () => {
    const result = await ops.run(PAGE);
    expect(connection(result.data).edges).toHaveLength(3);
    expect(ops.graph.callsOf('listPools').map((c) => c.args[0])).toEqual([{ top: 20, next: undefined, count: false }]);
  });

  it.each([0, 101, -1])('refuses first: %d', async (first) => {
    const result = await ops.run(PAGE, { first });
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.extensions?.field).toBe('first');
    expect(ops.graph.calls).toEqual([]);
  });

  it("refuses a cursor that is not this collection's", async () => {
    const forged = Buffer.from(JSON.stringify({ c: 'deviceStates:x', t: {}, o: 0 })).toString('base64url');
    const result = await ops.run(PAGE, { after: forged });
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
    expect(ops.graph.calls).toEqual([]);
  });
});
