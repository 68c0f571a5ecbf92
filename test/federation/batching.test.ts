/**
 * DataLoader → Graph `$batch`: the number of upstream HTTP requests of every resolver that reaches Graph, counted by
 * the emulator (a `$batch` is ONE request; its items are in `batchItems`). The emulator answers batches in reverse
 * order by default, so every test here also proves that items are matched by id, not by position.
 *
 * `_entities` is sent to the subgraph directly, exactly as the router sends it.
 */
import { expect } from '@jest/globals';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SAMPLE_POOLS, type RecordedRequest } from '@esim-pools/graph-emulator';
import { GRAPH_BATCH_LIMIT } from '../../src/graph/batch';
import { GraphClient } from '../../src/graph/client';
import { EmulatorCredential } from '../../src/identity/credential';
import { GraphError } from '../../src/graph/errors';
import { createLoaders } from '../../src/graphql/context';
import { useStack, type GraphQLReply } from '../support/stack';
import { listenOnLoopback } from '../support/net';

const [P1, P2, P3] = SAMPLE_POOLS.map((p) => p.id);
const POOLS_PATH = '/beta/deviceManagement/embeddedSIMActivationCodePools';

/** A GUID no pool has (Graph answers 404 for it). */
function unknownPoolId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on EmbeddedSIMActivationCodePool { id displayName }
    }
  }
`;

const ENTITIES_WITH_ASSIGNMENTS = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on EmbeddedSIMActivationCodePool { id assignments { id } }
    }
  }
`;

const ENTITIES_WITH_DEVICE_STATES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on EmbeddedSIMActivationCodePool { id deviceStates(first: 3) { edges { node { id state } } pageInfo { hasNextPage } } }
    }
  }
