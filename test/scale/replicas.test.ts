/**
 * Several replicas of the built service (dist/index.js) sharing one real redis-server, in front of ONE Graph
 * emulator over HTTP whose tenant-wide write window is Intune's (100 writes per 20 s): the replicas must behave as
 * one app — one write budget, one lock per pool — survive a replica dying while it holds a lock, and keep reading
 * (but refuse writes, fast) while Redis is down. `npm run build` first. Without redis-server the suite is skipped
 * with one loud line; in CI (REQUIRE_REAL_PARTS=1) it fails instead.
 */
import { expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { generatedPoolId, startGraphEmulator, type GraphEmulator } from '@esim-pools/graph-emulator';
import { spawnService, type ServiceProcess } from '../support/process';
import { describeWithRedis, eventually, RedisServer, within } from '../support/redis';
import { postGraphQL, type GraphQLReply } from '../support/stack';

const POOLS = 15;
const ASSIGN = `mutation($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
  assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: $assignments) { assignments { id } }
}`;
const ADD = `mutation($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
  addEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, assignments: $assignments) { added { __typename } }
}`;
const READ = 'query($id: ID!) { embeddedSIMActivationCodePool(id: $id) { id displayName } }';
const ALL_DEVICES = [{ target: { kind: 'ALL_DEVICES' } }];

const errorCode = (reply: GraphQLReply): unknown => reply.body.errors?.[0]?.extensions?.code;

async function getText(url: string): Promise<{ status: number; text: string }> {
  const res = await request(url);
  return { status: res.statusCode, text: await res.body.text() };
}

describeWithRedis()('replicas sharing Redis in front of one emulator', () => {
  let redis: RedisServer;
  let emulator: GraphEmulator;
  let replicas: ServiceProcess[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.destroy();
  });

  beforeEach(async () => {
    // A fresh emulator (and so a fresh write window) per test; Intune's per-app limit as the tenant's window.
    emulator = await startGraphEmulator({ extraPools: POOLS, writeLimit: { limit: 100, windowSeconds: 20 } });
  });
  afterEach(async () => {
    await Promise.all(
      replicas.map(async (replica) => {
        const exited = replica.stop('SIGTERM');
        const timer = setTimeout(() => replica.child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    replicas = [];
    await emulator.close();
  });

  /** The replicas' environment; a key prefix of their own, so no test sees another's budget or locks. */
  function replicaEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      GRAPH_AUTH_MODE: 'emulator',
      GRAPH_BASE_URL: emulator.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `replicas-${randomUUID().slice(0, 8)}`,
      REDIS_LOCK_TTL_MS: '3000',
      // The emulator counts a write when it arrives, the shared budget when it is sent: two writes sent in order can
      // arrive in the other order, so a budget of exactly 100 could see the window's 101st arrival. Keep a margin.
      GRAPH_WRITE_LIMIT: '95',
      // Three replicas, the emulator and Redis share this machine's cores with the test runner: a replica can stall
      // for longer than the 500 ms default and see a Redis reply as late twice over. What is under test here is one
      // budget and one lock across replicas; late replies and time-outs are test/coordination's, at 200 ms.
      REDIS_COMMAND_TIMEOUT_MS: '2000',
      // The adds use new random group ids; the target checks are test/integration/target-checks.test.ts's.
      TARGET_CHECKS: 'off',
      ...extra,
    };
  }

  /** Three replicas on the emulator and Redis. */
  async function startReplicas(extra: Record<string, string> = {}): Promise<ServiceProcess[]> {
    const env = replicaEnv(extra);
    replicas = await Promise.all([0, 1, 2].map(() => spawnService(env, { timeoutMs: 30_000 })));
    return replicas;
  }

  it('a burst of 300 assigns over three replicas and 15 pools: no 429 from the emulator; each ends ok or THROTTLED', async () => {
    const [a, b, c] = await startReplicas();
    const urls = [a.url, b.url, c.url];
    const replies = await within(
      Promise.all(
        Array.from({ length: 300 }, (_, i) => postGraphQL(urls[i % 3], ASSIGN, { poolId: generatedPoolId(i % POOLS), assignments: ALL_DEVICES })),
      ),
      90_000,
      'the burst',
    );
    let ok = 0;
    for (const reply of replies) {
      if (reply.body.errors === undefined) {
        ok += 1;
        continue;
      }
      expect(reply.body.errors[0]?.extensions).toEqual(expect.objectContaining({ code: 'THROTTLED', retryAfterSeconds: expect.any(Number) }));
      expect(reply.body.errors[0]?.extensions?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    const assigns = emulator.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/assign'));
    expect(assigns.filter((r) => r.status === 429)).toEqual([]);
    // The shared budget let through (nearly) the whole window and no more: 3 replicas x 95 would have been 285.
    expect(assigns.length).toBeLessThanOrEqual(95);
    expect(ok).toBe(assigns.length);
    expect(ok).toBeGreaterThan(50);
  }, 150_000);

  it('twenty concurrent adds of different groups to one pool over three replicas: all twenty assigned', async () => {
    const [a, b, c] = await startReplicas();
    const urls = [a.url, b.url, c.url];
    const pool = generatedPoolId(0);
    const groups = Array.from({ length: 20 }, () => randomUUID());
    const replies = await within(
      Promise.all(groups.map((groupId, i) => postGraphQL(urls[i % 3], ADD, { poolId: pool, assignments: [{ target: { kind: 'GROUP', groupId } }] }))),
      60_000,
      'the adds',
    );
    for (const reply of replies) expect(reply.body.errors).toBeUndefined();
    const assigned = JSON.stringify(emulator.getAssignments(pool));
    // Each edit read the set its predecessor wrote (the lock is shared): none undid another's group.
    expect(groups.filter((groupId) => !assigned.includes(groupId))).toEqual([]);
  }, 120_000);

  it('a replica killed (SIGKILL) holding a pool\'s lock: another edits that pool once the lock\'s TTL ran out', async () => {
    // GRAPH_TIMEOUT_MS bounds the lock wait: if the dead holder's lock never expired, the edit below would end POOL_BUSY.
    const [a, b] = await startReplicas({ GRAPH_TIMEOUT_MS: '15000' });
    const pool = generatedPoolId(3);
    // The emulator never answers this pool's assign: replica a holds the pool's lock while it waits.
    emulator.setFaults({ match: `${pool}/assign`, hang: true });
    const abandoned = postGraphQL(a.url, ASSIGN, { poolId: pool, assignments: ALL_DEVICES }).catch(() => undefined);
    const arrived = await eventually(() => emulator.requests.some((r) => r.path.endsWith(`${pool}/assign`) && r.status === 0), 15_000);
    expect(arrived).toBe(true);
    a.child.kill('SIGKILL');
    await a.exited;
    await abandoned;
    emulator.setFaults(undefined);

    const reply = await within(postGraphQL(b.url, ASSIGN, { poolId: pool, assignments: ALL_DEVICES }), 20_000, 'the edit after the kill');
    expect(reply.body.errors).toBeUndefined();
    expect(emulator.requests.filter((r) => r.path.endsWith(`${pool}/assign`) && r.status === 200)).toHaveLength(1);
    // The dead replica stays in the list for afterEach, which finds it exited.
  }, 90_000);

  it('a replica starting before Redis answers waits for it before it listens, so its first write goes through', async () => {
    const pool = generatedPoolId(6);
    const env = replicaEnv();
    await redis.stop();
    const starting = spawnService(env, { timeoutMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await redis.start();
    const replica = await starting;
    replicas.push(replica);
    const reply = await postGraphQL(replica.url, ADD, { poolId: pool, assignments: [{ target: { kind: 'GROUP', groupId: randomUUID() } }] });
    expect(reply.body.errors).toBeUndefined();
    expect(replica.logs().filter((line) => String(line.msg).includes('did not answer at start-up'))).toEqual([]);
  }, 60_000);

  it('a replica starting while Redis is down listens after a bounded wait and says why: reads served, writes refused', async () => {
    const pool = generatedPoolId(7);
    await redis.stop();
    try {
      const replica = await spawnService(replicaEnv(), { timeoutMs: 30_000 });
      replicas.push(replica);
      expect(replica.logs()).toContainEqual(
        expect.objectContaining({ level: 'warn', msg: expect.stringContaining('Redis did not answer at start-up'), reason: expect.stringMatching(/^redis unreachable/) }),
      );
      const read = await postGraphQL(replica.url, READ, { id: pool });
      expect(read.body.errors).toBeUndefined();
      const write = await postGraphQL(replica.url, ASSIGN, { poolId: pool, assignments: ALL_DEVICES });
      expect(errorCode(write)).toBe('COORDINATION_UNAVAILABLE');
      expect(emulator.requestCount((r) => r.path.endsWith('/assign'))).toBe(0);
    } finally {
      await redis.start();
    }
  }, 60_000);

  it('Redis stopped: writes COORDINATION_UNAVAILABLE fast, reads go on, /readyz and /metrics say why; Redis back: writes again', async () => {
    const [a, b] = await startReplicas();
    const base = a.url.replace(/\/graphql$/, '');
    const pool = generatedPoolId(5);
    expect((await postGraphQL(a.url, ASSIGN, { poolId: pool, assignments: ALL_DEVICES })).body.errors).toBeUndefined();
    expect(JSON.parse((await getText(`${base}/readyz`)).text)).toEqual({ status: 'ready', coordination: { backend: 'redis', ok: true } });

    await redis.stop();
    const writesBefore = emulator.requestCount((r) => r.method === 'POST');
    for (const replica of [a, b]) {
      const reply = await within(postGraphQL(replica.url, ASSIGN, { poolId: pool, assignments: ALL_DEVICES }), 5_000, 'a write while Redis is down');
      expect(reply.body.errors?.[0]?.extensions).toEqual(expect.objectContaining({ code: 'COORDINATION_UNAVAILABLE', retryAfterSeconds: expect.any(Number) }));
      expect(reply.body.data).toBeNull();
    }
    expect(emulator.requestCount((r) => r.method === 'POST')).toBe(writesBefore);
    const read = await within(postGraphQL(b.url, READ, { id: pool }), 5_000, 'a read while Redis is down');
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data).toEqual({ embeddedSIMActivationCodePool: { id: pool, displayName: expect.any(String) } });

    // Ready all the same (reads work), saying why writes do not.
    const ready = await getText(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: 'ready', coordination: { backend: 'redis', ok: false, reason: expect.stringMatching(/^redis (unreachable|slow)/) } });
    const metrics = (await getText(`${base}/metrics`)).text;
    expect(metrics).toContain('coordination_up{backend="redis"} 0');
    expect(metrics).toMatch(/coordination_lock_acquisitions_total\{outcome="unavailable"\} [1-9]/);

    await redis.start();
    // No restart: the replicas reconnect by themselves.
    // Each replica reconnects on its own backoff (up to 2 s between tries): each is waited for.
    for (const replica of [b, a]) {
      const recovered = await eventually(async () => errorCode(await postGraphQL(replica.url, ASSIGN, { poolId: pool, assignments: ALL_DEVICES })) === undefined, 20_000);
      expect(recovered).toBe(true);
    }
    expect(await eventually(async () => (await getText(`${base}/metrics`)).text.includes('coordination_up{backend="redis"} 1'), 10_000)).toBe(true);
  }, 120_000);
});
