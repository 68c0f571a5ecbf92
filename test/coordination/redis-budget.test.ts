/**
 * The write budget shared by several replicas through a real Redis: counts of granted, waiting and refused takes,
 * and a window that slides.
 */
import { expect } from '@jest/globals';
import { createCoordination } from '../../src/coordination';
import { describeWithRedis, eventually } from '../support/redis';
import { outcome, Replicas, settingsFor, useRedisReplicas } from './helpers';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describeWithRedis()('Redis rate budget', () => {
  const fixture = useRedisReplicas();

  it('grants exactly the limit across three replicas and refuses the rest with a retry-after', async () => {
    const writes = { limit: 10, windowMs: 2000, maxWaitMs: 0 };
    const all = await Promise.all([fixture.replicas().add({ writes }), fixture.replicas().add({ writes }), fixture.replicas().add({ writes })]);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => outcome(all[i % 3].coordination.writes.take())));

    const granted = results.filter((r) => r.outcome === 'granted');
    const refused = results.filter((r) => r.outcome === 'budget-exhausted');
    expect(granted).toHaveLength(10);
    expect(refused).toHaveLength(20);
    for (const r of refused) {
      expect(r.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(r.retryAfterSeconds).toBeLessThanOrEqual(2);
    }
    // Only the last `limit` send times are kept.
    expect(await fixture.replicas().client().zcard(fixture.replicas().key('budget:writes'))).toBeLessThanOrEqual(10);
  });

  it('lets takes wait for a reserved slot within maxWaitMs, and refuses those whose slot is further away', async () => {
    // Slots: 10 now, 10 when the first ten leave the 20 s window, 10 more at 40 s: past the 25 s a take may wait.
    const writes = { limit: 10, windowMs: 20_000, maxWaitMs: 25_000 };
    const all = await Promise.all([fixture.replicas().add({ writes }), fixture.replicas().add({ writes }), fixture.replicas().add({ writes })]);
    const abort = new AbortController();
    const results = new Array<{ outcome: string; retryAfterSeconds?: number } | undefined>(30).fill(undefined);
    const settled = Array.from({ length: 30 }, (_, i) =>
      outcome(all[i % 3].coordination.writes.take(abort.signal)).then((r) => {
        results[i] = r;
      }),
    );

    expect(await eventually(() => results.filter((r) => r !== undefined).length >= 20, 15_000)).toBe(true);
    const early = results.filter((r) => r !== undefined);
    expect(early.filter((r) => r.outcome === 'granted')).toHaveLength(10);
    const refused = early.filter((r) => r.outcome === 'budget-exhausted');
    expect(refused).toHaveLength(10);
    for (const r of refused) {
      expect(r.retryAfterSeconds).toBeGreaterThan(25);
      expect(r.retryAfterSeconds).toBeLessThanOrEqual(40);
    }
    // The other ten hold a reserved slot and are still waiting for it; cancel them.
    expect(results.filter((r) => r === undefined)).toHaveLength(10);
    abort.abort();
    await Promise.all(settled);
    expect(results.filter((r) => r?.outcome === 'aborted')).toHaveLength(10);
  });

  it('slides: slots come back as the oldest takes leave the window, not all at once', async () => {
    const writes = { limit: 5, windowMs: 6000, maxWaitMs: 0 };
    const [a, b] = await Promise.all([fixture.replicas().add({ writes }), fixture.replicas().add({ writes })]);

    const first = await Promise.all([1, 2, 3].map(() => outcome(a.coordination.writes.take())));
    const firstDone = Date.now();
    expect(first.every((r) => r.outcome === 'granted')).toBe(true);
    await sleep(3000);
    const secondStarted = Date.now();
    const second = await Promise.all([1, 2, 3].map(() => outcome(b.coordination.writes.take())));
    expect(second.map((r) => r.outcome).sort()).toEqual(['budget-exhausted', 'granted', 'granted']);

    // Past the first three's window but inside the second two's: exactly three slots are free again. (A fixed
    // window would free all five, or none.)
    await sleep(Math.max(0, firstDone + 6300 - Date.now()));
    const third = await Promise.all([a, b, a, b, a].map((r) => outcome(r.coordination.writes.take())));
    // The check above is only meaningful while the second takes are still in their window.
    expect(Date.now() - secondStarted).toBeLessThan(6000);
    expect(third.filter((r) => r.outcome === 'granted')).toHaveLength(3);
    expect(third.filter((r) => r.outcome === 'budget-exhausted')).toHaveLength(2);
  });

  it('keeps separate budgets under separate key prefixes (two apps on one Redis)', async () => {
    const writes = { limit: 2, windowMs: 20_000, maxWaitMs: 0 };
    const one = await fixture.replicas().add({ writes });
    const other = new Replicas(fixture.server());
    try {
      const two = await other.add({ writes });
      const results = await Promise.all([one, one, one, two, two, two].map((r) => outcome(r.coordination.writes.take())));
      expect(results.map((r) => r.outcome)).toEqual(['granted', 'granted', 'budget-exhausted', 'granted', 'granted', 'budget-exhausted']);
    } finally {
      await other.closeAll();
    }
  });

  it('is not enabled, and needs no Redis, with a limit of 0', async () => {
    const replica = await fixture.replicas().add({ writes: { limit: 0 } });
    expect(replica.coordination.writes.enabled).toBe(false);
    await replica.coordination.writes.take();
    expect(await fixture.replicas().client().exists(fixture.replicas().key('budget:writes'))).toBe(0);
  });

  it('createCoordination gives the Redis backend with REDIS_URL and reports takes to onEvent', async () => {
    const events: string[] = [];
    const coordination = await createCoordination(
      { redis: settingsFor(fixture.server(), fixture.replicas().prefix) },
      { writes: { limit: 1, windowMs: 20_000, maxWaitMs: 0 }, reads: { limit: 10, windowMs: 20_000, maxWaitMs: 0 } },
      { onEvent: (event) => events.push(event.type === 'budget' ? `${event.budget}:${event.outcome}` : event.type) },
    );
    try {
      expect(coordination.health().backend).toBe('redis');
      expect(await eventually(() => coordination.health().ok)).toBe(true);
      expect((await outcome(coordination.writes.take())).outcome).toBe('granted');
      expect((await outcome(coordination.writes.take())).outcome).toBe('budget-exhausted');
      expect(events).toEqual(['store-up', 'writes:granted', 'writes:budget-exhausted']);
    } finally {
      await coordination.close();
    }
  });
});
