/**
 * The upstream policy against the emulator's injected faults: one test per fault, each with its expected outcome.
 */
import { expect } from '@jest/globals';
import { generatedPoolId, SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { startStack, type GraphQLReply, type Stack } from '../support/stack';
import { ASSIGN_SAMPLE_GROUP as ASSIGN } from '../support/documents';

const POOL = SAMPLE_POOLS[0].id;
const isAssign = (r: { path: string }) => r.path.endsWith('/assign');

async function withStack(options: Parameters<typeof startStack>[0], body: (stack: Stack) => Promise<void>): Promise<void> {
  const stack = await startStack(options);
  try {
    await body(stack);
  } finally {
    await stack.stop();
  }
}

it('429 with Retry-After: 2 → one retry after at least 2 s, then success', async () => {
  // A one-shot throttle: the emulator answers 429 again to a retry that comes before the 2 s are up.
  await withStack({ emulator: { faults: { match: '/assign', throttle: { retryAfterSeconds: 2 } } } }, async (stack) => {
    const started = Date.now();
    const reply = await stack.graphql(ASSIGN, { poolId: POOL });
    expect(reply.body.errors).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    const calls = stack.emulator.requests.filter(isAssign);
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1].headers['retry-attempt']).toBe('1');
  });
}, 15_000);

it('429 forever → THROTTLED within the deadline, at most 4 attempts', async () => {
  await withStack(
    { emulator: { faults: { failureRate: 1, statuses: [429], match: '/assign', omitRetryAfter: true } }, client: { timeoutMs: 5_000 } },
    async (stack) => {
      const started = Date.now();
      const reply = await stack.graphql(ASSIGN, { poolId: POOL });
      expect(reply.body.errors?.[0]?.extensions).toMatchObject({ code: 'THROTTLED', retryAfterSeconds: expect.any(Number) });
      expect(stack.emulator.requests.filter(isAssign).length).toBeLessThanOrEqual(4);
      expect(Date.now() - started).toBeLessThan(5_000);
    },
  );
});

it('a Retry-After longer than the deadline → THROTTLED at once with that wait, no retry', async () => {
  await withStack(
    { emulator: { faults: { match: '/assign', throttle: { retryAfterSeconds: 120 } } }, client: { timeoutMs: 5_000 } },
    async (stack) => {
      const reply = await stack.graphql(ASSIGN, { poolId: POOL });
      expect(reply.body.errors?.[0]?.extensions).toMatchObject({ code: 'THROTTLED', retryAfterSeconds: 120 });
      expect(stack.emulator.requests.filter(isAssign)).toHaveLength(1);
    },
  );
});

it.each([500, 502, 507])('%i → UPSTREAM_UNAVAILABLE, not retried', async (status) => {
  await withStack({ emulator: { faults: { script: [status], match: '/assign' } } }, async (stack) => {
    const reply = await stack.graphql(ASSIGN, { poolId: POOL });
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(stack.emulator.requests.filter(isAssign)).toHaveLength(1);
  });
});

it('hang → UPSTREAM_TIMEOUT at the deadline, and the socket is not leaked', async () => {
  await withStack({ emulator: { faults: { script: ['hang'], match: '/assign' } }, client: { timeoutMs: 400 } }, async (stack) => {
    const reply = await stack.graphql(ASSIGN, { poolId: POOL });
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    // The hung request was aborted and its socket destroyed: nothing runs on the pool, and at most the one fresh
    // idle connection undici opens after a destroyed socket remains (never one per hang).
    await stack.graphql(ASSIGN, { poolId: POOL });
    await stack.graphql(ASSIGN, { poolId: POOL });
    await new Promise((r) => setTimeout(r, 50));
    expect(stack.graph.load.running).toBe(0);
    expect(stack.graph.load.connections).toBeLessThanOrEqual(1);
  });
});

it('TCP reset mid-reply → UPSTREAM_UNAVAILABLE, and the service keeps serving', async () => {
  await withStack({ emulator: { faults: { script: ['reset'], match: '/assign' } } }, async (stack) => {
    const reply = await stack.graphql(ASSIGN, { poolId: POOL });
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    const again = await stack.graphql(ASSIGN, { poolId: POOL });
    expect(again.body.errors).toBeUndefined();
  });
});

it('a refused connection is retried, then UPSTREAM_UNAVAILABLE', async () => {
  await withStack({}, async (stack) => {
    await stack.emulator.close();
    const reply = await stack.graphql(ASSIGN, { poolId: POOL });
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
  });
});

it('malformed JSON → UPSTREAM_ERROR', async () => {
  await withStack({ emulator: { faults: { script: ['malformed'], match: '/assign' } } }, async (stack) => {
    const reply = await stack.graphql(ASSIGN, { poolId: POOL });
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
  });
});

it('random failures with a seed repeat exactly', async () => {
  const outcomes: string[][] = [];
  for (let run = 0; run < 2; run++) {
    await withStack({ emulator: { faults: { seed: 42, failureRate: 0.5, statuses: [500], match: '/assign' } } }, async (stack) => {
      const codes: string[] = [];
      for (let i = 0; i < 12; i++) {
        const reply = await stack.graphql(ASSIGN, { poolId: POOL });
        codes.push(codeOf(reply));
      }
      outcomes.push(codes);
    });
  }
  expect(outcomes[0]).toEqual(outcomes[1]);
  expect(new Set(outcomes[0])).toEqual(new Set(['ok', 'UPSTREAM_UNAVAILABLE']));
});

it('a burst of 300 assigns under a 100/20 s write budget: no 429 from Graph, every request answered', async () => {
  await withStack(
    {
      emulator: { faults: { rateLimit: { limit: 100, windowSeconds: 20 }, match: '/assign' } },
      client: { writeBudget: { limit: 100, windowMs: 20_000, maxWaitMs: 1_000 } },
    },
    async (stack) => {
      const replies = await Promise.all(Array.from({ length: 300 }, () => stack.graphql(ASSIGN, { poolId: POOL })));
      const codes = replies.map(codeOf);
      expect(codes.filter((c) => c === 'ok')).toHaveLength(100);
      expect(codes.filter((c) => c === 'THROTTLED')).toHaveLength(200);
      for (const r of replies.filter((x) => x.body.errors)) expect(r.body.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
      const upstream = stack.emulator.requests.filter(isAssign);
      expect(upstream).toHaveLength(100);
      expect(upstream.every((c) => c.status === 200)).toBe(true);
    },
  );
}, 30_000);

it('the bulkhead bounds concurrent calls to Graph and refuses past its queue', async () => {
  await withStack(
    { emulator: { latencyMs: 200, extraPools: 8 }, client: { bulkhead: { maxConcurrent: 2, maxQueue: 3, maxWaitMs: 5_000 }, writeBudget: { limit: 0 } } },
    async (stack) => {
      // Eight different pools: writes to one pool are serialized by its edit lock before they reach the bulkhead.
      const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => stack.graphql(ASSIGN, { poolId: generatedPoolId(i) })));
      const codes = replies.map(codeOf);
      expect(codes.filter((c) => c === 'ok')).toHaveLength(5);
      expect(codes.filter((c) => c === 'THROTTLED')).toHaveLength(3);
    },
  );
});

/** The first error's code, or `ok`. */
function codeOf(reply: GraphQLReply): string {
  const code = reply.body.errors?.[0]?.extensions?.code;
  if (code === undefined) return 'ok';
  return typeof code === 'string' ? code : JSON.stringify(code);
}
