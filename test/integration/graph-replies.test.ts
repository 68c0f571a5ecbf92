/**
 * Graph's replies, read defensively (issue 10): odd data served by the emulator's quirks, over real HTTP, and
 * what the subgraph makes of it. Graph's bad data is UPSTREAM_ERROR (never the caller's BAD_USER_INPUT, never an
 * opaque INTERNAL_SERVER_ERROR), and one odd item never blanks the rest of a reply.
 */
import { expect } from '@jest/globals';
import { SAMPLE_DELETED_GROUP_ID, SAMPLE_FILTER_ID, SAMPLE_GROUP_IDS, SAMPLE_POOLS, type QuirksConfig, type RecordedRequest } from '@esim-pools/graph-emulator';
import { isGraphError } from '../../src/graph/errors';
import type { UnknownValueEvent } from '../../src/graph/models';
import { startStack, type GraphQLReply, type Stack } from '../support/stack';
import { nullTargetIds, POOLS_REL as R } from '@esim-pools/graph-emulator';

const [P1, P2, P3] = SAMPLE_POOLS.map((p) => p.id);
const [G1, G2] = SAMPLE_GROUP_IDS;
const POOLS_PATH = `/beta${R}`;

const TARGET = /* GraphQL */ `
  target {
    __typename odataType filterId filterType
    ... on GroupAssignmentTarget { groupId group { id } }
    ... on ExclusionGroupAssignmentTarget { groupId group { id } }
    ... on ConfigurationManagerCollectionAssignmentTarget { collectionId }
  }
`;
const POOL = /* GraphQL */ `
  query Pool($id: ID!) { embeddedSIMActivationCodePool(id: $id) { id displayName assignments { id ${TARGET} } } }
`;

let stack: Stack;
const unknownValues: UnknownValueEvent[] = [];
beforeAll(async () => {
  stack = await startStack({ client: { onUnknownValue: (event) => unknownValues.push(event) } });
});
afterAll(async () => {
  await stack?.stop();
});
beforeEach(() => {
  stack.emulator.reset();
});

const quirks = (config: QuirksConfig) => stack.emulator.setQuirks(config);
const errorsOf = (reply: GraphQLReply) => reply.body.errors ?? [];
/** Every path the subgraph sent to Graph, $batch items included. */
const sentPaths = (): string[] => stack.emulator.requests.flatMap((r: RecordedRequest) => [r.rawPath, ...(r.batchItems ?? []).map((i) => i.rawPath)]);

describe('nullable where the CSDL is, and enum values this version does not know', () => {
  it('a group target without groupId and a collection target without collectionId: the pool and its other targets stay', async () => {
    quirks(nullTargetIds());
    const p1 = await stack.graphql(POOL, { id: P1 });
    expect(p1.body.errors).toBeUndefined();
    expect(p1.body.data?.embeddedSIMActivationCodePool).toMatchObject({
      id: P1,
      displayName: SAMPLE_POOLS[0].displayName,
      assignments: [
        { target: { __typename: 'GroupAssignmentTarget', groupId: null, group: null, filterType: 'NONE' } },
        { target: { __typename: 'ExclusionGroupAssignmentTarget', groupId: G2, group: { id: G2 }, filterId: SAMPLE_FILTER_ID, filterType: 'INCLUDE' } },
      ],
    });
    const p3 = await stack.graphql(POOL, { id: P3 });
    expect(p3.body.errors).toBeUndefined();
    expect(p3.body.data?.embeddedSIMActivationCodePool).toMatchObject({
      id: P3,
      assignments: [
        { target: { __typename: 'ConfigurationManagerCollectionAssignmentTarget', collectionId: null } },
        { target: { __typename: 'GroupAssignmentTarget', groupId: SAMPLE_DELETED_GROUP_ID } },
      ],
    });
  });

  it('a device state and a filter type Graph added since are UNKNOWN_FUTURE_VALUE, reported once per value', async () => {
    quirks({
      replies: [
        { path: `${R}/*/deviceStates`, set: { '/value/0/state': 'someNewValue' } },
        { path: `${R}/*/assignments`, set: { '/value/1/target/deviceAndAppManagementAssignmentFilterType': 'someNewFilter' } },
      ],
    });
    unknownValues.length = 0;
    const query = /* GraphQL */ `
      query { embeddedSIMActivationCodePool(id: "${P1}") {
        assignments { id target { __typename filterType filterId } }
        deviceStates(first: 2) { edges { node { id state deviceName } } }
      } }
    `;
    for (let i = 0; i < 2; i++) {
      const reply = await stack.graphql(query);
      expect(reply.body.errors).toBeUndefined();
      const pool = reply.body.data?.embeddedSIMActivationCodePool as {
        assignments: Array<{ target: { filterType: string; filterId: string | null } }>;
        deviceStates: { edges: Array<{ node: { state: string; deviceName: string } }> };
      };
      expect(pool.assignments.map((a) => a.target.filterType)).toEqual(['NONE', 'UNKNOWN_FUTURE_VALUE']);
      expect(pool.assignments[1].target.filterId).toBe(SAMPLE_FILTER_ID);
      expect(pool.deviceStates.edges.map((e) => e.node.state)).toEqual(['UNKNOWN_FUTURE_VALUE', 'FAILED']);
      expect(pool.deviceStates.edges[0].node.deviceName).toMatch(/^CONTOSO-5G-/);
    }
    expect(unknownValues).toEqual([
      { type: 'microsoft.graph.deviceAndAppManagementAssignmentFilterType', value: 'someNewFilter' },
      { type: 'microsoft.graph.embeddedSIMDeviceStateValue', value: 'someNewValue' },
    ]);
  });

  it('UNKNOWN_FUTURE_VALUE is a reply value only: as an input filterType it is BAD_USER_INPUT, and nothing is sent', async () => {
    const reply = await stack.graphql(/* GraphQL */ `
      mutation { addEmbeddedSIMActivationCodePoolAssignments(poolId: "${P2}", assignments: [{ target: {
        kind: GROUP, groupId: "${G1}", filterId: "${SAMPLE_FILTER_ID}", filterType: UNKNOWN_FUTURE_VALUE } }]) { dryRun } }
    `);
    expect(errorsOf(reply)[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'assignments[0].target.filterType' } });
    expect(stack.emulator.requests).toHaveLength(0);
  });
});

