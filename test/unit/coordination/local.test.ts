/**
 * The in-process coordination: the sliding-window budget (on an injected clock where the decision is tested, on
 * real timers only for short waits) and the FIFO pool locks with deadline and abort.
 */
import { createCoordination, isCoordinationError, withPoolLock, type CoordinationEvent } from '../../../src/coordination';
import { LocalPoolLocks, LocalRateBudget } from '../../../src/coordination/local';
import { createLogger } from '../../../src/observability/logger';

async function outcome(promise: Promise<unknown>): Promise<{ outcome: string; retryAfterSeconds?: number }> {
  try {
    await promise;
    return { outcome: 'granted' };
  } catch (error) {
    if (isCoordinationError(error)) return { outcome: error.failure, retryAfterSeconds: error.retryAfterSeconds };
    throw error;
  }
}

describe('LocalRateBudget', () => {
  it('grants up to the limit in any window, and frees slots one by one as the oldest leave it', async () => {
    let now = 0;
    const budget = new LocalRateBudget({ limit: 3, windowMs: 1000, maxWaitMs: 0 }, () => now);
    const at = async (ms: number) => {
      now = ms;
      return (await outcome(budget.take())).outcome;
    };
    expect([await at(0), await at(400), await at(800)]).toEqual(['granted', 'granted', 'granted']);
    expect(await at(999)).toBe('budget-exhausted');
    // t=1000: only the take at 0 left the window.
    expect([await at(1000), await at(1000)]).toEqual(['granted', 'budget-exhausted']);
    expect([await at(1400), await at(1400)]).toEqual(['granted', 'budget-exhausted']);
  });

  it('refuses with the seconds until a slot frees when that is past maxWaitMs', async () => {
    let now = 10_000;
    const budget = new LocalRateBudget({ limit: 1, windowMs: 20_000, maxWaitMs: 1000 }, () => now);
    await budget.take();
    now += 2500;
    expect(await outcome(budget.take())).toEqual({ outcome: 'budget-exhausted', retryAfterSeconds: 18 });
    // A refused take reserves nothing: the slot is still the one that frees at 30 000.
    now = 29_500;
    const waited = outcome(budget.take());
    expect(await waited).toEqual({ outcome: 'granted' });
  });

  it('lets waiters through in the order they asked, each on its reserved slot', async () => {
    const budget = new LocalRateBudget({ limit: 1, windowMs: 40, maxWaitMs: 5000 }, () => 0);
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((n) => budget.take().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('ends a wait with aborted when the signal fires, and refuses an already aborted signal', async () => {
    const budget = new LocalRateBudget({ limit: 1, windowMs: 60_000, maxWaitMs: 60_000 });
    await budget.take();
    const abort = new AbortController();
    const waiting = outcome(budget.take(abort.signal));
    abort.abort();
    expect(await waiting).toEqual({ outcome: 'aborted' });
    expect(await outcome(budget.take(AbortSignal.abort()))).toEqual({ outcome: 'aborted' });
  });

  it('is disabled with a limit of 0', async () => {
    const budget = new LocalRateBudget({ limit: 0, windowMs: 1000, maxWaitMs: 0 });
    expect(budget.enabled).toBe(false);
    for (let i = 0; i < 5; i++) await budget.take();
  });
});

describe('LocalPoolLocks', () => {
  const far = () => ({ deadline: Date.now() + 10_000 });

  it('hands the lock to waiters in the order they came (pool ids compared case-insensitively)', async () => {
    const locks = new LocalPoolLocks();
    const first = await locks.acquire('POOL-A', far());
    const order: string[] = [];
    const waiters = ['b', 'c', 'd'].map((name) =>
      locks.acquire(name === 'c' ? 'pool-a' : 'Pool-A', far()).then((lease) => {
        order.push(name);
        return lease;
      }),
    );
    // Another pool is not held up.
    await (await locks.acquire('pool-b', far())).release();
    await first.release();
    for (const waiter of waiters) await (await waiter).release();
    expect(order).toEqual(['b', 'c', 'd']);
    expect(locks.held).toBe(0);
  });

  it('ends a wait at the deadline with lock-timeout, and the next waiter still gets the lock', async () => {
    const locks = new LocalPoolLocks();
    const holder = await locks.acquire('pool', far());
    const late = outcome(locks.acquire('pool', { deadline: Date.now() + 30 }));
    const next = locks.acquire('pool', far());
    expect(await late).toEqual({ outcome: 'lock-timeout', retryAfterSeconds: 1 });
    await holder.release();
    await (await next).release();
    expect(locks.held).toBe(0);
  });

  it('ends a wait with aborted on the signal, leaving the queue to the others', async () => {
    const locks = new LocalPoolLocks();
    const holder = await locks.acquire('pool', far());
    const abort = new AbortController();
    const cancelled = outcome(locks.acquire('pool', { ...far(), signal: abort.signal }));
    const next = locks.acquire('pool', far());
    abort.abort();
    expect(await cancelled).toEqual({ outcome: 'aborted' });
    expect(await outcome(locks.acquire('pool', { ...far(), signal: AbortSignal.abort() }))).toEqual({ outcome: 'aborted' });
    await holder.release();
    await holder.release(); // a second release does nothing
    await (await next).release();
    expect(locks.held).toBe(0);
  });

  it('withPoolLock releases the lock however the function ends', async () => {
    const locks = new LocalPoolLocks();
    await expect(withPoolLock(locks, 'pool', far(), async () => Promise.reject(new Error('edit failed')))).rejects.toThrow('edit failed');
    expect(locks.held).toBe(0);
    expect(await withPoolLock(locks, 'pool', far(), async () => 42)).toBe(42);
    expect(locks.held).toBe(0);
  });
});

describe('createCoordination without REDIS_URL', () => {
  it('is the local backend, reporting outcomes to onEvent, and a throwing listener changes nothing', async () => {
    const events: CoordinationEvent[] = [];
    const coordination = await createCoordination(
      {},
      { writes: { limit: 1, windowMs: 60_000, maxWaitMs: 0 }, reads: { limit: 0, windowMs: 60_000, maxWaitMs: 0 } },
      {
        logger: createLogger('silent'), // the project's pino logger fits CoordinationLogger
        onEvent: (event) => {
          events.push(event);
          throw new Error('a broken metrics hook');
        },
      },
    );
    expect(coordination.health()).toEqual({ backend: 'local', ok: true });
    await coordination.writes.take();
    expect((await outcome(coordination.writes.take())).outcome).toBe('budget-exhausted');
    await coordination.reads.take(); // disabled: no event
    const lease = await coordination.locks.acquire('pool', { deadline: Date.now() + 1000 });
    expect((await outcome(coordination.locks.acquire('pool', { deadline: Date.now() + 20 }))).outcome).toBe('lock-timeout');
    await lease.release();
    expect(events.map((e) => (e.type === 'budget' ? `${e.budget}:${e.outcome}` : e.type === 'lock' ? `lock:${e.outcome}` : e.type))).toEqual([
      'writes:granted',
      'writes:budget-exhausted',
      'lock:acquired',
      'lock:lock-timeout',
    ]);
    await coordination.close();
  });
});
