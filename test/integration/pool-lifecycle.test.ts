/**
 * The pool lifecycle end to end: GraphQL over HTTP → subgraph → Graph emulator over HTTP. What reached Graph is
 * read from the emulator's request log (codes there are "[redacted]", so they are checked with
 * getActivationCodes); both 2XX shapes Graph documents (the entity, or 204 and a read back), NOT_FOUND, the
 * audit lines, the write budget, no repeat of a create after a lost reply, and the pool's edit lock.
 */
import { expect } from '@jest/globals';
import { LocalPoolLocks } from '../../src/coordination/local';
import { REDACTED, SAMPLE_GROUP_IDS, SAMPLE_POOLS, type RecordedRequest } from '@esim-pools/graph-emulator';
import { AuditLog } from '../../src/observability/audit';
import { secretsOf, testCodes } from '../support/activation-codes';
import { memoryLogger } from '../support/auth';
import { startStack, type GraphQLReply, type Stack } from '../support/stack';

const R = '/beta/deviceManagement/embeddedSIMActivationCodePools';
const POOL = SAMPLE_POOLS[0].id;
const UNKNOWN = '00000000-0000-4000-8000-000000000404';
const POOL_FIELDS = 'id displayName activationCodeCount createdDateTime modifiedDateTime';

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateEmbeddedSIMActivationCodePoolInput!) {
    createEmbeddedSIMActivationCodePool(input: $input) { pool { ${POOL_FIELDS} assignments { id } } }
  }
`;
const UPDATE = /* GraphQL */ `
  mutation Update($id: ID!, $input: UpdateEmbeddedSIMActivationCodePoolInput!) {
    updateEmbeddedSIMActivationCodePool(id: $id, input: $input) { pool { ${POOL_FIELDS} } }
  }
`;
const DELETE = /* GraphQL */ `mutation Delete($id: ID!) { deleteEmbeddedSIMActivationCodePool(id: $id) { deletedPoolId } }`;
const ASSIGN = /* GraphQL */ `
  mutation Assign($poolId: ID!) {
    assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: [{ target: { kind: GROUP, groupId: "${SAMPLE_GROUP_IDS[0]}" } }]) { assignments { id } }
  }
