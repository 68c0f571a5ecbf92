import { backoffDelayMs, DEFAULT_RETRY_OPTIONS, parseRetryAfterMs } from '../../src/graph/retry';

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
