import { isGraphError } from '../../../../src/graph/errors';
import { Bulkhead } from '../../../../src/graph/pipeline/policies/limitsPolicy';
import { rejection } from '../../../support/pipeline';

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
