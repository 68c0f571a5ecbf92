import { parseRetryAfterMs, throttlingRetryStrategy } from '../../../../../src/graph/pipeline/retryStrategies/throttlingRetryStrategy';

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');

  it('reads whole and fractional delta-seconds', () => {
    expect(parseRetryAfterMs('2', undefined, now)).toBe(2000);
    expect(parseRetryAfterMs('0.25', undefined, now)).toBe(250);
    expect(parseRetryAfterMs(' 7 ', undefined, now)).toBe(7000);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfterMs('Sat, 28 Nov 2026 12:00:05 GMT', undefined, now)).toBe(5000);
    expect(parseRetryAfterMs('Sat, 28 Nov 2026 11:59:00 GMT', undefined, now)).toBe(0);
  });

  it('prefers retry-after-ms', () => {
    expect(parseRetryAfterMs('10', '1500', now)).toBe(1500);
  });

  it('ignores absent, negative and unreadable values', () => {
    expect(parseRetryAfterMs(undefined, undefined, now)).toBeUndefined();
    expect(parseRetryAfterMs('-3', undefined, now)).toBeUndefined();
    expect(parseRetryAfterMs('soon', undefined, now)).toBeUndefined();
    expect(parseRetryAfterMs('', 'abc', now)).toBeUndefined();
  });

  it('takes the first of repeated headers', () => {
    expect(parseRetryAfterMs(['3', '9'], undefined, now)).toBe(3000);
  });
});

describe('throttlingRetryStrategy', () => {
  const strategy = throttlingRetryStrategy();

  it.each([429, 503, 504])("waits as Graph says on %i, and marks the wait as Graph's", (status) => {
    expect(strategy.retry({ retryCount: 0, response: { status, headers: { 'retry-after': '1.5' } } })).toEqual({ retryAfterInMs: 1500, serverRequested: true });
    expect(strategy.retry({ retryCount: 2, response: { status, headers: { 'retry-after-ms': '20' } } })).toEqual({ retryAfterInMs: 20, serverRequested: true });
  });

  it('leaves a retryable reply without a wait to the next strategy', () => {
    expect(strategy.retry({ retryCount: 0, response: { status: 429, headers: {} } })).toBeUndefined();
    expect(strategy.retry({ retryCount: 0, response: { status: 503, headers: { 'retry-after': 'later' } } })).toBeUndefined();
  });

  it('ignores Retry-After on statuses that are not retried', () => {
    expect(strategy.retry({ retryCount: 0, response: { status: 500, headers: { 'retry-after': '1' } } })).toBeUndefined();
    expect(strategy.retry({ retryCount: 0, response: { status: 400, headers: { 'retry-after': '1' } } })).toBeUndefined();
  });
});
