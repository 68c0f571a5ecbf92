/**
 * The idempotency keys' store over both engines, on a clock the test moves: one claim wins, a done key answers
 * its result, other arguments are refused, a released key is free, a dead attempt is taken over as unknown,
 * an expired key is free again and deleted by retention.
 */
import type { OpenedHistory } from '../../src/history';
import { IdempotencyKeys, KeyState } from '../../src/history/idempotency';
import { engines, openReplicaHistory, useEngine } from './fixture';

const TTL_MS = 60_000;
const LEASE_MS = 5_000;

describe.each(engines())('idempotency key store on %s', (engine) => {
  const { fixture } = useEngine(engine);
  let opened: OpenedHistory[];
  let clock: number;
  const now = (): number => clock;

  beforeEach(() => {
    opened = [];
    clock = 1_800_000_000_000;
  });
  afterEach(async () => {
    await Promise.all(opened.map((o) => o.close()));
  });

  async function keysOn(location: Awaited<ReturnType<typeof fixture.location>>): Promise<IdempotencyKeys> {
    const history = await openReplicaHistory(location);
    opened.push(history);
    return new IdempotencyKeys(history.history.store, { ttlMs: TTL_MS, runningLeaseMs: LEASE_MS, now });
  }

  const key = { caller: 'user:t:o', key: 'k-1' };
  // Deadlines are on the test's clock: `soon()` has passed at once (a running key answers busy).
  const soon = (): number => clock;

  it('keeps a done answer, refuses other arguments, frees a released key', async () => {
    const keys = await keysOn(await fixture.location());
    const claim = await keys.claim(key, 'op', 'hash-a', soon());
    if (claim.kind !== 'run') throw new Error(`claimed: ${claim.kind}`);
    expect(claim.earlier).toBeUndefined();
    await keys.complete(key, claim.token, { poolId: 'p', ids: ['a1'] });
    expect(await keys.claim(key, 'op', 'hash-a', soon())).toEqual({ kind: 'done', result: { poolId: 'p', ids: ['a1'] } });
    expect(await keys.claim(key, 'op', 'hash-b', soon())).toEqual({ kind: 'reused' });
    // Another caller's key of the same name is its own.
    expect((await keys.claim({ ...key, caller: 'app:t:x' }, 'op', 'hash-b', soon())).kind).toBe('run');

    const other = { ...key, key: 'k-2' };
    const first = await keys.claim(other, 'op', 'hash-a', soon());
    if (first.kind !== 'run') throw new Error('not claimed');
    await keys.release(other, first.token);
    expect((await keys.claim(other, 'op', 'hash-b', soon())).kind).toBe('run');
  });

  it('waits while the first runs (busy at the deadline), takes a dead or unknown attempt over, keeps a partial result for the repeat', async () => {
    const keys = await keysOn(await fixture.location());
    const first = await keys.claim(key, 'op', 'h', soon());
    if (first.kind !== 'run') throw new Error('not claimed');
    expect(await keys.claim(key, 'op', 'h', soon())).toEqual({ kind: 'busy' });
    const startedMs = clock;
    clock += LEASE_MS;
    const takeover = await keys.claim(key, 'op', 'h', soon());
    expect(takeover).toMatchObject({ kind: 'run', earlier: { state: KeyState.UNKNOWN, startedMs } });
    if (takeover.kind !== 'run') throw new Error('not taken over');
    // The dead attempt ends late: it no longer holds the key, so nothing changes.
    await keys.complete(key, first.token, { late: true });
    await keys.unknown(key, takeover.token);
    const settle = await keys.claim(key, 'op', 'h', soon());
    expect(settle).toMatchObject({ kind: 'run', earlier: { state: KeyState.UNKNOWN, startedMs } });
    if (settle.kind !== 'run') throw new Error('not taken over');
    await keys.complete(key, settle.token, { failedPools: ['p2'] }, false);
    expect(await keys.claim(key, 'op', 'h', soon())).toMatchObject({ kind: 'run', earlier: { state: KeyState.PARTIAL, result: { failedPools: ['p2'] } } });
  });

  it('wakes a waiter when the first ends, and lets one of two replicas claim a new key', async () => {
    const location = await fixture.location();
    const [a, b] = [await keysOn(location), await keysOn(location)];
    const claims = await Promise.all([a.claim(key, 'op', 'h', soon()), b.claim(key, 'op', 'h', soon())]);
    expect(claims.map((c) => c.kind).sort()).toEqual(['busy', 'run']);
    const winner = claims.find((c) => c.kind === 'run');
    if (winner?.kind !== 'run') throw new Error('no winner');
    const owner = claims[0] === winner ? a : b;
    const waiting = (owner === a ? b : a).claim(key, 'op', 'h', clock + 10_000);
    await owner.complete(key, winner.token, { answer: 1 });
    expect(await waiting).toEqual({ kind: 'done', result: { answer: 1 } });
  });

  it('treats an expired key as new, and retention deletes expired keys', async () => {
    const keys = await keysOn(await fixture.location());
    const first = await keys.claim(key, 'op', 'h', soon());
    if (first.kind !== 'run') throw new Error('not claimed');
    await keys.complete(key, first.token, { answer: 1 });
    const other = { ...key, key: 'k-2' };
    const second = await keys.claim(other, 'op', 'h', soon());
    if (second.kind !== 'run') throw new Error('not claimed');
    await keys.complete(other, second.token, { answer: 2 });
    clock += TTL_MS;
    expect((await keys.claim(key, 'op', 'other-arguments', soon())).kind).toBe('run');
    // `key` was renewed by its new claim; `other` expired and goes.
    expect(await keys.deleteExpired()).toBe(1);
    expect(await keys.deleteExpired()).toBe(0);
    // In batches, oldest first.
    for (let i = 0; i < 5; i++) {
      const k = { ...key, key: `batch-${i}` };
      const c = await keys.claim(k, 'op', 'h', soon());
      if (c.kind !== 'run') throw new Error('not claimed');
      clock += 1;
    }
    clock += TTL_MS;
    expect(await keys.deleteExpired(2)).toBe(2);
    expect(await keys.deleteExpired(2)).toBe(2);
    expect(await keys.deleteExpired(2)).toBe(2);
    expect(await keys.deleteExpired(2)).toBe(0);
    expect((await keys.claim(other, 'op', 'anything', soon())).kind).toBe('run');
  });
});
