/**
 * Redis stopped, hung and back again under running replicas: writes and locks fail fast with `unavailable`, reads
 * go on locally, health says why (never the password), and everything is shared again without a restart.
 *
 * "Fast" is asserted as "settles within a generous guard" (the command timeout is 200 ms; the guard 5 s), not as a
 * speed.
 */
import { expect } from '@jest/globals';
import { inspect } from 'node:util';
import { describeWithRedis, eventually, RedisServer, within } from '../support/redis';
import { outcome, Replicas, type Replica } from './helpers';

const PASSWORD = 'Sup3r-S3cret-redis-pw';
const POOL = '6f3b1c2a-0000-4000-8000-000000000002';
const GUARD_MS = 5000;

function expectNoPassword(replica: Replica, ...more: unknown[]): void {
  const text = [...replica.logs, inspect(replica.events, { depth: 6 }), inspect(replica.coordination.health()), ...more.map((m) => inspect(m, { depth: 6 }))].join('\n');
  expect(text).not.toContain(PASSWORD);
}

describeWithRedis()('Redis outage', () => {
  let server: RedisServer;
  let replicas: Replicas;

  beforeAll(async () => {
    server = await RedisServer.start({ password: PASSWORD });
  });
  afterAll(async () => {
    await server?.destroy();
  });
  beforeEach(async () => {
    await server.start(); // a test that failed half-way may have left it stopped
    replicas = new Replicas(server);
  });
  afterEach(async () => {
    server.resume();
    await replicas.closeAll();
  });

  it('refuses writes and locks fast while Redis is down, keeps reads going, and recovers when it is back', async () => {
    const a = await replicas.add({ reads: { limit: 1000 } });
    const b = await replicas.add();
    expect(a.coordination.health()).toEqual({ backend: 'redis', ok: true });
    expect((await outcome(a.coordination.writes.take())).outcome).toBe('granted');

    // B holds a pool's lock and A waits for it when Redis goes away.
    const held = await b.coordination.locks.acquire(POOL, { deadline: Date.now() + 5000 });
    const waiting = outcome(a.coordination.locks.acquire(POOL, { deadline: Date.now() + 60_000 }));
    await server.stop();

    expect((await within(waiting, GUARD_MS, 'a lock wait during the outage')).outcome).toBe('unavailable');
    // The first reason may be ECONNRESET (a command was in flight); the reconnect attempts then meet a closed port.
    expect(await eventually(() => a.coordination.health().reason === 'redis unreachable: ECONNREFUSED')).toBe(true);
    expect(a.coordination.health()).toEqual({ backend: 'redis', ok: false, reason: 'redis unreachable: ECONNREFUSED' });

    const write = await within(outcome(a.coordination.writes.take()), GUARD_MS, 'a write take during the outage');
    expect(write.outcome).toBe('unavailable');
    const lock = await within(outcome(a.coordination.locks.acquire(POOL, { deadline: Date.now() + 60_000 })), GUARD_MS, 'a lock during the outage');
    expect(lock.outcome).toBe('unavailable');
    for (let i = 0; i < 5; i++) {
      expect((await within(outcome(a.coordination.reads.take()), GUARD_MS, 'a read take during the outage')).outcome).toBe('granted');
    }
    expect(a.events).toContainEqual({ type: 'budget-fallback', budget: 'reads' });
    expect(a.events).toContainEqual({ type: 'store-down', reason: expect.stringMatching(/^redis unreachable: /) });
    // The lease's release cannot reach Redis: it does not throw (the lock would expire by itself).
    await within(held.release(), GUARD_MS, 'a release during the outage');
    expectNoPassword(a, write, lock);
    expectNoPassword(b);

    await server.start();
    expect(await eventually(() => a.coordination.health().ok, 15_000)).toBe(true);
    expect(a.events).toContainEqual({ type: 'store-up' });
    expect((await outcome(a.coordination.writes.take())).outcome).toBe('granted');
    const lease = await a.coordination.locks.acquire(POOL, { deadline: Date.now() + 5000 });
    await lease.release();
    // The restarted server has none of the scripts cached: EVALSHA fell back to EVAL.
    expect(await eventually(() => b.coordination.health().ok, 15_000)).toBe(true);
    expect((await outcome(b.coordination.writes.take())).outcome).toBe('granted');
    expectNoPassword(a);
  });

  it('refuses writes and locks after the command timeout when Redis hangs, and recovers when it answers again', async () => {
    const a = await replicas.add({ writes: { limit: 100 } });
    expect((await outcome(a.coordination.writes.take())).outcome).toBe('granted');
    server.pause();

    const write = await within(outcome(a.coordination.writes.take()), GUARD_MS, 'a write take while Redis hangs');
    expect(write.outcome).toBe('unavailable');
    expect(write.message).toMatch(/redis slow|redis unreachable/);
    const lock = await within(outcome(a.coordination.locks.acquire(POOL, { deadline: Date.now() + 60_000 })), GUARD_MS, 'a lock while Redis hangs');
    expect(lock.outcome).toBe('unavailable');
    expect((await within(outcome(a.coordination.reads.take()), GUARD_MS, 'a read take while Redis hangs')).outcome).toBe('granted');
    expect(a.coordination.health().ok).toBe(false);
    expect(a.coordination.health().reason).toMatch(/^redis (slow|unreachable): /);

    server.resume();
    expect(await eventually(async () => (await outcome(a.coordination.writes.take())).outcome === 'granted', 15_000)).toBe(true);
    expect(await eventually(() => a.coordination.health().ok, 15_000)).toBe(true);
    expectNoPassword(a, write, lock);
  });

  it('says the password was refused, without showing it', async () => {
    const wrong = 'Wr0ng-password-value';
    const a = await replicas.add({ settings: { password: wrong }, noWait: true });
    expect(await eventually(() => a.coordination.health().reason === 'redis refused: WRONGPASS')).toBe(true);
    const write = await within(outcome(a.coordination.writes.take()), GUARD_MS, 'a write take with a wrong password');
    expect(write.outcome).toBe('unavailable');
    const text = [...a.logs, inspect(a.events), inspect(write)].join('\n');
    expect(text).not.toContain(wrong);
    expect(text).toContain('WRONGPASS');
  });
});