`;

const reps = (ids: string[]) => ids.map((id) => ({ __typename: 'EmbeddedSIMActivationCodePool', id }));

const fixture = useStack();

const calls = () => fixture.stack.emulator.requests;
const isBatch = (r: RecordedRequest) => r.method === 'POST' && r.path === '/beta/$batch';
/** The pool ids of a recorded $batch's items, e.g. [P1, P2] for GETs of …/{P1} and …/{P2}/assignments. */
const itemPoolIds = (r: RecordedRequest) => (r.batchItems ?? []).map((item) => item.path.slice(POOLS_PATH.length + 1).split('/')[0]);
const entities = (reply: GraphQLReply) => reply.body.data?._entities as Array<Record<string, unknown> | null>;

describe('_entities (the router asks for many pools at once)', () => {
  // The 3 real pools sit in each of the three chunks, between 42 ids Graph does not know.
  const ids = Array.from({ length: 45 }, (_, i) => unknownPoolId(i));
  ids[0] = P1;
  ids[21] = P2;
  ids[44] = P3;

  it('45 pool representations → exactly 3 upstream HTTP requests ($batch of 20, 20, 5)', async () => {
    const reply = await fixture.stack.graphql(ENTITIES, { representations: reps(ids) });
    expect(reply.body.errors).toBeUndefined();
    expect(calls()).toHaveLength(3);
    expect(calls().every(isBatch)).toBe(true);
    expect(calls().map((r) => r.batchItems?.length).sort()).toEqual([20, 20, 5]);
    expect(calls().flatMap(itemPoolIds).sort()).toEqual([...ids].sort());
    // Results in representation order although Graph answered each batch in reverse; 404 → null.
    const result = entities(reply);
    expect(result).toHaveLength(45);
    result.forEach((entity, i) => {
      const sample = SAMPLE_POOLS.find((p) => p.id === ids[i]);
      expect(entity).toEqual(sample ? { id: sample.id, displayName: sample.displayName } : null);
    });
  });

  it('the same in request order (Graph may or may not reorder)', async () => {
    fixture.stack.emulator.setBatchOrder('request');
    const reply = await fixture.stack.graphql(ENTITIES, { representations: reps(ids) });
    expect(calls()).toHaveLength(3);
    expect(entities(reply).map((e) => e?.id ?? null)).toEqual(ids.map((id) => (SAMPLE_POOLS.some((p) => p.id === id) ? id : null)));
  });

  it('repeated ids (in any letter case) are fetched once', async () => {
    const reply = await fixture.stack.graphql(ENTITIES, { representations: reps([P1, P1.toUpperCase(), P2, P1, P2.toUpperCase()]) });
    expect(reply.body.errors).toBeUndefined();
    expect(entities(reply).map((e) => e?.id)).toEqual([P1, P1, P2, P1, P2]);
    expect(calls()).toHaveLength(1);
    expect(itemPoolIds(calls()[0]).sort()).toEqual([P1, P2].sort());
  });

  it('45 representations with assignments → exactly 3 $batch: each pool read with its assignments ($expand)', async () => {
    const reply = await fixture.stack.graphql(ENTITIES_WITH_ASSIGNMENTS, { representations: reps(ids) });
    expect(reply.body.errors).toBeUndefined();
    expect(calls()).toHaveLength(3);
    expect(calls().every(isBatch)).toBe(true);
    const items = calls().flatMap((r) => r.batchItems ?? []);
    expect(items.map((item) => item.query.$expand)).toEqual(ids.map(() => 'assignments'));
    expect(items.some((item) => item.path.endsWith('/assignments'))).toBe(false);
    expect(calls().flatMap(itemPoolIds).sort()).toEqual([...ids].sort());
    expect(entities(reply)[0]).toEqual({ id: P1, assignments: [{ id: expect.any(String) }, { id: expect.any(String) }] });
    expect(entities(reply)[1]).toBeNull();
    expect(entities(reply)[44]).toEqual({ id: P3, assignments: [{ id: expect.any(String) }, { id: expect.any(String) }] });
  });

  it('assignments selected through a named fragment, or through a fragment on the _Entity union, are expanded too', async () => {
    for (const query of [
      'query ($r: [_Any!]!) { _entities(representations: $r) { ...P } } fragment P on EmbeddedSIMActivationCodePool { id assignments { id } }',
      'query ($r: [_Any!]!) { _entities(representations: $r) { ...E } } fragment E on _Entity { ... on EmbeddedSIMActivationCodePool { id assignments { id } } }',
    ]) {
      fixture.stack.emulator.clearRequests();
      const reply = await fixture.stack.graphql(query, { r: reps([P1, P3]) });
      expect(reply.body.errors).toBeUndefined();
      expect(calls()).toHaveLength(1);
      expect(calls()[0].batchItems?.map((item) => item.query.$expand)).toEqual(['assignments', 'assignments']);
      expect(entities(reply).map((e) => (e?.assignments as unknown[]).length)).toEqual([2, 2]);
    }
  });

  it('deviceStates of many entities → 1 $batch for the pools + 1 for the device states', async () => {
    const reply = await fixture.stack.graphql(ENTITIES_WITH_DEVICE_STATES, { representations: reps([P1, P2, P3]) });
    expect(reply.body.errors).toBeUndefined();
    expect(calls()).toHaveLength(2);
    const [, states] = calls();
    expect(states.batchItems?.map((item) => item.path).sort()).toEqual([P1, P2, P3].map((id) => `${POOLS_PATH}/${id}/deviceStates`).sort());
    expect(states.batchItems?.map((item) => item.query.$top)).toEqual(['3', '3', '3']);
    const result = entities(reply) as Array<{ id: string; deviceStates: { edges: unknown[]; pageInfo: { hasNextPage: boolean } } }>;
    expect(result.map((e) => [e.id, e.deviceStates.edges.length, e.deviceStates.pageInfo.hasNextPage])).toEqual([
      [P1, 3, true],
      [P2, 0, false],
      [P3, 3, true],
    ]);
  });

  it('an invalid id is that representation’s BAD_USER_INPUT, and is never sent to Graph', async () => {
    const reply = await fixture.stack.graphql(ENTITIES, { representations: reps([P1, '../../users', P2]) });
    expect(reply.body.errors).toHaveLength(1);
    expect(reply.body.errors?.[0]).toMatchObject({ path: ['_entities', 1], extensions: { code: 'BAD_USER_INPUT' } });
    expect(entities(reply).map((e) => e?.id ?? null)).toEqual([P1, null, P2]);
    expect(calls()).toHaveLength(1);
    expect(itemPoolIds(calls()[0]).sort()).toEqual([P1, P2].sort());
  });
});

describe('request count of every resolver that reaches Graph', () => {
  const count = async (query: string, variables?: Record<string, unknown>) => {
    const reply = await fixture.stack.graphql(query, variables);
    expect(reply.body.errors).toBeUndefined();
    return calls().map((r) => `${r.method} ${r.path}${r.batchItems ? ` [${r.batchItems.length}]` : ''}`);
  };

  it('Query.embeddedSIMActivationCodePool ×3 plus their assignments → 2 requests', async () => {
    const sent = await count(/* GraphQL */ `
      {
        a: embeddedSIMActivationCodePool(id: "${P1}") { id assignments { id } }
        b: embeddedSIMActivationCodePool(id: "${P2}") { id assignments { id } }
        c: embeddedSIMActivationCodePool(id: "${P3}") { id assignments { id } }
      }
    `);
    expect(sent.length).toBeLessThanOrEqual(2);
    expect(sent).toEqual(['POST /beta/$batch [3]', 'POST /beta/$batch [3]']);
  });

  it('Query.embeddedSIMActivationCodePools with assignments → the list + 1 $batch (the listed pools are not re-read)', async () => {
    const sent = await count(/* GraphQL */ `
      { embeddedSIMActivationCodePools(first: 10) { edges { node { id displayName assignments { id } } } } }
    `);
    expect(sent).toEqual([`GET ${POOLS_PATH}`, 'POST /beta/$batch [3]']);
  });

  it('Query.embeddedSIMActivationCodePools with deviceStates → the list + 1 $batch (no request per pool)', async () => {
    const sent = await count(/* GraphQL */ `
      { embeddedSIMActivationCodePools(first: 10) { edges { node { id deviceStates(first: 2) { edges { node { id } } } } } } }
    `);
    expect(sent).toEqual([`GET ${POOLS_PATH}`, 'POST /beta/$batch [3]']);
  });

  it('a pool by id with assignments and deviceStates → 3 requests (pool, then both lists side by side)', async () => {
    const sent = await count(/* GraphQL */ `
      { embeddedSIMActivationCodePool(id: "${P1}") { id assignments { id } deviceStates(first: 5) { edges { node { id } } } } }
    `);
    expect(sent).toEqual(['POST /beta/$batch [1]', 'POST /beta/$batch [1]', 'POST /beta/$batch [1]']);
  });

  it('two pages of the same pool in one query are two items of one $batch', async () => {
    const sent = await count(/* GraphQL */ `
      { embeddedSIMActivationCodePool(id: "${P1}") { small: deviceStates(first: 2) { edges { cursor } } big: deviceStates(first: 10) { edges { cursor } } } }
    `);
    expect(sent).toEqual(['POST /beta/$batch [1]', 'POST /beta/$batch [2]']);
  });

  it('Mutation.assign… with payload.pool { assignments } → the assign + 1 read of the pool', async () => {
    const sent = await count(
      /* GraphQL */ `
        mutation ($poolId: ID!) {
          assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: [{ target: { kind: ALL_DEVICES } }]) {
            pool { id modifiedDateTime assignments { id } }
            assignments { id }
          }
        }
      `,
      { poolId: P2 },
    );
    expect(sent).toEqual([`POST ${POOLS_PATH}/${P2}/assign`, 'POST /beta/$batch [1]']);
  });
});

describe('per-item failures inside a $batch', () => {
  it('a per-item 403 is that entity’s FORBIDDEN error; the others resolve; nothing is retried', async () => {
    fixture.stack.emulator.setFaults({ batchItems: true, match: P2, script: [403] });
    const reply = await fixture.stack.graphql(ENTITIES, { representations: reps([P1, P2, P3]) });
    expect(reply.body.errors).toHaveLength(1);
    expect(reply.body.errors?.[0]).toMatchObject({ path: ['_entities', 1], extensions: { code: 'FORBIDDEN', graph: { status: 403 } } });
    expect(entities(reply).map((e) => e?.id ?? null)).toEqual([P1, null, P3]);
    expect(calls()).toHaveLength(1);
  });

  it('a per-item 500 is that pool’s UPSTREAM_UNAVAILABLE only', async () => {
    fixture.stack.emulator.setFaults({ batchItems: true, match: `${P3}/assignments`, script: [500] });
    const reply = await fixture.stack.graphql(/* GraphQL */ `
      {
        a: embeddedSIMActivationCodePool(id: "${P1}") { id assignments { id } }
        c: embeddedSIMActivationCodePool(id: "${P3}") { id assignments { id } }
      }
    `);
    expect(reply.body.errors).toHaveLength(1);
    expect(reply.body.errors?.[0]).toMatchObject({ path: ['c', 'assignments'], extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(reply.body.data?.a).toEqual({ id: P1, assignments: [{ id: expect.any(String) }, { id: expect.any(String) }] });
    expect(reply.body.data?.c).toBeNull();
    expect(calls()).toHaveLength(2);
  });

  it('per-item 404 of assignments is that pool’s NOT_FOUND', async () => {
    // The pool exists when read, then is "deleted" before its assignments are read.
    fixture.stack.emulator.setFaults({ batchItems: true, match: `${P1}/assignments`, script: [404] });
    const reply = await fixture.stack.graphql(`{ embeddedSIMActivationCodePool(id: "${P1}") { id assignments { id } } }`);
    expect(reply.body.errors?.[0]).toMatchObject({ path: ['embeddedSIMActivationCodePool', 'assignments'], extensions: { code: 'NOT_FOUND' } });
  });

  it('a per-item 429 re-sends only the throttled item, then succeeds', async () => {
    fixture.stack.emulator.setFaults({ batchItems: true, match: P2, script: [429], omitRetryAfter: true });
    const reply = await fixture.stack.graphql(ENTITIES, { representations: reps([P1, P2, P3]) });
    expect(reply.body.errors).toBeUndefined();
    expect(entities(reply).map((e) => e?.id)).toEqual([P1, P2, P3]);
    expect(calls()).toHaveLength(2);
    expect(itemPoolIds(calls()[0]).sort()).toEqual([P1, P2, P3].sort());
    expect(calls()[0].batchItems?.find((item) => item.path.endsWith(P2))?.status).toBe(429);
    expect(itemPoolIds(calls()[1])).toEqual([P2]);
  });

  it('a per-item 429 that persists is THROTTLED for that item only, after the retry budget', async () => {
    fixture.stack.emulator.setFaults({ batchItems: true, match: P2, script: [429, 429, 429, 429, 429], omitRetryAfter: true });
    const reply = await fixture.stack.graphql(ENTITIES, { representations: reps([P1, P2, P3]) });
    expect(reply.body.errors).toHaveLength(1);
    expect(reply.body.errors?.[0]).toMatchObject({ path: ['_entities', 1], extensions: { code: 'THROTTLED', retryAfterSeconds: expect.any(Number) } });
    expect(entities(reply).map((e) => e?.id ?? null)).toEqual([P1, null, P3]);
    // 1 attempt + 3 retries (the stack's maxRetries), the retries carrying P2 alone.
    expect(calls()).toHaveLength(4);
    expect(calls().slice(1).map(itemPoolIds)).toEqual([[P2], [P2], [P2]]);
  });
});

/**
 * A scripted Graph `$batch` endpoint, for what the emulator cannot be told to do: different Retry-After values per
 * item. It records each batch's item urls and arrival time.
 */
async function scriptedBatchUpstream(
  answer: (round: number, items: Array<{ id: string; url: string }>) => Array<{ id: string; status: number; headers?: Record<string, string>; body?: unknown }>,
) {
  const seen: Array<{ at: number; urls: string[] }> = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      const parsed = JSON.parse(text) as { requests: Array<{ id: string; url: string }> };
      seen.push({ at: Date.now(), urls: parsed.requests.map((r) => r.url) });
      const body = JSON.stringify({ responses: answer(seen.length - 1, parsed.requests) });
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('per-item Retry-After', () => {
  it('waits for the LONGEST Retry-After among the throttled items, then re-sends only them', async () => {
    const pool = (id: string) => ({ id, displayName: id, activationCodeCount: 1, createdDateTime: '2026-01-01T00:00:00Z', modifiedDateTime: '2026-01-01T00:00:00Z' });
    const upstream = await scriptedBatchUpstream((round, items) =>
      items.map(({ id, url }) => {
        const poolId = url.split('/').pop() ?? '';
        if (round === 0 && poolId === P1) return { id, status: 429, headers: { 'Retry-After': '0.05' }, body: { error: { code: 'TooManyRequests', message: 'slow down' } } };
        if (round === 0 && poolId === P2) return { id, status: 429, headers: { 'Retry-After': '0.4' }, body: { error: { code: 'TooManyRequests', message: 'slow down' } } };
        return { id, status: 200, body: pool(poolId) };
      }),
    );
    const client = new GraphClient(upstream.url, new EmulatorCredential(), { scope: 'https://graph.microsoft.com/.default', retry: { baseDelayMs: 1, maxDelayMs: 1 } });
    try {
      const results = await client.getPools([P1, P2, P3]);
      expect(results.map((r) => (r instanceof GraphError || r === null ? r : r.id))).toEqual([P1, P2, P3]);
      expect(upstream.seen).toHaveLength(2);
      expect(upstream.seen[1].urls.map((u) => u.split('/').pop()).sort()).toEqual([P1, P2].sort());
      // Not after 0.05 s (the shorter wait) but after the longer 0.4 s (a lower bound, not a speed assertion).
      expect(upstream.seen[1].at - upstream.seen[0].at).toBeGreaterThanOrEqual(380);
    } finally {
      await client.close();
      await upstream.close();
    }
  });

  it(`splits more than ${GRAPH_BATCH_LIMIT} items into batches of at most ${GRAPH_BATCH_LIMIT}`, async () => {
    const upstream = await scriptedBatchUpstream((_round, items) => items.map(({ id }) => ({ id, status: 404, body: { error: { code: 'ResourceNotFound', message: 'no' } } })));
    const client = new GraphClient(upstream.url, new EmulatorCredential(), { scope: 'https://graph.microsoft.com/.default' });
    try {
      const ids = Array.from({ length: 41 }, (_, i) => unknownPoolId(i));
      expect(await client.getPools(ids)).toEqual(ids.map(() => null));
      expect(upstream.seen.map((b) => b.urls.length).sort((a, b) => a - b)).toEqual([1, 20, 20]);
    } finally {
      await client.close();
      await upstream.close();
    }
  });
});

describe('pools read with $expand=assignments (the loader behind _entities)', () => {
  const wirePool = (id: string) => ({
    id,
    displayName: `pool ${id.slice(0, 4)}`,
    activationCodeCount: 1,
    createdDateTime: '2026-01-01T00:00:00Z',
    modifiedDateTime: '2026-01-01T00:00:00Z',
  });
  const assignment = (n: number) => ({
    '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment',
    id: `a1b2c3d4-0000-4000-8000-00000000000${n}`,
    target: { '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget', deviceAndAppManagementAssignmentFilterType: 'none' },
  });

  async function loadBoth(expand: 'expanded' | 'ignored' | 'malformed') {
    const upstream = await scriptedBatchUpstream((_round, items) =>
      items.map(({ id, url }) => {
        const poolId = url.split('/')[3].split('?')[0];
        if (url.endsWith('/assignments')) return { id, status: 200, body: { value: [assignment(2)] } };
        const extra = expand === 'expanded' ? { assignments: [assignment(1)] } : expand === 'malformed' ? { assignments: [{ nope: true }] } : {};
        return { id, status: 200, body: { ...wirePool(poolId), ...extra } };
      }),
    );
    const client = new GraphClient(upstream.url, new EmulatorCredential(), { scope: 'https://graph.microsoft.com/.default' });
    try {
      const loaders = createLoaders(client, {});
      const pool = await loaders.poolWithAssignmentsById.load(P1);
      const assignments = await loaders.assignmentsByPool.load(P1);
      return { pool, assignments, batches: upstream.seen.map((b) => b.urls) };
    } finally {
      await client.close();
      await upstream.close();
    }
  }

  it('one request serves the pool and its assignments when Graph expands them', async () => {
    const { pool, assignments, batches } = await loadBoth('expanded');
    expect(pool).toEqual(wirePool(P1));
    expect(assignments.map((a) => a.id)).toEqual([assignment(1).id]);
    expect(batches).toEqual([[`/deviceManagement/embeddedSIMActivationCodePools/${P1}?$expand=assignments`]]);
  });

  it.each(['ignored', 'malformed'] as const)('when Graph’s reply has no usable assignments (%s), they are read on their own', async (mode) => {
    const { pool, assignments, batches } = await loadBoth(mode);
    expect(pool).toEqual(wirePool(P1));
    expect(assignments.map((a) => a.id)).toEqual([assignment(2).id]);
    expect(batches).toEqual([
      [`/deviceManagement/embeddedSIMActivationCodePools/${P1}?$expand=assignments`],
      [`/deviceManagement/embeddedSIMActivationCodePools/${P1}/assignments`],
    ]);
  });
});
