/**
 * The assignment history over both stores (PostgreSQL and the embedded file): the journal of every write, the store
 * down, a lost reply, outside changes seen by reads and by the sweep, restore, paging across replicas, and secrecy.
 */
import { request } from 'undici';
import { SAMPLE_FILTER_ID, SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { sweeper } from '../../src/history/sweep';
import { HistoryKind, WriteOutcome } from '../../src/history/types';
import { secretsOf, testCodes } from '../support/activation-codes';
import { engines, secondReplica, stackWithHistory, useEngine, type HistoryStack } from './fixture';

const POOL = SAMPLE_POOLS[1].id;
const OTHER_POOL = SAMPLE_POOLS[2].id;
const [G1, G2, G3] = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333'];

const ENTRY_FIELDS = `id poolId at kind operation outcome assignmentsVersion requestId errorCode restoredFrom
  actor { objectId appId tenantId isApp anonymous }
  targetsBefore { ...T } targets { ...T } added { ...T } updated { ...T } removed { ...T }`;
const TARGET_FRAGMENT = `fragment T on DeviceAndAppManagementAssignmentTarget {
  __typename filterId filterType ... on GroupAssignmentTarget { groupId } ... on ExclusionGroupAssignmentTarget { groupId } }`;
const POOL_HISTORY = `query H($id: ID!, $first: Int, $after: String) { embeddedSIMActivationCodePool(id: $id) {
  assignmentHistory(first: $first, after: $after) { edges { cursor node { ${ENTRY_FIELDS} } } pageInfo { hasNextPage endCursor } } } }
  ${TARGET_FRAGMENT}`;
const FEED = `query F($kinds: [AssignmentHistoryKind!], $first: Int, $after: String, $since: DateTime) {
  assignmentHistory(kinds: $kinds, first: $first, after: $after, since: $since) {
    edges { cursor node { ${ENTRY_FIELDS} } } pageInfo { hasNextPage endCursor } } }
  ${TARGET_FRAGMENT}`;
const READ_ASSIGNMENTS = `query R($id: ID!) { embeddedSIMActivationCodePool(id: $id) { assignments { id } assignmentsVersion } }`;
const ADD = `mutation A($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
  addEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, assignments: $assignments) { assignmentsVersion added { __typename } } }`;
const REMOVE = `mutation R($poolId: ID!, $targets: [AssignmentTargetInput!]!) {
  removeEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, targets: $targets) { assignmentsVersion } }`;
const ASSIGN = `mutation S($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
  assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: $assignments) { assignments { id } } }`;
const RESTORE = `mutation X($poolId: ID!, $entryId: ID!, $dryRun: Boolean) {
  restoreEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, entryId: $entryId, dryRun: $dryRun) {
    dryRun assignmentsVersion added { __typename } removed { __typename } } }`;
const CREATE = `mutation C($input: CreateEmbeddedSIMActivationCodePoolInput!) { createEmbeddedSIMActivationCodePool(input: $input) { pool { id } } }`;
const UPDATE = `mutation U($id: ID!) { updateEmbeddedSIMActivationCodePool(id: $id, input: { displayName: "Renamed" }) { pool { id } } }`;
const DELETE = `mutation D($id: ID!) { deleteEmbeddedSIMActivationCodePool(id: $id) { deletedPoolId } }`;

interface Target {
  __typename: string;
  groupId?: string;
  filterId: string | null;
  filterType: string;
}
interface Entry {
  id: string;
  poolId: string;
  kind: HistoryKind;
  operation: string | null;
  outcome: string;
  assignmentsVersion: string;
  requestId: string | null;
  errorCode: string | null;
  restoredFrom: string | null;
  actor: { objectId: string | null; anonymous: boolean } | null;
  targetsBefore: Target[] | null;
  targets: Target[];
  added: Target[];
  updated: Target[];
  removed: Target[];
}
interface Page {
  edges: Array<{ cursor: string; node: Entry }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const group = (groupId: string, filter?: { filterId: string; filterType: 'INCLUDE' | 'EXCLUDE' }) => ({ target: { kind: 'GROUP', groupId, ...filter } });
const groupsOf = (targets: Target[]): string[] => targets.map((t) => t.groupId ?? t.__typename).sort();

describe.each(engines())('assignment history on %s', (engine) => {
  const { fixture } = useEngine(engine);
  let h: HistoryStack;
  beforeEach(async () => {
    // A short Graph deadline: the lost-reply cases wait for it.
    h = await stackWithHistory(await fixture.location(), { client: { timeoutMs: 2000 } });
  });
  afterEach(async () => {
    await fixture.bringUp();
    await h.stop();
  });

  async function poolHistory(poolId = POOL, graphql = h.stack.graphql): Promise<Entry[]> {
    await h.opened.history.settled();
    const reply = await graphql(POOL_HISTORY, { id: poolId, first: 100 });
    expect(reply.body.errors).toBeUndefined();
    const pool = reply.body.data?.embeddedSIMActivationCodePool as { assignmentHistory: Page };
    return pool.assignmentHistory.edges.map((e) => e.node);
  }

  /** A pool's assignments as Graph (the emulator) holds them, written directly: a change outside the subgraph. */
  async function outsideAssign(poolId: string, targets: object[]): Promise<void> {
    const res = await request(`${h.stack.emulator.url}/beta/deviceManagement/embeddedSIMActivationCodePools/${poolId}/assign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer outside' },
      body: JSON.stringify({ assignments: targets.map((target) => ({ '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment', target })) }),
    });
    await res.body.dump();
    expect(res.statusCode).toBeLessThan(300);
  }
  const wireGroup = (groupId: string) => ({ '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId, deviceAndAppManagementAssignmentFilterType: 'none' });

  it('journals every write with its actor, its sets and its diff; a dry run writes nothing', async () => {
    const { graphql } = h.stack;
    expect((await graphql(ASSIGN, { poolId: POOL, assignments: [group(G1)] })).body.errors).toBeUndefined();
    expect((await graphql(ADD, { poolId: POOL, assignments: [group(G2, { filterId: SAMPLE_FILTER_ID, filterType: 'INCLUDE' })] })).body.errors).toBeUndefined();
    expect((await graphql(REMOVE, { poolId: POOL, targets: [{ kind: 'GROUP', groupId: G1 }] })).body.errors).toBeUndefined();
    const dry = `mutation { addEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", assignments: [{ target: { kind: GROUP, groupId: "${G3}" } }], dryRun: true) { dryRun } }`;
    expect((await graphql(dry)).body.errors).toBeUndefined();
    expect((await graphql(UPDATE, { id: POOL })).body.errors).toBeUndefined();

    const entries = await poolHistory();
    const writes = entries.filter((e) => e.kind === HistoryKind.WRITE);
    expect(writes.map((e) => e.operation)).toEqual(['update', 'remove', 'add', 'assign']);
    for (const entry of writes) {
      expect(entry.outcome).toBe(WriteOutcome.WRITTEN);
      expect(entry.actor).toMatchObject({ anonymous: true, objectId: null });
      expect(entry.requestId).toEqual(expect.any(String));
    }
    const [, remove, add, assign] = writes;
    expect(groupsOf(assign.targets)).toEqual([G1]);
    expect(assign.targetsBefore).toBeNull(); // a replace without receipts reads nothing before it
    expect(groupsOf(add.targetsBefore ?? [])).toEqual([G1]);
    expect(groupsOf(add.targets)).toEqual([G1, G2].sort());
    expect(add.added).toEqual([{ __typename: 'GroupAssignmentTarget', groupId: G2, filterId: SAMPLE_FILTER_ID, filterType: 'INCLUDE' }]);
    expect(groupsOf(remove.removed)).toEqual([G1]);
    expect(groupsOf(remove.targets)).toEqual([G2]);
    // The dry run left no entry, and no entry names G3.
    expect(entries.flatMap((e) => e.targets).some((t) => t.groupId === G3)).toBe(false);
  });

  it('journals create (name and code count only, never a code) and delete', async () => {
    const codes = testCodes(3, 7);
    const created = await h.stack.graphql(CREATE, { input: { displayName: 'History pool', activationCodes: codes } });
    expect(created.body.errors).toBeUndefined();
    const id = (created.body.data?.createEmbeddedSIMActivationCodePool as { pool: { id: string } }).pool.id;
    expect((await h.stack.graphql(DELETE, { id })).body.errors).toBeUndefined();
    const entries = await h.opened.history.store.list({ poolId: id, limit: 10 });
    expect(entries.map((e) => [e.operation, e.outcome])).toEqual([
      ['delete', WriteOutcome.WRITTEN],
      ['create', WriteOutcome.WRITTEN],
    ]);
    const create = (await h.opened.history.store.get(entries[1].id))!;
    expect(create.detail).toEqual({ displayName: 'History pool', activationCodeCount: 3 });
    // Every row of the store, as text: no ICCID and no matching id anywhere.
    const everything = JSON.stringify(await h.opened.history.store.list({ limit: 1000 }));
    for (const secret of secretsOf(codes)) expect(everything).not.toContain(secret);
  });

  it('answers HISTORY_UNAVAILABLE and sends nothing to Graph when the store is down', async () => {
    const before = h.stack.emulator.requestCount();
    await fixture.takeDown(h.opened);
    for (const [document, variables] of [
      [ASSIGN, { poolId: POOL, assignments: [group(G1)] }],
      [ADD, { poolId: POOL, assignments: [group(G2)] }],
      [REMOVE, { poolId: POOL, targets: [{ kind: 'GROUP', groupId: G1 }] }],
      [UPDATE, { id: POOL }],
      [DELETE, { id: POOL }],
    ] as const) {
      const reply = await h.stack.graphql(document, variables);
      expect(reply.body.errors?.map((e) => e.extensions?.code)).toEqual(['HISTORY_UNAVAILABLE']);
    }
    expect(h.stack.emulator.requestCount()).toBe(before);
    const feed = await h.stack.graphql(FEED, {});
    expect(feed.body.errors?.[0].extensions?.code).toBe('HISTORY_UNAVAILABLE');
  });

  it('records an assign whose reply was lost as UNKNOWN, and the next read settles it', async () => {
    // '/assign' matches the read of /assignments too: that one goes through, the assign's reply is cut.
    h.stack.emulator.setFaults({ script: ['ok', 'reset'], match: '/assign' });
    const lost = await h.stack.graphql(ADD, { poolId: POOL, assignments: [group(G3)] });
    expect(lost.body.errors?.[0].extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    let [entry] = (await poolHistory()).filter((e) => e.kind === HistoryKind.WRITE);
    expect(entry).toMatchObject({ operation: 'add', outcome: WriteOutcome.UNKNOWN, errorCode: 'UPSTREAM_UNAVAILABLE' });
    expect(groupsOf(entry.added)).toEqual([G3]);
    h.stack.emulator.setFaults(undefined);
    // Graph did write it (the reset came after the write): a plain read of the pool settles the entry.
    expect((await h.stack.graphql(READ_ASSIGNMENTS, { id: POOL })).body.errors).toBeUndefined();
    [entry] = (await poolHistory()).filter((e) => e.kind === HistoryKind.WRITE);
    expect(entry.outcome).toBe(WriteOutcome.WRITTEN);
    expect((await poolHistory()).filter((e) => e.kind === HistoryKind.OUTSIDE_CHANGE)).toEqual([]);
  });

  it('sees a change made outside the subgraph exactly once, by reads on two replicas and by the sweep', async () => {
    const replica = await secondReplica(h.stack, h.location);
    try {
      // The baseline: the first read records the pool's set.
      await h.stack.graphql(READ_ASSIGNMENTS, { id: POOL });
      await h.opened.history.settled();
      await outsideAssign(POOL, [wireGroup(G2), wireGroup(G3)]);
      await Promise.all([h.stack.graphql(READ_ASSIGNMENTS, { id: POOL }), replica.graphql(READ_ASSIGNMENTS, { id: POOL }), h.stack.graphql(READ_ASSIGNMENTS, { id: POOL })]);
      await replica.opened.history.settled();
      // intervalMs 1: the lease is free again at once (the next sweep, below, is due).
      const sweep = sweeper(h.opened.history, h.stack.graph, { intervalMs: 1, readShare: 1, readBudget: { limit: 1000, windowMs: 20_000 } });
      const swept = await sweep();
      expect(swept).toMatchObject({ swept: true, outsideChanges: 0 });
      const changes = (await poolHistory()).filter((e) => e.kind === HistoryKind.OUTSIDE_CHANGE);
      expect(changes).toHaveLength(1);
      expect(groupsOf(changes[0].targets)).toEqual([G2, G3].sort());
      expect(changes[0].targetsBefore).not.toBeNull();
      expect(changes[0].actor).toBeNull();

      // A change nobody reads: the sweep finds it, once however often it runs (on another replica's lease too).
      await outsideAssign(OTHER_POOL, [wireGroup(G1)]);
      const next = sweeper(replica.opened.history, h.stack.graph, { intervalMs: 1, readShare: 1, readBudget: { limit: 1000, windowMs: 20_000 } });
      expect((await next()).outsideChanges + (await next()).outsideChanges).toBe(1);
      const other = (await poolHistory(OTHER_POOL)).filter((e) => e.kind === HistoryKind.OUTSIDE_CHANGE);
      expect(other).toHaveLength(1);
      expect(groupsOf(other[0].targets)).toEqual([G1]);
    } finally {
      await replica.stop();
    }
  });

  it('a change and its undoing, recorded by another replica, are both seen by this one\'s sweep', async () => {
    const replica = await secondReplica(h.stack, h.location);
    try {
      await outsideAssign(POOL, [wireGroup(G1)]);
      // This replica records (and remembers) the set with G1; the other one sees the change to G2.
      await h.stack.graphql(READ_ASSIGNMENTS, { id: POOL });
      await h.opened.history.settled();
      await outsideAssign(POOL, [wireGroup(G2)]);
      await replica.graphql(READ_ASSIGNMENTS, { id: POOL });
      await replica.opened.history.settled();
      // Back to G1: what this replica remembers, but not what is recorded.
      await outsideAssign(POOL, [wireGroup(G1)]);
      const sweep = sweeper(h.opened.history, h.stack.graph, { intervalMs: 1, readShare: 1, readBudget: { limit: 1000, windowMs: 20_000 } });
      expect((await sweep()).outsideChanges).toBe(1);
      const changes = (await poolHistory()).filter((e) => e.kind === HistoryKind.OUTSIDE_CHANGE).map((e) => groupsOf(e.targets));
      expect(changes).toEqual([[G1], [G2]]);
    } finally {
      await replica.stop();
    }
  });

  it('settles a lost write that Graph did not apply as FAILED (NOT_APPLIED)', async () => {
    // The assign's request is cut before Graph handles it: the emulator answers nothing and writes nothing.
    h.stack.emulator.setFaults({ script: ['ok', 'hang'], match: '/assign' });
    const lost = await h.stack.graphql(ADD, { poolId: POOL, assignments: [group(G3)] }).catch((error: unknown) => error);
    expect(lost).toBeDefined();
    let [entry] = (await poolHistory()).filter((e) => e.kind === HistoryKind.WRITE);
    expect(entry.outcome).toBe(WriteOutcome.UNKNOWN);
    h.stack.emulator.setFaults(undefined);
    await h.stack.graphql(READ_ASSIGNMENTS, { id: POOL });
    [entry] = (await poolHistory()).filter((e) => e.kind === HistoryKind.WRITE);
    expect(entry).toMatchObject({ outcome: WriteOutcome.FAILED, errorCode: 'NOT_APPLIED' });
  });

  it('deletes entries past the retention, in small batches, and keeps the rest', async () => {
    const { store } = h.opened.history;
    const old = new Date(Date.now() - 401 * 86_400_000).toISOString();
    const base = { poolId: POOL, kind: HistoryKind.SNAPSHOT, operation: null, actor: null, outcome: WriteOutcome.WRITTEN, targetsBefore: null, targets: [], added: [], updated: [], removed: [], assignmentsVersion: 'v', requestId: null, graphRequestId: null, errorCode: null, restoredFrom: null, detail: null };
    for (let i = 0; i < 5; i++) await store.insert({ ...base, at: old });
    const kept = await store.insert({ ...base, at: new Date().toISOString() });
    expect(await store.deleteExpired(400, 2)).toBe(5);
    expect((await store.list({ poolId: POOL, limit: 100 })).map((e) => e.id)).toEqual([kept]);
  });

  it('restores a wiped pool: every target and filter back, journaled as RESTORE naming the entry', async () => {
    const { graphql } = h.stack;
    const wanted = [group(G1, { filterId: SAMPLE_FILTER_ID, filterType: 'EXCLUDE' }), group(G2), group(G3, { filterId: SAMPLE_FILTER_ID, filterType: 'INCLUDE' })];
    expect((await graphql(ASSIGN, { poolId: POOL, assignments: wanted })).body.errors).toBeUndefined();
    const [good] = (await poolHistory()).filter((e) => e.operation === 'assign');
    expect((await graphql(ASSIGN, { poolId: POOL, assignments: [] })).body.errors).toBeUndefined();
    expect(h.stack.emulator.getAssignments(POOL)).toEqual([]);

    const preview = await graphql(RESTORE, { poolId: POOL, entryId: good.id, dryRun: true });
    expect(preview.body.data?.restoreEmbeddedSIMActivationCodePoolAssignments).toMatchObject({ dryRun: true });
    expect(h.stack.emulator.getAssignments(POOL)).toEqual([]);

    const restored = await graphql(RESTORE, { poolId: POOL, entryId: good.id });
    expect(restored.body.errors).toBeUndefined();
    expect((restored.body.data?.restoreEmbeddedSIMActivationCodePoolAssignments as { added: unknown[] }).added).toHaveLength(3);
    const entries = await poolHistory();
    expect(entries[0]).toMatchObject({ kind: HistoryKind.RESTORE, operation: 'restore', restoredFrom: good.id, outcome: WriteOutcome.WRITTEN });
    expect(entries[0].targets).toEqual(good.targets);
    expect(entries[0].assignmentsVersion).toBe(good.assignmentsVersion);
    const version = (await graphql(READ_ASSIGNMENTS, { id: POOL })).body.data?.embeddedSIMActivationCodePool as { assignmentsVersion: string };
    expect(version.assignmentsVersion).toBe(good.assignmentsVersion);

    const foreign = await graphql(RESTORE, { poolId: OTHER_POOL, entryId: good.id });
    expect(foreign.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'entryId' });
    const unknown = await graphql(RESTORE, { poolId: POOL, entryId: '999999' });
    expect(unknown.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('pages newest first with cursors that hold on another replica', async () => {
    for (const g of [G1, G2, G3]) {
      expect((await h.stack.graphql(ADD, { poolId: POOL, assignments: [group(g)] })).body.errors).toBeUndefined();
      expect((await h.stack.graphql(REMOVE, { poolId: POOL, targets: [{ kind: 'GROUP', groupId: g }] })).body.errors).toBeUndefined();
    }
    const all = (await poolHistory()).map((e) => e.id);
    expect(all.length).toBeGreaterThanOrEqual(6);
    const replica = await secondReplica(h.stack, h.location);
    try {
      const seen: string[] = [];
      let after: string | null = null;
      for (let i = 0; ; i++) {
        const graphql = i % 2 === 0 ? h.stack.graphql : replica.graphql;
        const reply = await graphql(FEED, { first: 2, after, kinds: ['WRITE'] });
        expect(reply.body.errors).toBeUndefined();
        const page = reply.body.data?.assignmentHistory as Page;
        seen.push(...page.edges.map((e) => e.node.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      const writes = (await poolHistory()).filter((e) => e.kind === HistoryKind.WRITE).map((e) => e.id);
      expect(seen).toEqual(writes);
      expect([...seen].sort((a, b) => Number(b) - Number(a))).toEqual(seen);
      const bad = await h.stack.graphql(FEED, { after: 'not-a-cursor' });
      expect(bad.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    } finally {
      await replica.stop();
    }
  });
});

