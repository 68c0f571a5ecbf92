import { GraphError } from '../../../../../src/graph/errors';
import { GRAPH_CLIENT_DEFAULTS } from '../../../../../src/graph/options';
import { backoffDelayMs, exponentialRetryStrategy } from '../../../../../src/graph/pipeline/retryStrategies/exponentialRetryStrategy';

const DEFAULT_RETRY_OPTIONS = GRAPH_CLIENT_DEFAULTS.retry;

describe('backoffDelayMs', () => {
  it('is full jitter under an exponential ceiling', () => {
    expect(backoffDelayMs(0, DEFAULT_RETRY_OPTIONS, () => 0.999)).toBe(499);
    expect(backoffDelayMs(2, DEFAULT_RETRY_OPTIONS, () => 0.5)).toBe(1000);
    expect(backoffDelayMs(0, DEFAULT_RETRY_OPTIONS, () => 0)).toBe(0);
  });

  it('never exceeds the cap', () => {
    expect(backoffDelayMs(20, DEFAULT_RETRY_OPTIONS, () => 0.999)).toBeLessThan(DEFAULT_RETRY_OPTIONS.maxDelayMs);
  });
});

describe('exponentialRetryStrategy', () => {
  const strategy = exponentialRetryStrategy({ baseDelayMs: 100, maxDelayMs: 1000 }, () => 0.5);

  it.each([429, 503, 504])('backs off on %i without a wait from Graph, longer each retry', (status) => {
    expect(strategy.retry({ retryCount: 0, response: { status, headers: {} } })).toEqual({ retryAfterInMs: 50 });
    expect(strategy.retry({ retryCount: 3, response: { status, headers: {} } })).toEqual({ retryAfterInMs: 400 });
  });

  it.each([200, 400, 404, 500, 502, 507])('does not retry %i', (status) => {
    expect(strategy.retry({ retryCount: 0, response: { status, headers: {} } })).toBeUndefined();
  });

  it('retries a connection that failed before any reply, and nothing else without a reply', () => {
    const network = (beforeReply: boolean) => new GraphError('reset', { kind: 'network', beforeReply });
    expect(strategy.retry({ retryCount: 1, error: network(true) })).toEqual({ retryAfterInMs: 100 });
    expect(strategy.retry({ retryCount: 1, error: network(false) })).toBeUndefined();
    for (const kind of ['timeout', 'aborted', 'credential', 'rejected', 'invalid-response'] as const) {
      expect(strategy.retry({ retryCount: 0, error: new GraphError('x', { kind }) })).toBeUndefined();
    }
  });
});
