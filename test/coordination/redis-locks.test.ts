/**
 * Pool locks shared by replicas through a real Redis: exclusivity, ownership, expiry of a dead holder's lock,
 * renewal while held, deadline and abort.
 */
import { withPoolLock } from '../../src/coordination/types';
import { describeWithRedis, eventually } from '../support/redis';
import { outcome, useRedisReplicas } from './helpers';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const POOL = '6F3B1C2A-0000-4000-8000-000000000001';

describeWithRedis()('Redis pool locks', () => {
  const fixture = useRedisReplicas();

  it('lets one edit at a time through across two replicas: no lost read-modify-write updates', async () => {
    const [a, b] = await Promise.all([fixture.replicas().add(), fixture.replicas().add()]);
    const redis = fixture.replicas().client();
    const counter = fixture.replicas().key('test-counter');
    await redis.set(counter, '0');
    let inside = 0;
    let mostInside = 0;
    const edit = async (): Promise<void> => {
      inside++;
      mostInside = Math.max(mostInside, inside);
      const value = Number(await redis.get(counter));
      await sleep(5); // without the lock, the others read the same value meanwhile
      await redis.set(counter, String(value + 1));
      inside--;
    };
    const deadline = Date.now() + 25_000;
    // Pool ids differ only in case: Graph ids are GUIDs, compared case-insensitively.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withPoolLock((i % 2 === 0 ? a : b).coordination.locks, i % 4 < 2 ? POOL : POOL.toLowerCase(), { deadline }, edit),
      ),
    );
    expect(await redis.get(counter)).toBe('20');
    expect(mostInside).toBe(1);
    expect(await redis.exists(fixture.replicas().key(`lock:${POOL.toLowerCase()}`))).toBe(0);
  });

  it('lets only the owner release: an expired lease released late leaves the new holder its lock', async () => {
    // A's lock is never renewed and lives 300 ms, as if A stalled past its TTL.
    const a = await fixture.replicas().add({ settings: { lockTtlMs: 300 }, lockMaxHoldMs: 0 });
    const b = await fixture.replicas().add();
    const lockKey = fixture.replicas().key(`lock:${POOL.toLowerCase()}`);
    const redis = fixture.replicas().client();

    const stale = await a.coordination.locks.acquire(POOL, { deadline: Date.now() + 5000 });
    const tokenA = await redis.get(lockKey);
    const fresh = await b.coordination.locks.acquire(POOL, { deadline: Date.now() + 10_000 });
    const tokenB = await redis.get(lockKey);
    expect(tokenB).not.toBeNull();
    expect(tokenB).not.toBe(tokenA);

    await stale.release();
    expect(await redis.get(lockKey)).toBe(tokenB);
    expect(a.events).toContainEqual({ type: 'lock-lost' });
    // Still B's: another edit waits and times out.
    const third = await outcome(a.coordination.locks.acquire(POOL, { deadline: Date.now() + 300 }));
    expect(third).toMatchObject({ outcome: 'lock-timeout', retryAfterSeconds: 1 });

    await fresh.release();
    expect(await redis.exists(lockKey)).toBe(0);
  });

  it('gives the lock of a holder that died to another replica after the TTL', async () => {
    const a = await fixture.replicas().add({ settings: { lockTtlMs: 1000 } });
    const b = await fixture.replicas().add();
    await a.coordination.locks.acquire(POOL, { deadline: Date.now() + 5000 });
    // While A lives, B cannot have it.
    expect((await outcome(b.coordination.locks.acquire(POOL, { deadline: Date.now() + 200 }))).outcome).toBe('lock-timeout');

    // A dies: its connection goes and it never releases (nor renews) the lock.
    await a.coordination.close();
    const lease = await b.coordination.locks.acquire(POOL, { deadline: Date.now() + 15_000 });
    await lease.release();
  });

  it('renews a held lock past its TTL until released', async () => {
    const a = await fixture.replicas().add({ settings: { lockTtlMs: 1000 } });
    const b = await fixture.replicas().add();
    const lockKey = fixture.replicas().key(`lock:${POOL.toLowerCase()}`);
    const lease = await a.coordination.locks.acquire(POOL, { deadline: Date.now() + 5000 });
    await sleep(2500);
    expect(await fixture.replicas().client().exists(lockKey)).toBe(1);
    expect((await outcome(b.coordination.locks.acquire(POOL, { deadline: Date.now() + 200 }))).outcome).toBe('lock-timeout');
    await lease.release();
    expect(await fixture.replicas().client().exists(lockKey)).toBe(0);
    expect(a.coordination.locks.held).toBe(0);
  });

  it('ends a wait with lock-timeout at the deadline and with aborted on the signal, then hands the lock on', async () => {
    const [a, b] = await Promise.all([fixture.replicas().add(), fixture.replicas().add()]);
    const lease = await a.coordination.locks.acquire(POOL, { deadline: Date.now() + 5000 });

    const timedOut = await outcome(b.coordination.locks.acquire(POOL, { deadline: Date.now() + 300 }));
    expect(timedOut).toMatchObject({ outcome: 'lock-timeout', retryAfterSeconds: 1 });

    const abort = new AbortController();
    const waiting = outcome(b.coordination.locks.acquire(POOL, { deadline: Date.now() + 20_000, signal: abort.signal }));
    setTimeout(() => abort.abort(), 100);
    expect((await waiting).outcome).toBe('aborted');

    // A waiter on the same replica as the holder queues in process and gets it when A releases.
    const next = a.coordination.locks.acquire(POOL, { deadline: Date.now() + 20_000 });
    const other = b.coordination.locks.acquire(POOL.toLowerCase(), { deadline: Date.now() + 20_000 });
    await lease.release();
    const first = await Promise.race([next.then(() => 'a'), other.then(() => 'b')]);
    // Whichever got it, the other gets it after it is released.
    const [firstLease, secondLease] = first === 'a' ? [await next, other] : [await other, next];
    await firstLease.release();
    await (await secondLease).release();
    expect(await eventually(async () => (await fixture.replicas().client().exists(fixture.replicas().key(`lock:${POOL.toLowerCase()}`))) === 0)).toBe(true);
  });
});
