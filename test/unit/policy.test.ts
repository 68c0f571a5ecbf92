import { isGraphError } from '../../src/graph/errors';
import { Bulkhead, WriteBudget } from '../../src/graph/policy';

async function rejection(promise: Promise<unknown> | unknown): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('Bulkhead', () => {
  it('lets maxConcurrent through, queues the next, and hands the slot over on release', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 2, maxQueue: 1, maxWaitMs: 1000 });
    const r1 = await bulkhead.acquire();
    await bulkhead.acquire();
    const third = Promise.resolve(bulkhead.acquire());
    expect(bulkhead.inFlight).toBe(2);
    expect(bulkhead.queued).toBe(1);
    r1();
    const r3 = await third;
    expect(bulkhead.inFlight).toBe(2);
    expect(bulkhead.queued).toBe(0);
    r3();
    r3(); // releasing twice is harmless
    expect(bulkhead.inFlight).toBe(1);
  });

  it('refuses at once when the queue is full, as a 429 with a retry time', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 0, maxWaitMs: 1000 });
    await bulkhead.acquire();
    const error = await rejection(bulkhead.acquire());
    expect(isGraphError(error) && error.kind === 'rejected' && error.status === 429 && error.retryAfterSeconds === 1).toBe(true);
  });

  it('refuses a waiter after maxWaitMs and removes it from the queue', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 5, maxWaitMs: 20 });
    await bulkhead.acquire();
    const error = await rejection(bulkhead.acquire());
    expect(isGraphError(error) && error.kind).toBe('rejected');
    expect(bulkhead.queued).toBe(0);
  });

  it('drops an aborted waiter', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 5, maxWaitMs: 10_000 });
    await bulkhead.acquire();
    const controller = new AbortController();
    const waiting = bulkhead.acquire(controller.signal);
    controller.abort();
    const error = await rejection(waiting);
    expect(isGraphError(error) && error.kind).toBe('aborted');
    expect(bulkhead.queued).toBe(0);
  });
});

describe('WriteBudget', () => {
  it('allows `limit` writes per window, then waits for the oldest to leave the window', async () => {
    let now = 1_000_000;
    const budget = new WriteBudget({ limit: 3, windowMs: 1000, maxWaitMs: 5000 }, () => now);
    for (let i = 0; i < 3; i++) await budget.take();
    now += 990; // the oldest write leaves the window in 10 ms
    const started = Date.now();
    await budget.take();
    expect(Date.now() - started).toBeGreaterThanOrEqual(8);
  });

  it('refuses a write that would wait longer than maxWaitMs, with the time to retry', async () => {
    const now = 5_000_000;
    const budget = new WriteBudget({ limit: 2, windowMs: 20_000, maxWaitMs: 100 }, () => now);
    await budget.take();
    await budget.take();
    const error = await rejection(budget.take());
    expect(isGraphError(error) && error.kind === 'rejected' && error.retryAfterSeconds === 20).toBe(true);
  });

  it('never lets more than `limit` writes into any window', async () => {
    let now = 0;
    const budget = new WriteBudget({ limit: 5, windowMs: 100, maxWaitMs: 0 }, () => now);
    const sent: number[] = [];
    for (now = 0; now < 1000; now += 7) {
      try {
        await budget.take();
        sent.push(now);
      } catch {
        // refused: retry on the next tick
      }
    }
    for (const t of sent) expect(sent.filter((s) => s >= t && s < t + 100).length).toBeLessThanOrEqual(5);
    expect(sent.length).toBeGreaterThan(40);
  });

  it('is off with limit 0', async () => {
    const budget = new WriteBudget({ limit: 0, windowMs: 1, maxWaitMs: 0 });
    for (let i = 0; i < 1000; i++) await budget.take();
    expect(budget.enabled).toBe(false);
  });
});
