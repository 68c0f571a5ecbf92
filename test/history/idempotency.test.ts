/**
 * Idempotency keys over both stores, over real HTTP against the emulator (its request log counts Graph calls): every
 * mutation repeated with its key answers the first answer without Graph, on this replica and on another one; other
 * arguments are refused; a repeat waits for the first; a lost create is settled by its repeat (one pool); a
 * failure that wrote nothing frees the key; bad keys and HISTORY=off are refused before Graph.
 */
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { testCodes } from '../support/activation-codes';
import { startStack, type GraphQLReply } from '../support/stack';
import { engines, secondReplica, stackWithHistory, useEngine, type HistoryStack } from './fixture';

const POOL = SAMPLE_POOLS[1].id;
const [G1, G2, G3] = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333'];
const group = (groupId: string) => ({ target: { kind: 'GROUP', groupId } });

const EDIT_FIELDS = `pool { id assignments { id } assignmentsVersion } assignments { id target { __typename } } added { __typename } removed { __typename } assignmentsVersion dryRun`;
const ASSIGN = `mutation S($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!, $key: String) {
  assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: $assignments, idempotencyKey: $key) {
    pool { id assignmentsVersion } assignments { id } added { __typename } removed { __typename } } }`;
const ADD = `mutation A($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!, $key: String, $dryRun: Boolean) {
  addEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, assignments: $assignments, idempotencyKey: $key, dryRun: $dryRun) { ${EDIT_FIELDS} } }`;
const REMOVE = `mutation R($poolId: ID!, $targets: [AssignmentTargetInput!]!, $key: String) {
  removeEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, targets: $targets, idempotencyKey: $key) { ${EDIT_FIELDS} } }`;
const RESTORE = `mutation X($poolId: ID!, $entryId: ID!, $key: String) {
  restoreEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, entryId: $entryId, idempotencyKey: $key) { ${EDIT_FIELDS} } }`;
const CREATE = `mutation C($input: CreateEmbeddedSIMActivationCodePoolInput!, $key: String) {
  createEmbeddedSIMActivationCodePool(input: $input, idempotencyKey: $key) { pool { id displayName activationCodeCount createdDateTime } } }`;
const UPDATE = `mutation U($id: ID!, $name: String!, $key: String) {
  updateEmbeddedSIMActivationCodePool(id: $id, input: { displayName: $name }, idempotencyKey: $key) { pool { id displayName modifiedDateTime } } }`;
const DELETE = `mutation D($id: ID!, $key: String) { deleteEmbeddedSIMActivationCodePool(id: $id, idempotencyKey: $key) { deletedPoolId } }`;
const HISTORY = `query H($id: ID!) { embeddedSIMActivationCodePool(id: $id) { assignmentHistory(first: 50) { edges { node { id operation } } } } }`;

type Send = (query: string, variables?: Record<string, unknown>) => Promise<GraphQLReply>;

function ok(reply: GraphQLReply): Record<string, unknown> {
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data as Record<string, unknown>;
}

function errorOf(reply: GraphQLReply): { code: unknown; reason: unknown; field: unknown } {
  expect(reply.body.errors).toHaveLength(1);
  const extensions = reply.body.errors?.[0].extensions ?? {};
  return { code: extensions.code, reason: extensions.reason, field: extensions.field };
}

const createInput = (displayName: string) => ({ displayName, activationCodes: testCodes(2) });

