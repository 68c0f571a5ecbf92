/**
 * `_entities` answers per representation: `_entities[i]` is the entity of representation `i`, or null with that
 * item's error. An unknown `__typename` is a clear error naming the type (not one opaque INTERNAL_SERVER_ERROR that
 * blanks the list), and a pool Graph answers with under another id is never served under the asked one.
 */
import { expect } from '@jest/globals';
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { useStack, type GraphQLReply } from '../support/stack';

const [P1, P2, P3] = SAMPLE_POOLS.map((p) => p.id);
const R = '/deviceManagement/embeddedSIMActivationCodePools';
const ENTITIES = /* GraphQL */ `
  query ($r: [_Any!]!) { _entities(representations: $r) { ... on EmbeddedSIMActivationCodePool { id displayName } } }
`;
const WITH_ASSIGNMENTS = /* GraphQL */ `
  query ($r: [_Any!]!) { _entities(representations: $r) { ... on EmbeddedSIMActivationCodePool { id assignments { id } } } }
`;
const pool = (id: string) => ({ __typename: 'EmbeddedSIMActivationCodePool', id });
const entities = (reply: GraphQLReply) => reply.body.data?._entities as Array<{ id: string } | null>;

const fixture = useStack();

describe('_entities with a __typename this subgraph does not have', () => {
  it("is that representation's BAD_USER_INPUT naming the type; the others resolve, in one $batch", async () => {
    const reply = await fixture.stack.graphql(ENTITIES, { r: [{ __typename: 'Nope', id: P1 }, pool(P2), { id: P3 }, pool(P3)] });
    expect(reply.status).toBe(200);
    expect(entities(reply)).toEqual([null, { id: P2, displayName: SAMPLE_POOLS[1].displayName }, null, { id: P3, displayName: SAMPLE_POOLS[2].displayName }]);
    const errors = reply.body.errors ?? [];
    expect(errors.map((e) => [e.path, e.extensions?.code, e.extensions?.field])).toEqual([
      [['_entities', 0], 'BAD_USER_INPUT', 'representations[0].__typename'],
      [['_entities', 2], 'BAD_USER_INPUT', 'representations[2].__typename'],
    ]);
    expect(errors[0].message).toContain('"Nope"');
    expect(errors[0].message).toContain('EmbeddedSIMActivationCodePool');
    expect(errors[1].message).toContain('no __typename');
    const [batch, ...others] = fixture.stack.emulator.requests;
    expect(others).toHaveLength(0);
    expect(batch.batchItems?.map((i) => i.path.split('/').pop())).toEqual([P2, P3]);
  });
});

describe('_entities[i] is the entity of representation i', () => {
  it.each([
    ['a pool read', ENTITIES],
    ['a pool read with $expand=assignments', WITH_ASSIGNMENTS],
  ])("%s answered with another pool's id is that item's UPSTREAM_ERROR", async (_name, query) => {
    fixture.stack.emulator.setQuirks({ replies: [{ path: `${R}/${P1}`, set: { '/id': P2 } }] });
    const reply = await fixture.stack.graphql(query, { r: [pool(P1), pool(P2), pool(P3)] });
    expect(entities(reply).map((e) => e?.id ?? null)).toEqual([null, P2, P3]);
    expect(reply.body.errors).toEqual([expect.objectContaining({ path: ['_entities', 0], extensions: expect.objectContaining({ code: 'UPSTREAM_ERROR' }) })]);
    expect(reply.body.errors?.[0].message).toContain('the pool asked for');
  });
});
