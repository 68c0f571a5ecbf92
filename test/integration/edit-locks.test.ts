/**
 * No lost updates: concurrent edits of one pool over real HTTP, serialized by the pool's edit lock; a lock that
 * stays taken past the call's deadline ends in POOL_BUSY (never a hang), a coordination store that cannot answer
 * in COORDINATION_UNAVAILABLE, and neither sends anything to Graph. Each refusal writes its audit line.
 */
import { LocalPoolLocks } from '../../src/coordination/local';
import { CoordinationError, type PoolLocks } from '../../src/coordination/types';
import { SAMPLE_GROUP_IDS, SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { AuditLog } from '../../src/observability/audit';
import { memoryLogger } from '../support/auth';
import { startStack, type GraphQLReply, type Stack } from '../support/stack';

const EMPTY_POOL = SAMPLE_POOLS[1].id;
const POOL = SAMPLE_POOLS[0].id;
/** Twenty distinct group ids the emulator accepts (any GUID). */
const GROUPS = Array.from({ length: 20 }, (_, i) => `6a1d0000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);

const ADD = /* GraphQL */ `
  mutation Add($poolId: ID!, $groupId: ID!) {
    addEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, assignments: [{ target: { kind: GROUP, groupId: $groupId } }]) {
      added { filterType }
    }
  }
`;
const ASSIGN = /* GraphQL */ `
  mutation Assign($poolId: ID!) {
    assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: []) { assignments { id } }
  }
`;

const assignedGroups = (stack: Stack, poolId: string): string[] =>
  (stack.emulator.getAssignments(poolId) as Array<{ target: { groupId?: string } }>).map((a) => a.target.groupId ?? '');

async function twentyConcurrentAdds(stack: Stack): Promise<GraphQLReply[]> {
  // Latency on every Graph call widens the read-to-write window, as a real tenant's does.
  stack.emulator.setLatency(20);
  return Promise.all(GROUPS.map((groupId) => stack.graphql(ADD, { poolId: EMPTY_POOL, groupId })));
}

describe('twenty concurrent adds to one pool', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('all twenty are assigned afterwards', async () => {
    const replies = await twentyConcurrentAdds(stack);
    for (const reply of replies) expect(reply.body.errors).toBeUndefined();
    expect(assignedGroups(stack, EMPTY_POOL).sort()).toEqual([...GROUPS].sort());
    expect(stack.emulator.requestCount((r) => r.path.endsWith('/assign'))).toBe(20);
  });
});

describe('the same run without the lock (locks that never wait)', () => {
  let stack: Stack;
  const noLocks: PoolLocks = { acquire: async () => ({ release: async () => undefined }) };
  beforeAll(async () => {
    stack = await startStack({ edits: { coordination: { locks: noLocks } } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('loses updates: the test above can fail', async () => {
    const replies = await twentyConcurrentAdds(stack);
    for (const reply of replies) expect(reply.body.errors).toBeUndefined();
    expect(assignedGroups(stack, EMPTY_POOL).length).toBeLessThan(GROUPS.length);
  });
});

describe('a lock held past the deadline', () => {
  let stack: Stack;
  const locks = new LocalPoolLocks();
  const log = memoryLogger('info');
  beforeAll(async () => {
    stack = await startStack({ edits: { coordination: { locks }, audit: new AuditLog(log.logger), lockWaitMs: 300 } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('add, remove and assign answer POOL_BUSY with retryAfterSeconds, send nothing, and audit the refusal', async () => {
    const held = await locks.acquire(POOL.toUpperCase(), { deadline: Date.now() + 60_000 });
    try {
      const replies = await Promise.all([
        stack.graphql(ADD, { poolId: POOL, groupId: GROUPS[0] }),
        stack.graphql(ASSIGN, { poolId: POOL }),
        stack.graphql(`mutation { removeEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", targets: [{ kind: GROUP, groupId: "${SAMPLE_GROUP_IDS[0]}" }]) { dryRun } }`),
      ]);
      for (const reply of replies) {
        expect(reply.body.errors?.[0].extensions).toEqual({ code: 'POOL_BUSY', retryAfterSeconds: 1 });
      }
      expect(stack.emulator.requests).toHaveLength(0);
    } finally {
      await held.release();
    }
    const audit = log.lines().filter((l) => l.audit === true);
    expect(audit).toHaveLength(3);
    for (const line of audit) expect(line).toMatchObject({ outcome: 'failed', errorCode: 'POOL_BUSY', assignSent: false, poolId: POOL });
    // Released: the next edit goes through.
    const after = await stack.graphql(ADD, { poolId: POOL, groupId: GROUPS[0] });
    expect(after.body.errors).toBeUndefined();
    expect(stack.emulator.requestCount((r) => r.path.endsWith('/assign'))).toBe(1);
  });

  it('a dry run does not wait for the lock (it writes nothing)', async () => {
    const held = await locks.acquire(POOL, { deadline: Date.now() + 60_000 });
    try {
      const reply = await stack.graphql(`mutation { addEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", assignments: [], dryRun: true) { dryRun } }`);
      expect(reply.body.errors).toBeUndefined();
    } finally {
      await held.release();
    }
  });
});

describe('a coordination store that cannot answer', () => {
  let stack: Stack;
  const down: PoolLocks = {
    acquire: async () => {
      throw new CoordinationError('redis unreachable: ECONNREFUSED', 'unavailable');
    },
  };
  beforeAll(async () => {
    stack = await startStack({ edits: { coordination: { locks: down } } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('COORDINATION_UNAVAILABLE, nothing sent, nothing about the store in the reply', async () => {
    const reply = await stack.graphql(ADD, { poolId: POOL, groupId: GROUPS[0] });
    expect(reply.body.errors?.[0].extensions).toEqual({ code: 'COORDINATION_UNAVAILABLE', retryAfterSeconds: 1 });
    expect(JSON.stringify(reply.body)).not.toContain('ECONNREFUSED');
    expect(stack.emulator.requests).toHaveLength(0);
  });
});
