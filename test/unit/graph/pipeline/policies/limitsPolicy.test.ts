import { LocalRateBudget } from '../../../../../src/coordination/local';
import { CoordinationError, type RateBudget } from '../../../../../src/coordination/types';
import { isGraphError } from '../../../../../src/graph/errors';
import { Bulkhead, limitsPolicy, type Limits } from '../../../../../src/graph/pipeline/policies/limitsPolicy';
import { callOf } from '../../../../../src/graph/pipeline/request';
import { rejection, request, response, scriptedNext } from '../../../../support/pipeline';

const openBulkhead = () => new Bulkhead({ maxConcurrent: 0, maxQueue: 0, maxWaitMs: 0 });
const assign = () => request({ method: 'POST', path: '/pools/1/assign', pathTemplate: '/pools/{id}/assign', body: '{}' });

/** A budget that counts its slots and fails as told. */
function countingBudget(failure?: CoordinationError): RateBudget & { taken: number } {
  return {
    enabled: true,
    taken: 0,
    async take() {
      if (failure) throw failure;
      this.taken++;
    },
  };
}

describe('limitsPolicy: the write budget (an in-process sliding window)', () => {
  const writes = (limit: number, windowMs: number, maxWaitMs: number, now?: () => number): Limits => ({
    bulkhead: openBulkhead(),
    budgets: { writes: new LocalRateBudget({ limit, windowMs, maxWaitMs }, now) },
  });

  it('allows `limit` writes per window, then waits for the oldest to leave the window', async () => {
    let now = 1_000_000;
    const policy = limitsPolicy(writes(3, 1000, 5000, () => now));
    const next = scriptedNext(response(200));
    for (let i = 0; i < 3; i++) await policy.sendRequest(assign(), next);
    now += 990; // the oldest write leaves the window in 10 ms
    const started = Date.now();
    await policy.sendRequest(assign(), next);
    expect(Date.now() - started).toBeGreaterThanOrEqual(8);
    expect(next.seen).toHaveLength(4);
  });

  it('refuses a write that would wait longer than maxWaitMs, with the time to retry, and sends nothing', async () => {
    const now = 5_000_000;
    const policy = limitsPolicy(writes(2, 20_000, 100, () => now));
    const next = scriptedNext(response(200));
    await policy.sendRequest(assign(), next);
    await policy.sendRequest(assign(), next);
    const error = await rejection(policy.sendRequest(assign(), next));
    expect(isGraphError(error) && error.kind === 'rejected' && error.retryAfterSeconds === 20).toBe(true);
    expect(isGraphError(error) && error.status).toBe(429);
    expect(next.seen).toHaveLength(2);
  });

  it('never lets more than `limit` writes into any window', async () => {
    let now = 0;
    const policy = limitsPolicy(writes(5, 100, 0, () => now));
    const next = scriptedNext(response(200));
    const sent: number[] = [];
    for (now = 0; now < 1000; now += 7) {
      try {
        await policy.sendRequest(assign(), next);
        sent.push(now);
      } catch {
        // refused: retry on the next tick
      }
    }
    for (const t of sent) expect(sent.filter((s) => s >= t && s < t + 100).length).toBeLessThanOrEqual(5);
    expect(sent.length).toBeGreaterThan(40);
    expect(next.seen).toHaveLength(sent.length);
  });

  it('is off with limit 0', async () => {
    const limits = writes(0, 1, 0);
    const policy = limitsPolicy(limits);
    const next = scriptedNext(response(200));
    for (let i = 0; i < 1000; i++) await policy.sendRequest(assign(), next);
    expect(limits.budgets.writes?.enabled).toBe(false);
    expect(next.seen).toHaveLength(1000);
  });

  it('is not taken by reads', async () => {
    const policy = limitsPolicy(writes(1, 60_000, 0));
    const next = scriptedNext(response(200));
    for (let i = 0; i < 10; i++) await policy.sendRequest(request(), next);
    await policy.sendRequest(assign(), next);
    expect(isGraphError(await rejection(policy.sendRequest(assign(), next)))).toBe(true);
  });
});

