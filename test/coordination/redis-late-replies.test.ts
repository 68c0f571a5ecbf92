/**
 * A reply later than the command timeout (500 ms here) on a connection that is still up: what a replica whose event
 * loop stalled sees. `CLIENT PAUSE 600 ALL` holds every client's commands on the real server for 600 ms, so the
 * first try of a take times out while it waits there and is then applied anyway; the second try must find that
 * take already made — the lock this token's, the budget slot counted once — and not wait on itself, count twice or
 * refuse. A server that stays silent is redis-outage.test.ts's.
 */
import { describeWithRedis } from '../support/redis';
import { outcome, useRedisReplicas } from './helpers';

const POOL = '6f3b1c2a-0000-4000-8000-000000000003';
/** Past the first try's timeout; the second try (sent at 500 ms, due by 1000 ms) is answered at 600 ms: a wide margin on a busy machine. */
const COMMAND_TIMEOUT_MS = 500;
const PAUSE_MS = 600;
const slowReplies = { settings: { commandTimeoutMs: COMMAND_TIMEOUT_MS } };

describeWithRedis()('Redis replies that come late', () => {
  const fixture = useRedisReplicas();

  async function pauseServer(): Promise<void> {
    expect(await fixture.replicas().client().call('CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL')).toBe('OK');
  }

  it('a lock whose first take timed out but was applied is this take\'s, and its release frees the pool', async () => {
    const a = await fixture.replicas().add(slowReplies);
    const b = await fixture.replicas().add();
    const lockKey = fixture.replicas().key(`lock:${POOL}`);
    await pauseServer();
    const taken = await outcome(a.coordination.locks.acquire(POOL, { deadline: Date.now() + 3000 }));
    expect(taken).toEqual({ outcome: 'granted' });
    // A has the lock (one holder, one token): B cannot take it meanwhile.
    expect(a.coordination.locks.held).toBe(1);
    expect(await fixture.replicas().client().exists(lockKey)).toBe(1);
    expect((await outcome(b.coordination.locks.acquire(POOL, { deadline: Date.now() + 200 }))).outcome).toBe('lock-timeout');

    const second = await a.coordination.locks.acquire(POOL, { deadline: Date.now() + 10 }).catch((error: unknown) => error);
    // A second take on the same replica queues behind the first in process: it is not granted twice.
    expect(second).toMatchObject({ failure: 'lock-timeout' });
  });

  it('a lease acquired with a late reply releases normally; a late release reply is not a lost lock', async () => {
    const a = await fixture.replicas().add(slowReplies);
    const lockKey = fixture.replicas().key(`lock:${POOL}`);
    await pauseServer();
    const lease = await a.coordination.locks.acquire(POOL, { deadline: Date.now() + 3000 });
    await pauseServer();
    await lease.release();
    expect(await fixture.replicas().client().exists(lockKey)).toBe(0);
    expect(a.events).not.toContainEqual({ type: 'lock-lost' });
    expect(a.coordination.health()).toEqual({ backend: 'redis', ok: true });
  });

  it('a budget take whose first try timed out but was applied is granted and counted once', async () => {
    const a = await fixture.replicas().add({ ...slowReplies, writes: { limit: 5, windowMs: 20_000, maxWaitMs: 0 } });
    await pauseServer();
    expect(await outcome(a.coordination.writes.take())).toEqual({ outcome: 'granted' });
    expect(await fixture.replicas().client().zcard(fixture.replicas().key('budget:writes'))).toBe(1);
    // The store answered on the second try: it was never reported down.
    expect(a.events.filter((event) => event.type === 'store-down')).toEqual([]);
    expect(a.coordination.health()).toEqual({ backend: 'redis', ok: true });
  });
});
