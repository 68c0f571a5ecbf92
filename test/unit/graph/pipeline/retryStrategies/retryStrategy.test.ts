import { exponentialRetryStrategy } from '../../../../../src/graph/pipeline/retryStrategies/exponentialRetryStrategy';
import { decideRetry, type RetryRules } from '../../../../../src/graph/pipeline/retryStrategies/retryStrategy';
import { throttlingRetryStrategy } from '../../../../../src/graph/pipeline/retryStrategies/throttlingRetryStrategy';

const rules: RetryRules = {
  maxRetries: 2,
  strategies: [throttlingRetryStrategy(), exponentialRetryStrategy({ baseDelayMs: 100, maxDelayMs: 1000 }, () => 0.5)],
};
const NOW = 1_000_000;
const reply = (status: number, headers: Record<string, string> = {}) => ({ status, headers });

describe('decideRetry', () => {
  it("takes Graph's wait first, the backoff otherwise", () => {
    expect(decideRetry(rules, { retryCount: 0, response: reply(429, { 'retry-after': '2' }) }, Infinity, NOW)).toEqual({ retry: true, waitMs: 2000 });
    expect(decideRetry(rules, { retryCount: 1, response: reply(503) }, Infinity, NOW)).toEqual({ retry: true, waitMs: 100 });
  });

  it('does not retry what no strategy retries, and says nothing of when to come back', () => {
    expect(decideRetry(rules, { retryCount: 0, response: reply(500, { 'retry-after': '2' }) }, Infinity, NOW)).toEqual({ retry: false });
  });

  it("stops after maxRetries, passing on Graph's wait (whole seconds, at least 1) but not a backoff of ours", () => {
    expect(decideRetry(rules, { retryCount: 2, response: reply(429, { 'retry-after': '2.2' }) }, Infinity, NOW)).toEqual({ retry: false, retryAfterSeconds: 3 });
    expect(decideRetry(rules, { retryCount: 2, response: reply(429, { 'retry-after': '0' }) }, Infinity, NOW)).toEqual({ retry: false, retryAfterSeconds: 1 });
    expect(decideRetry(rules, { retryCount: 2, response: reply(429) }, Infinity, NOW)).toEqual({ retry: false, retryAfterSeconds: undefined });
  });

  it('refuses a wait that would reach the deadline, with that wait as the time to retry', () => {
    const response = reply(429, { 'retry-after': '120' });
    expect(decideRetry(rules, { retryCount: 0, response }, NOW + 120_000, NOW)).toEqual({ retry: false, retryAfterSeconds: 120 });
    expect(decideRetry(rules, { retryCount: 0, response }, NOW + 120_001, NOW)).toEqual({ retry: true, waitMs: 120_000 });
  });
});