describe('limitsPolicy: budgets by what a request carries', () => {
  it('a read takes one request slot, a write one write slot and one request slot, a $batch one request slot per item', async () => {
    const writes = countingBudget();
    const reads = countingBudget();
    const policy = limitsPolicy({ bulkhead: openBulkhead(), budgets: { writes, reads } });
    const next = scriptedNext(response(200));
    await policy.sendRequest(request(), next);
    expect([writes.taken, reads.taken]).toEqual([0, 1]);
    await policy.sendRequest(assign(), next);
    expect([writes.taken, reads.taken]).toEqual([1, 2]);
    await policy.sendRequest(request({ method: 'POST', path: '/$batch', body: '{}', cost: { writes: 0, reads: 20 } }), next);
    expect([writes.taken, reads.taken]).toEqual([1, 22]);
  });

  it('a refused write spends no request slot', async () => {
    const reads = countingBudget();
    const policy = limitsPolicy({
      bulkhead: openBulkhead(),
      budgets: { writes: countingBudget(new CoordinationError('full', 'budget-exhausted', 7)), reads },
    });
    const error = await rejection(policy.sendRequest(assign(), scriptedNext(response(200))));
    expect(isGraphError(error) && [error.kind, error.status, error.retryAfterSeconds]).toEqual(['rejected', 429, 7]);
    expect(reads.taken).toBe(0);
  });

  it('a budget store that cannot answer is a rejected 503 CoordinationUnavailable; nothing is sent', async () => {
    const next = scriptedNext(response(200));
    const policy = limitsPolicy({ bulkhead: openBulkhead(), budgets: { reads: countingBudget(new CoordinationError('redis down', 'unavailable')) } });
    const error = await rejection(policy.sendRequest(request(), next));
    expect(isGraphError(error) && [error.kind, error.status, error.code]).toEqual(['rejected', 503, 'CoordinationUnavailable']);
    expect(next.seen).toHaveLength(0);
  });

  it('a wait for budget cut short by the signal is `aborted`', async () => {
    const controller = new AbortController();
    const budget = new LocalRateBudget({ limit: 1, windowMs: 10_000, maxWaitMs: 20_000 });
    const policy = limitsPolicy({ bulkhead: openBulkhead(), budgets: { writes: budget } });
    const next = scriptedNext(response(200));
    await policy.sendRequest(assign(), next);
    const req = assign();
    callOf(req).signal = controller.signal;
    const cut = policy.sendRequest(req, next);
    controller.abort();
    const error = await rejection(cut);
    expect(isGraphError(error) && error.kind).toBe('aborted');
    expect(next.seen).toHaveLength(1);
  });
});

describe('limitsPolicy: the bulkhead', () => {
  it('holds a slot for the exchange only, and gives it back when the exchange fails', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 0, maxWaitMs: 1000 });
    const policy = limitsPolicy({ bulkhead, budgets: {} });
    let inFlightDuringExchange = -1;
    await policy.sendRequest(
      request(),
      scriptedNext(async () => {
        inFlightDuringExchange = bulkhead.inFlight;
        return response(200);
      }),
    );
    expect(inFlightDuringExchange).toBe(1);
    expect(bulkhead.inFlight).toBe(0);
    await rejection(policy.sendRequest(request(), scriptedNext(new Error('reset'))));
    expect(bulkhead.inFlight).toBe(0);
  });

  it('refuses past its queue as a rejected 429 without calling next', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 0, maxWaitMs: 1000 });
    const policy = limitsPolicy({ bulkhead, budgets: {} });
    let release: () => void = () => undefined;
    const held = policy.sendRequest(request(), scriptedNext(() => new Promise((resolve) => (release = () => resolve(response(200))))));
    const next = scriptedNext(response(200));
    const error = await rejection(policy.sendRequest(request(), next));
    expect(isGraphError(error) && [error.kind, error.status]).toEqual(['rejected', 429]);
    expect(next.seen).toHaveLength(0);
    release();
    await held;
  });
});