describe("@odata.type without its '#'", () => {
  it('is the same type: a group target keeps groupId and its federated group, and an edit sees the same target', async () => {
    quirks({ replies: [{ path: `${R}/*`, stripTypeHash: true }, { path: `${R}/*/assignments`, stripTypeHash: true }] });
    const reply = await stack.graphql(POOL, { id: P1 });
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data?.embeddedSIMActivationCodePool).toMatchObject({
      assignments: [
        { target: { __typename: 'GroupAssignmentTarget', odataType: '#microsoft.graph.groupAssignmentTarget', groupId: G1, group: { id: G1 } } },
        { target: { __typename: 'ExclusionGroupAssignmentTarget', groupId: G2, group: { id: G2 } } },
      ],
    });
    // Adding the assigned group again changes nothing: no assign is sent (the target is not taken for a new one).
    stack.emulator.clearRequests();
    const add = await stack.graphql(/* GraphQL */ `
      mutation { addEmbeddedSIMActivationCodePoolAssignments(poolId: "${P1}", assignments: [{ target: { kind: GROUP, groupId: "${G1}" } }]) {
        added { __typename } updated { __typename }
      } }
    `);
    expect(add.body.errors).toBeUndefined();
    expect(add.body.data?.addEmbeddedSIMActivationCodePoolAssignments).toEqual({ added: [], updated: [] });
    expect(stack.emulator.requests.map((r) => r.method)).toEqual(['GET']);
  });
});