`;

type Pool = { id: string; displayName: string; activationCodeCount: number; createdDateTime: string; modifiedDateTime: string };
const data = <T>(reply: GraphQLReply, field: string): T => {
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data?.[field] as T;
};
const writes = (stack: Stack): RecordedRequest[] => stack.emulator.requests.filter((r) => r.method !== 'GET' && !r.path.endsWith('/$batch'));
const error = (reply: GraphQLReply) => reply.body.errors?.[0];

const audit = memoryLogger('info');
const auditLines = () => audit.lines().filter((l) => l.audit === true);
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ edits: { audit: new AuditLog(audit.logger) } });
});
afterAll(async () => {
  await stack.stop();
});
beforeEach(() => stack.emulator.reset());

describe('createEmbeddedSIMActivationCodePool', () => {
  const codes = testCodes(3);

  it('sends exactly @odata.type, the trimmed name and the codes; answers the pool as Graph stored it, never a code', async () => {
    const reply = await stack.graphql(CREATE, { input: { displayName: '  Contoso field kit  ', activationCodes: codes } });
    const { pool } = data<{ pool: Pool & { assignments: unknown[] } }>(reply, 'createEmbeddedSIMActivationCodePool');
    expect(pool).toMatchObject({ displayName: 'Contoso field kit', activationCodeCount: 3, assignments: [] });
    expect(pool.createdDateTime).toBe(pool.modifiedDateTime);
    const sent = writes(stack);
    expect(sent.map((r) => [r.method, r.path])).toEqual([['POST', R]]);
    expect(sent[0].headers['content-type']).toBe('application/json');
    const redacted = { integratedCircuitCardIdentifier: REDACTED, matchingIdentifier: REDACTED, smdpPlusServerAddress: REDACTED };
    expect(sent[0].body).toEqual({
      '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePool',
      displayName: 'Contoso field kit',
      activationCodes: [redacted, redacted, redacted],
    });
    // What Graph received, in order (the log only keeps their shape).
    expect(stack.emulator.getActivationCodes(pool.id)).toEqual(codes);
    // The payload's pool came from the create's reply: nothing was read after it (assignments aside).
    expect(stack.emulator.requests.filter((r) => r.method === 'GET' && !r.path.endsWith('/assignments') && r.batchItems === undefined)).toHaveLength(0);
    const text = JSON.stringify(reply.body);
    for (const secret of secretsOf(codes)) expect(text).not.toContain(secret);
  });

  it('a 204 create (Graph documents "2XX"): the pool is read back from the id in its OData-EntityId / Location', async () => {
    stack.emulator.setWriteReply('noContent');
    const reply = await stack.graphql(CREATE, { input: { displayName: 'Quiet create', activationCodes: codes } });
    const { pool } = data<{ pool: Pool }>(reply, 'createEmbeddedSIMActivationCodePool');
    expect(pool).toMatchObject({ displayName: 'Quiet create', activationCodeCount: 3 });
    const paths = stack.emulator.requests.map((r) => [r.method, r.batchItems ? r.batchItems.map((i) => i.path) : r.path]);
    expect(paths[0]).toEqual(['POST', R]);
    expect(paths).toContainEqual(['GET', `${R}/${pool.id}`]);
    expect(stack.emulator.getActivationCodes(pool.id)).toEqual(codes);
  });

  it('a 204 without a usable Location is UPSTREAM_ERROR (the pool may exist: the audit line says the request was sent)', async () => {
    stack.emulator.setQuirks({ replies: [{ method: 'POST', path: '/deviceManagement/embeddedSIMActivationCodePools', reply: { status: 204 } }] });
    const reply = await stack.graphql(CREATE, { input: { displayName: 'Lost id', activationCodes: codes } });
    expect(error(reply)?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(auditLines().pop()).toMatchObject({ operation: 'createEmbeddedSIMActivationCodePool', outcome: 'failed', errorCode: 'UPSTREAM_ERROR', requestSent: true });
  });

  it('is not repeated after a 503 (Graph may have made the pool), but is after a 429 (refused unprocessed)', async () => {
    // A reply rule answers after the emulator acted: the pool exists, the subgraph only sees the 503.
    stack.emulator.setQuirks({ replies: [{ method: 'POST', path: '/deviceManagement/embeddedSIMActivationCodePools', times: 1, reply: { status: 503 } }] });
    const lost = await stack.graphql(CREATE, { input: { displayName: 'Once', activationCodes: codes } });
    expect(error(lost)?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(writes(stack)).toHaveLength(1);
    stack.emulator.reset();
    stack.emulator.setFaults({ script: [429], omitRetryAfter: true });
    const throttled = await stack.graphql(CREATE, { input: { displayName: 'Twice', activationCodes: codes } });
    expect(data<{ pool: Pool }>(throttled, 'createEmbeddedSIMActivationCodePool').pool.displayName).toBe('Twice');
    expect(writes(stack).map((r) => r.status)).toEqual([429, 201]);
  });

  it('a Graph 400 about a code names the input field and its index, never Graph\'s text with the value', async () => {
    const iccid = codes[2].integratedCircuitCardIdentifier;
    const message = `activationCodes[2].integratedCircuitCardIdentifier: the ICCID ${iccid} is already in another pool.`;
    stack.emulator.setQuirks({
      replies: [{ method: 'POST', path: '/deviceManagement/embeddedSIMActivationCodePools', reply: { status: 400, body: { error: { code: 'BadRequest', message } } } }],
    });
    const reply = await stack.graphql(CREATE, { input: { displayName: 'Dup', activationCodes: codes } });
    expect(error(reply)?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.activationCodes[2].integratedCircuitCardIdentifier',
      graph: { status: 400, code: 'BadRequest' },
    });
    expect(error(reply)?.message).toContain('activationCodes[2].integratedCircuitCardIdentifier');
    expect(JSON.stringify(reply.body)).not.toContain(iccid);
    expect(audit.text()).not.toContain(iccid);
  });

  it('writes one audit line: operation, the new pool id, caller, outcome and the number of codes, never a code', async () => {
    const before = auditLines().length;
    const reply = await stack.graphql(CREATE, { input: { displayName: 'Audited', activationCodes: codes } });
    const { pool } = data<{ pool: Pool }>(reply, 'createEmbeddedSIMActivationCodePool');
    const lines = auditLines().slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      operation: 'createEmbeddedSIMActivationCodePool',
      poolId: pool.id,
      caller: { anonymous: true },
      outcome: 'written',
      requestSent: true,
      activationCodeCount: 3,
      displayName: 'Audited',
    });
    expect(lines[0].errorCode).toBeUndefined();
    for (const secret of secretsOf(codes)) expect(audit.text()).not.toContain(secret);
  });
});

describe('updateEmbeddedSIMActivationCodePool', () => {
  it('PATCHes only the given property; answers the pool after the change', async () => {
    const reply = await stack.graphql(UPDATE, { id: POOL, input: { displayName: ' Renamed pool ' } });
    const { pool } = data<{ pool: Pool }>(reply, 'updateEmbeddedSIMActivationCodePool');
    expect(pool).toMatchObject({ id: POOL, displayName: 'Renamed pool', activationCodeCount: 250 });
    expect(pool.modifiedDateTime).not.toBe('2026-01-20T16:45:12Z');
    const sent = writes(stack);
    expect(sent.map((r) => [r.method, r.path, r.body])).toEqual([['PATCH', `${R}/${POOL}`, { displayName: 'Renamed pool' }]]);
    expect(auditLines().pop()).toMatchObject({ operation: 'updateEmbeddedSIMActivationCodePool', poolId: POOL, outcome: 'written', changed: ['displayName'] });
  });

  it('a 204 update: the pool is read back', async () => {
    stack.emulator.setWriteReply('noContent');
    const reply = await stack.graphql(UPDATE, { id: POOL, input: { displayName: 'Quietly renamed' } });
    expect(data<{ pool: Pool }>(reply, 'updateEmbeddedSIMActivationCodePool').pool.displayName).toBe('Quietly renamed');
    expect(writes(stack)).toHaveLength(1);
    expect(stack.emulator.requests.some((r) => r.method === 'GET')).toBe(true);
  });

  it('an unknown pool is NOT_FOUND; nothing to change, a null name or a non-GUID id is BAD_USER_INPUT with nothing sent', async () => {
    const missing = await stack.graphql(UPDATE, { id: UNKNOWN, input: { displayName: 'x' } });
    expect(error(missing)?.extensions?.code).toBe('NOT_FOUND');
    stack.emulator.clearRequests();
    for (const [variables, field] of [
      [{ id: POOL, input: {} }, 'input'],
      [{ id: POOL, input: { displayName: null } }, 'input.displayName'],
      [{ id: POOL, input: { displayName: '   ' } }, 'input.displayName'],
      [{ id: 'not-a-guid', input: { displayName: 'x' } }, 'id'],
    ] as const) {
      const reply = await stack.graphql(UPDATE, variables);
      expect(error(reply)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(stack.emulator.requests).toHaveLength(0);
  });
});

describe('deleteEmbeddedSIMActivationCodePool', () => {
  it('sends DELETE …/{id}; answers the id for cache.evict; the pool is gone; the audit line is a warning', async () => {
    const reply = await stack.graphql(DELETE, { id: POOL });
    expect(data(reply, 'deleteEmbeddedSIMActivationCodePool')).toEqual({ deletedPoolId: POOL });
    expect(writes(stack).map((r) => [r.method, r.path, r.body])).toEqual([['DELETE', `${R}/${POOL}`, undefined]]);
    const read = await stack.graphql('query ($id: ID!) { embeddedSIMActivationCodePool(id: $id) { id } }', { id: POOL });
    expect(read.body.data).toEqual({ embeddedSIMActivationCodePool: null });
    expect(auditLines().pop()).toMatchObject({ level: 'warn', operation: 'deleteEmbeddedSIMActivationCodePool', poolId: POOL, outcome: 'written' });
  });

  it('an unknown pool is NOT_FOUND (audited as failed); a non-GUID id is BAD_USER_INPUT with nothing sent', async () => {
    const missing = await stack.graphql(DELETE, { id: UNKNOWN });
    expect(error(missing)?.extensions?.code).toBe('NOT_FOUND');
    expect(error(missing)?.message).toMatch(/nothing was deleted/);
    expect(auditLines().pop()).toMatchObject({ operation: 'deleteEmbeddedSIMActivationCodePool', poolId: UNKNOWN, outcome: 'failed', errorCode: 'NOT_FOUND', requestSent: true });
    stack.emulator.clearRequests();
    const bad = await stack.graphql(DELETE, { id: '../assign' });
    expect(error(bad)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(stack.emulator.requests).toHaveLength(0);
    expect(auditLines().pop()).toMatchObject({ outcome: 'failed', errorCode: 'BAD_USER_INPUT', requestSent: false });
  });

  it('is not repeated after a 503 (a repeat would answer NOT_FOUND for a pool it deleted)', async () => {
    stack.emulator.setFaults({ script: [503], omitRetryAfter: true });
    const reply = await stack.graphql(DELETE, { id: POOL });
    expect(error(reply)?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(writes(stack)).toHaveLength(1);
  });
});

describe("the pool's edit lock and the write budget", () => {
  it('delete and update wait for the lock an assignment edit holds, and run once it is released', async () => {
    const locks = new LocalPoolLocks();
    const locked = await startStack({ edits: { coordination: { locks } } });
    try {
      const lease = await locks.acquire(POOL, { deadline: Date.now() + 10_000 });
      const update = locked.graphql(UPDATE, { id: POOL, input: { displayName: 'After the edit' } });
      const remove = locked.graphql(DELETE, { id: POOL });
      // The lock is held: however long we wait here, neither write may reach Graph.
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(writes(locked)).toHaveLength(0);
      await lease.release();
      expect(data(await update, 'updateEmbeddedSIMActivationCodePool')).toBeDefined();
      expect(data(await remove, 'deleteEmbeddedSIMActivationCodePool')).toEqual({ deletedPoolId: POOL });
      // FIFO: the update took the lock first, the delete after it.
      expect(writes(locked).map((r) => r.method)).toEqual(['PATCH', 'DELETE']);
      // An assign behind the delete finds no pool.
      expect(error(await locked.graphql(ASSIGN, { poolId: POOL }))?.extensions?.code).toBe('NOT_FOUND');
    } finally {
      await locked.stop();
    }
  });

  it('a lock not free in time is POOL_BUSY, nothing sent', async () => {
    const locks = new LocalPoolLocks();
    const busy = await startStack({ edits: { coordination: { locks }, lockWaitMs: 50 } });
    try {
      const lease = await locks.acquire(POOL, { deadline: Date.now() + 10_000 });
      expect(error(await busy.graphql(DELETE, { id: POOL }))?.extensions?.code).toBe('POOL_BUSY');
      expect(error(await busy.graphql(UPDATE, { id: POOL, input: { displayName: 'x' } }))?.extensions?.code).toBe('POOL_BUSY');
      await lease.release();
      expect(busy.emulator.requests).toHaveLength(0);
    } finally {
      await busy.stop();
    }
  });

  it('create, update and delete take the write budget (POST/PATCH/DELETE): over it, THROTTLED and nothing sent', async () => {
    const budgeted = await startStack({ client: { writeBudget: { limit: 2, windowMs: 60_000, maxWaitMs: 0 } } });
    try {
      expect(data(await budgeted.graphql(CREATE, { input: { displayName: 'One', activationCodes: testCodes(1) } }), 'createEmbeddedSIMActivationCodePool')).toBeDefined();
      expect(data(await budgeted.graphql(UPDATE, { id: POOL, input: { displayName: 'Two' } }), 'updateEmbeddedSIMActivationCodePool')).toBeDefined();
      for (const [query, variables] of [
        [DELETE, { id: POOL }],
        [CREATE, { input: { displayName: 'Three', activationCodes: testCodes(1, 2) } }],
      ] as const) {
        const refused = await budgeted.graphql(query, variables);
        expect(error(refused)?.extensions).toMatchObject({ code: 'THROTTLED', retryAfterSeconds: expect.any(Number) });
      }
      expect(writes(budgeted).map((r) => r.method)).toEqual(['POST', 'PATCH']);
    } finally {
      await budgeted.stop();
    }
  });
});
