import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { GRAPH_CLIENT_DEFAULTS } from '../../../../src/graph/options';
import { backoffDelayMs, decideRetry, retryAfterMs, type RetryRules } from '../../../../src/graph/pipeline/policies/retryPolicy';

const rules: RetryRules = { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 };
const NOW = 1_000_000;
const reply = (status: number, headers: Record<string, string> = {}) => ({ status, headers: createHttpHeaders(headers) });

describe('decideRetry', () => {
  it.each([429, 503, 504])("on %i takes Graph's wait first, the backoff otherwise, longer each retry", (status) => {
    expect(decideRetry(rules, { retryCount: 0, ...reply(status, { 'retry-after': '2' }) }, Infinity, NOW)).toEqual({ retry: true, waitMs: 2000 });
    expect(decideRetry(rules, { retryCount: 0, ...reply(status, { 'retry-after-ms': '20' }) }, Infinity, NOW)).toEqual({ retry: true, waitMs: 20 });
    expect(decideRetry(rules, { retryCount: 0, ...reply(status) }, Infinity, NOW)).toEqual({ retry: true, waitMs: 50 });
    expect(decideRetry(rules, { retryCount: 1, ...reply(status) }, Infinity, NOW)).toEqual({ retry: true, waitMs: 100 });
  });

  it.each([200, 400, 404, 500, 502, 507])('does not retry %i, and says nothing of when to come back', (status) => {
    expect(decideRetry(rules, { retryCount: 0, ...reply(status, { 'retry-after': '2' }) }, Infinity, NOW)).toEqual({ retry: false });
  });

  it('retries a connection that failed before any reply, and nothing else without a reply', () => {
    expect(decideRetry(rules, { retryCount: 1, failedBeforeReply: true }, Infinity, NOW)).toEqual({ retry: true, waitMs: 100 });
    expect(decideRetry(rules, { retryCount: 0 }, Infinity, NOW)).toEqual({ retry: false });
  });

  it("stops after maxRetries, passing on Graph's wait (whole seconds, at least 1) but not a backoff of ours", () => {
    expect(decideRetry(rules, { retryCount: 2, ...reply(429, { 'retry-after': '2.2' }) }, Infinity, NOW)).toEqual({ retry: false, retryAfterSeconds: 3 });
    expect(decideRetry(rules, { retryCount: 2, ...reply(429, { 'retry-after': '0' }) }, Infinity, NOW)).toEqual({ retry: false, retryAfterSeconds: 1 });
    expect(decideRetry(rules, { retryCount: 2, ...reply(429) }, Infinity, NOW)).toEqual({ retry: false, retryAfterSeconds: undefined });
  });

  it('refuses a wait that would reach the deadline, with that wait as the time to retry', () => {
    const throttled = reply(429, { 'retry-after': '120' });
    expect(decideRetry(rules, { retryCount: 0, ...throttled }, NOW + 120_000, NOW)).toEqual({ retry: false, retryAfterSeconds: 120 });
    expect(decideRetry(rules, { retryCount: 0, ...throttled }, NOW + 120_001, NOW)).toEqual({ retry: true, waitMs: 120_000 });
  });
});

describe('backoffDelayMs', () => {
  const options = GRAPH_CLIENT_DEFAULTS.retry;

  it('is full jitter under an exponential ceiling, never above the cap', () => {
    expect(backoffDelayMs(0, options, () => 0.999)).toBe(499);
    expect(backoffDelayMs(2, options, () => 0.5)).toBe(1000);
    expect(backoffDelayMs(0, options, () => 0)).toBe(0);
    expect(backoffDelayMs(20, options, () => 0.999)).toBeLessThan(options.maxDelayMs);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  const wait = (headers: Record<string, string>) => retryAfterMs(createHttpHeaders(headers), now);

  it('reads whole and fractional delta-seconds, and an HTTP date relative to now (never negative)', () => {
    expect(wait({ 'retry-after': '2' })).toBe(2000);
    expect(wait({ 'Retry-After': '0.25' })).toBe(250);
    expect(wait({ 'retry-after': ' 7 ' })).toBe(7000);
    expect(wait({ 'retry-after': 'Sat, 28 Nov 2026 12:00:05 GMT' })).toBe(5000);
    expect(wait({ 'retry-after': 'Sat, 28 Nov 2026 11:59:00 GMT' })).toBe(0);
  });

  it('prefers retry-after-ms, and ignores absent, negative and unreadable values', () => {
    expect(wait({ 'retry-after': '10', 'retry-after-ms': '1500' })).toBe(1500);
    expect(wait({})).toBeUndefined();
    expect(wait({ 'retry-after': '-3' })).toBeUndefined();
    expect(wait({ 'retry-after': 'soon' })).toBeUndefined();
    expect(wait({ 'retry-after': '', 'retry-after-ms': 'abc' })).toBeUndefined();
  });
});