describe('the wire model is checked at the boundary', () => {
  it('pools in a list: a non-integer count, a count over Int32 and a bad date are those edges’ UPSTREAM_ERRORs only', async () => {
    quirks({ replies: [{ path: R, set: { '/value/0/activationCodeCount': 2.5, '/value/1/activationCodeCount': 2147483648, '/value/2/modifiedDateTime': '2026-02-30T00:00:00Z' } }] });
    const bad = await stack.graphql('{ embeddedSIMActivationCodePools { edges { cursor node { id } } } }');
    expect(bad.body.data?.embeddedSIMActivationCodePools).toMatchObject({ edges: [{ node: null }, { node: null }, { node: null }] });
    expect(errorsOf(bad).map((e) => [e.path, e.extensions?.code])).toEqual([0, 1, 2].map((i) => [['embeddedSIMActivationCodePools', 'edges', i, 'node'], 'UPSTREAM_ERROR']));
    expect(errorsOf(bad).map((e) => e.message)).toEqual([
      expect.stringContaining('item 0 of the page: activationCodeCount'),
      expect.stringContaining('item 1 of the page: activationCodeCount'),
      expect.stringContaining('item 2 of the page: modifiedDateTime'),
    ]);

    quirks({ replies: [{ path: R, set: { '/value/1/createdDateTime': 'not a date' } }] });
    const one = await stack.graphql('{ embeddedSIMActivationCodePools { edges { cursor node { id createdDateTime } } } }');
    const edges = (one.body.data?.embeddedSIMActivationCodePools as { edges: Array<{ cursor: string; node: { id: string } | null }> }).edges;
    expect(edges.map((e) => e.node?.id ?? null)).toEqual([P1, null, P3]);
    expect(edges.every((e) => e.cursor.length > 0)).toBe(true);
    expect(errorsOf(one)).toHaveLength(1);
    expect(errorsOf(one)[0]).toMatchObject({ path: ['embeddedSIMActivationCodePools', 'edges', 1, 'node'], extensions: { code: 'UPSTREAM_ERROR', graph: { status: 200 } } });
  });

  it('a bad createdDateTime on a single read is UPSTREAM_ERROR for that pool (it was the caller’s BAD_USER_INPUT)', async () => {
    quirks({ replies: [{ path: `${R}/${P1}`, set: { '/createdDateTime': 'not a date' } }] });
    const reply = await stack.graphql(`{ a: embeddedSIMActivationCodePool(id: "${P1}") { id createdDateTime } b: embeddedSIMActivationCodePool(id: "${P2}") { id createdDateTime } }`);
    expect(reply.body.data).toEqual({ a: null, b: { id: P2, createdDateTime: '2025-11-02T13:05:41Z' } });
    expect(errorsOf(reply)).toHaveLength(1);
    expect(errorsOf(reply)[0]).toMatchObject({ path: ['a'], extensions: { code: 'UPSTREAM_ERROR' } });
    expect(errorsOf(reply)[0].message).toContain('createdDateTime is not an ISO 8601 date-time');
  });

  it('pool ids from Graph that are not GUIDs ("", "not-a-guid", "..") are refused and never become a path segment', async () => {
    quirks({ replies: [{ path: R, set: { '/value/0/id': '', '/value/1/id': 'not-a-guid', '/value/2/id': '..' } }] });
    const reply = await stack.graphql('{ embeddedSIMActivationCodePools { edges { node { id assignments { id } deviceStates(first: 1) { edges { cursor } } } } } }');
    expect(reply.body.data?.embeddedSIMActivationCodePools).toEqual({ edges: [{ node: null }, { node: null }, { node: null }] });
    expect(errorsOf(reply).map((e) => e.extensions?.code)).toEqual(['UPSTREAM_ERROR', 'UPSTREAM_ERROR', 'UPSTREAM_ERROR']);
    expect(errorsOf(reply)[2].message).toContain('id is not a GUID');
    expect(sentPaths()).toEqual([`${POOLS_PATH}?$top=20`]);
  });

  it('and the client refuses to build a path from one, whatever its origin (`..`, `%2e%2e`, ""): nothing is sent', async () => {
    for (const id of ['..', '%2e%2e', '', `${P1}/../..`]) {
      await expect(stack.graph.listAssignments(id)).rejects.toMatchObject({ kind: 'invalid-response' });
      await expect(stack.graph.listDeviceStates(id, { top: 1 })).rejects.toMatchObject({ kind: 'invalid-response' });
    }
    const batched = await stack.graph.getPools(['..', P2, '%2e%2e']);
    expect(batched.map((r) => (isGraphError(r) ? r.kind : r?.id))).toEqual(['invalid-response', P2, 'invalid-response']);
    expect(sentPaths()).toEqual(['/beta/$batch', `${POOLS_PATH}/${P2}`]);
  });

  it('a device state with a bad date is that edge’s error; the page and its cursors go on', async () => {
    quirks({ replies: [{ path: `${R}/${P1}/deviceStates`, times: 1, set: { '/value/1/lastSyncDateTime': 'yesterday' } }] });
    const query = `query($after: String) { embeddedSIMActivationCodePool(id: "${P1}") { deviceStates(first: 3, after: $after) {
      edges { node { id } } pageInfo { hasNextPage endCursor } } } }`;
    const first = await stack.graphql(query);
    const page = (first.body.data?.embeddedSIMActivationCodePool as { deviceStates: { edges: Array<{ node: { id: string } | null }>; pageInfo: { hasNextPage: boolean; endCursor: string } } }).deviceStates;
    expect(page.edges.map((e) => e.node === null)).toEqual([false, true, false]);
    expect(errorsOf(first)).toEqual([expect.objectContaining({ path: ['embeddedSIMActivationCodePool', 'deviceStates', 'edges', 1, 'node'], extensions: expect.objectContaining({ code: 'UPSTREAM_ERROR' }) })]);
    const next = await stack.graphql(query, { after: page.pageInfo.endCursor });
    expect(next.body.errors).toBeUndefined();
    expect((next.body.data?.embeddedSIMActivationCodePool as { deviceStates: { edges: unknown[] } }).deviceStates.edges).toHaveLength(3);
  });
});

describe('the entity Graph answers with is the one asked for', () => {
  it("a single read or $batch item holding another pool's id is that item's UPSTREAM_ERROR, never P2's data under P1", async () => {
    quirks({ replies: [{ path: `${R}/${P1}`, set: { '/id': P2 } }] });
    const reply = await stack.graphql(`{ a: embeddedSIMActivationCodePool(id: "${P1}") { id displayName } b: embeddedSIMActivationCodePool(id: "${P3}") { id } }`);
    expect(reply.body.data).toEqual({ a: null, b: { id: P3 } });
    expect(errorsOf(reply)).toEqual([expect.objectContaining({ path: ['a'], extensions: expect.objectContaining({ code: 'UPSTREAM_ERROR' }) })]);
    await expect(stack.graph.getPool(P1)).rejects.toMatchObject({ kind: 'invalid-response' });
  });

  it('ids are compared case-insensitively: the same pool in upper case is the pool asked for', async () => {
    quirks({ replies: [{ path: `${R}/${P1}`, set: { '/id': P1.toUpperCase() } }] });
    const reply = await stack.graphql(`{ embeddedSIMActivationCodePool(id: "${P1}") { id displayName } }`);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data?.embeddedSIMActivationCodePool).toEqual({ id: P1.toUpperCase(), displayName: SAMPLE_POOLS[0].displayName });
  });
});