describe.each(engines())('idempotency keys on %s', (engine) => {
  const { fixture } = useEngine(engine);
  let h: HistoryStack;
  afterEach(async () => {
    await h.stop();
  });

  const graphCalls = (): number => h.stack.emulator.requestCount();
  const writes = (path: RegExp, method = 'POST'): number => h.stack.emulator.requestCount((r) => r.method === method && path.test(r.path));

  it('answers every mutation repeated with its key with the first answer (same ids), without Graph, on this replica and another', async () => {
    h = await stackWithHistory(await fixture.location());
    const replica = await secondReplica(h.stack, h.location);
    try {
      /** The first answer, then its repeats here and on the other replica: equal, and no Graph call for either. */
      async function twice(query: string, variables: Record<string, unknown>): Promise<Record<string, unknown>> {
        const first = ok(await h.stack.graphql(query, variables));
        const before = graphCalls();
        const sends: Send[] = [h.stack.graphql, replica.graphql];
        for (const send of sends) expect(ok(await send(query, variables))).toEqual(first);
        expect(graphCalls()).toBe(before);
        return first;
      }

      const created = await twice(CREATE, { input: createInput('Idempotent pool'), key: 'create-1' });
      const newPool = (created.createEmbeddedSIMActivationCodePool as { pool: { id: string } }).pool.id;
      await twice(UPDATE, { id: newPool, name: 'Idempotent pool (renamed)', key: 'update-1' });

      const assigned = await twice(ASSIGN, { poolId: POOL, assignments: [group(G1)], key: 'assign-1' });
      const assignedIds = (assigned.assignEmbeddedSIMActivationCodePool as { assignments: Array<{ id: string }> }).assignments.map((a) => a.id);
      expect(assignedIds).toHaveLength(1);
      const added = await twice(ADD, { poolId: POOL, assignments: [group(G2)], key: 'add-1' });
      expect((added.addEmbeddedSIMActivationCodePoolAssignments as { added: unknown[] }).added).toHaveLength(1);
      await twice(REMOVE, { poolId: POOL, targets: [{ kind: 'GROUP', groupId: G1 }], key: 'remove-1' });

      const history = ok(await h.stack.graphql(HISTORY, { id: POOL }));
      const edges = (history.embeddedSIMActivationCodePool as { assignmentHistory: { edges: Array<{ node: { id: string; operation: string | null } }> } }).assignmentHistory.edges;
      const assignEntry = edges.find((e) => e.node.operation === 'assign')?.node.id;
      expect(assignEntry).toBeDefined();
      const restored = await twice(RESTORE, { poolId: POOL, entryId: assignEntry, key: 'restore-1' });
      expect((restored.restoreEmbeddedSIMActivationCodePoolAssignments as { assignments: Array<{ id: string }> }).assignments.map((a) => a.id)).toHaveLength(1);

      await twice(DELETE, { id: newPool, key: 'delete-1' });
      // Each write reached Graph once.
      expect(writes(/embeddedSIMActivationCodePools$/)).toBe(1);
      expect(writes(/\/assign$/)).toBe(4);
      expect(writes(/embeddedSIMActivationCodePools\/[^/]+$/, 'PATCH')).toBe(1);
      expect(writes(/embeddedSIMActivationCodePools\/[^/]+$/, 'DELETE')).toBe(1);
    } finally {
      await replica.stop();
    }
  });

  it('refuses a key used with other arguments or another mutation, and bad keys, before Graph', async () => {
    h = await stackWithHistory(await fixture.location());
    ok(await h.stack.graphql(ADD, { poolId: POOL, assignments: [group(G1)], key: 'k1' }));
    const before = graphCalls();
    for (const reply of [
      await h.stack.graphql(ADD, { poolId: POOL, assignments: [group(G2)], key: 'k1' }),
      await h.stack.graphql(REMOVE, { poolId: POOL, targets: [{ kind: 'GROUP', groupId: G1 }], key: 'k1' }),
    ]) {
      expect(errorOf(reply)).toEqual({ code: 'BAD_USER_INPUT', reason: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotencyKey' });
    }
    for (const key of ['', 'has space', 'x'.repeat(129), 'ключ', 'a/b']) {
      const reply = await h.stack.graphql(ADD, { poolId: POOL, assignments: [group(G3)], key });
      expect(errorOf(reply)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    }
    expect(graphCalls()).toBe(before);
    // The longest key and every allowed character are fine.
    ok(await h.stack.graphql(ADD, { poolId: POOL, assignments: [group(G3)], key: `Az09-_:.${'k'.repeat(120)}` }));
  });

  it('lets a failure that wrote nothing free the key: the repeat runs again', async () => {
    h = await stackWithHistory(await fixture.location());
    // Graph refuses the first assign (a 400: nothing written); the repeat is sent again and written.
    h.stack.emulator.setFaults({ script: ['ok', 400], match: '/assign' });
    const first = await h.stack.graphql(ADD, { poolId: POOL, assignments: [group(G1)], key: 'retry-me' });
    expect(errorOf(first).code).toBe('BAD_USER_INPUT');
    h.stack.emulator.setFaults(undefined);
    const second = ok(await h.stack.graphql(ADD, { poolId: POOL, assignments: [group(G1)], key: 'retry-me' }));
    expect((second.addEmbeddedSIMActivationCodePoolAssignments as { added: unknown[] }).added).toHaveLength(1);
    expect(writes(/\/assign$/)).toBe(2);
    expect(h.stack.emulator.getAssignments(POOL)).toHaveLength(1);
    // A key whose request wrote nothing names no request: other arguments may use it.
    h.stack.emulator.setFaults({ script: ['ok', 400], match: '/assign' });
    expect(errorOf(await h.stack.graphql(ADD, { poolId: POOL, assignments: [group(G3)], key: 'freed' })).code).toBe('BAD_USER_INPUT');
    h.stack.emulator.setFaults(undefined);
    ok(await h.stack.graphql(REMOVE, { poolId: POOL, targets: [{ kind: 'GROUP', groupId: G1 }], key: 'freed' }));
    // A dry run with a key keeps nothing: the same key then writes.
    ok(await h.stack.graphql(ADD, { poolId: POOL, assignments: [group(G2)], key: 'dry', dryRun: true }));
    const real = ok(await h.stack.graphql(ADD, { poolId: POOL, assignments: [group(G2)], key: 'dry' }));
    expect((real.addEmbeddedSIMActivationCodePoolAssignments as { dryRun: boolean }).dryRun).toBe(false);
  });

  it('makes a concurrent repeat wait for the first and answer its answer (one assign)', async () => {
    h = await stackWithHistory(await fixture.location());
    const replica = await secondReplica(h.stack, h.location);
    try {
      h.stack.emulator.setFaults({ latency: { minMs: 400, maxMs: 400 }, match: '/assign' });
      const variables = { poolId: POOL, assignments: [group(G1), group(G2)], key: 'together' };
      const first = h.stack.graphql(ADD, variables);
      // The first is inside Graph's assign: the repeats arrive while it runs.
      while (writes(/\/assign$/) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const repeats = [replica.graphql(ADD, variables), h.stack.graphql(ADD, variables)];
      const answers = (await Promise.all([first, ...repeats])).map(ok);
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
      expect(writes(/\/assign$/)).toBe(1);
    } finally {
      await replica.stop();
    }
  });

  it('answers POOL_BUSY to a repeat whose first is still running at the deadline; an unknown first is settled by the next repeat', async () => {
    h = await stackWithHistory(await fixture.location(), { edits: { lockWaitMs: 300 }, client: { timeoutMs: 1500, retry: { maxRetries: 0 } } });
    // Graph never answers the first assign (and never writes it).
    h.stack.emulator.setFaults({ script: ['ok', 'hang'], match: '/assign' });
    const variables = { poolId: POOL, assignments: [group(G3)], key: 'slow' };
    const first = h.stack.graphql(ADD, variables);
    while (writes(/\/assign$/) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const busy = errorOf(await h.stack.graphql(ADD, variables));
    expect(busy).toMatchObject({ code: 'POOL_BUSY', reason: 'IDEMPOTENCY_KEY_RUNNING' });
    expect(errorOf(await first).code).toBe('UPSTREAM_TIMEOUT');
    h.stack.emulator.setFaults(undefined);
    expect(h.stack.emulator.getAssignments(POOL)).toEqual([]);
    // Its outcome was unknown: the repeat reads the pool, finds the edit not made, and makes it.
    const settled = ok(await h.stack.graphql(ADD, variables));
    expect((settled.addEmbeddedSIMActivationCodePoolAssignments as { added: unknown[] }).added).toHaveLength(1);
    expect(h.stack.emulator.getAssignments(POOL)).toHaveLength(1);
    // And that answer is now the key's.
    const before = graphCalls();
    expect(ok(await h.stack.graphql(ADD, variables))).toEqual(settled);
    expect(graphCalls()).toBe(before);
  });

  it('settles an edit whose reply was lost after Graph wrote it: the repeat answers the edit (its receipts), sends nothing, even with a precondition', async () => {
    h = await stackWithHistory(await fixture.location());
    const read = ok(await h.stack.graphql(`query V($id: ID!) { embeddedSIMActivationCodePool(id: $id) { assignmentsVersion } }`, { id: POOL }));
    const version = (read.embeddedSIMActivationCodePool as { assignmentsVersion: string }).assignmentsVersion;
    const ADD_IF = ADD.replace('$dryRun: Boolean)', '$dryRun: Boolean, $if: String)').replace('dryRun: $dryRun)', 'dryRun: $dryRun, ifAssignmentsVersion: $if)');
    const variables = { poolId: POOL, assignments: [group(G2)], key: 'lost-edit', if: version };
    // '/assign' matches the read of /assignments too: that one goes through, the assign's reply is cut after the write.
    h.stack.emulator.setFaults({ script: ['ok', 'reset'], match: '/assign' });
    expect(errorOf(await h.stack.graphql(ADD_IF, variables)).code).toBe('UPSTREAM_UNAVAILABLE');
    h.stack.emulator.setFaults(undefined);
    expect(h.stack.emulator.getAssignments(POOL)).toHaveLength(1);
    const settled = ok(await h.stack.graphql(ADD_IF, variables)).addEmbeddedSIMActivationCodePoolAssignments as { added: unknown[]; assignments: unknown[] };
    expect(settled.added).toHaveLength(1);
    expect(settled.assignments).toHaveLength(1);
    expect(writes(/\/assign$/)).toBe(1);
  });

  it.each([
    { fault: 'reset', why: 'the pool was made, its reply lost: the repeat finds it' },
    { fault: 'hang', why: 'the pool was not made: the repeat makes it' },
  ] as const)('settles a create whose reply was lost ($fault: $why): one key, one pool', async ({ fault }) => {
    h = await stackWithHistory(await fixture.location(), { client: { timeoutMs: 1500, retry: { maxRetries: 0 } } });
    const name = `Lost reply ${fault}`;
    const variables = { input: createInput(name), key: `create-${fault}` };
    h.stack.emulator.setFaults({ script: [fault], match: 'embeddedSIMActivationCodePools' });
    const lost = await h.stack.graphql(CREATE, variables);
    expect(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'UPSTREAM_ERROR']).toContain(errorOf(lost).code);
    h.stack.emulator.setFaults(undefined);
    const repeat = ok(await h.stack.graphql(CREATE, variables));
    const again = ok(await h.stack.graphql(CREATE, variables));
    expect(again).toEqual(repeat);
    const id = (repeat.createEmbeddedSIMActivationCodePool as { pool: { id: string; displayName: string } }).pool;
    expect(id.displayName).toBe(name);
    const list = ok(await h.stack.graphql(`{ embeddedSIMActivationCodePools(first: 100) { edges { node { id displayName } } } }`));
    const named = (list.embeddedSIMActivationCodePools as { edges: Array<{ node: { id: string; displayName: string } }> }).edges.filter((e) => e.node.displayName === name);
    expect(named.map((e) => e.node.id)).toEqual([id.id]);
    expect(writes(/embeddedSIMActivationCodePools$/)).toBe(fault === 'reset' ? 1 : 2);
    if (fault === 'reset') {
      // The journal's entry of the lost create now names the pool it made.
      const feed = ok(await h.stack.graphql(`{ assignmentHistory(first: 20) { edges { node { poolId operation outcome } } } }`));
      const creates = (feed.assignmentHistory as { edges: Array<{ node: { poolId: string; operation: string; outcome: string } }> }).edges
        .map((e) => e.node)
        .filter((n) => n.operation === 'create');
      expect(creates).toEqual([{ poolId: id.id.toLowerCase(), operation: 'create', outcome: 'WRITTEN' }]);
    }
  });
});

describe('idempotency keys with HISTORY=off', () => {
  it('answers HISTORY_UNAVAILABLE to a mutation with a key, before Graph; without a key it writes', async () => {
    const stack = await startStack();
    try {
      const before = stack.emulator.requestCount();
      const reply = await stack.graphql(ADD, { poolId: POOL, assignments: [group(G1)], key: 'needs-history' });
      expect(errorOf(reply).code).toBe('HISTORY_UNAVAILABLE');
      expect(stack.emulator.requestCount()).toBe(before);
      ok(await stack.graphql(ADD, { poolId: POOL, assignments: [group(G1)] }));
    } finally {
      await stack.stop();
    }
  });
});
