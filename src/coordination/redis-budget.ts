/** A sliding-window budget shared through Redis, deciding as LocalRateBudget does (docs/scale-out.md, "The sliding window"). */
import { randomUUID } from 'node:crypto';
import type { Result } from 'ioredis';
import { waitFor } from './local';
import type { RedisStore } from './redis';
import { failures, type BudgetName, type BudgetOptions, type CoordinationEventListener, type RateBudget } from './types';

/**
 * KEYS[1]: sorted set of send times (ms on the server's clock; future scores are reserved slots). ARGV: limit,
 * windowMs, maxWaitMs, member. Returns {1, waitMs} (slot taken) or {0, waitMs} (refused). Idempotent per member.
 */
const TAKE_SLOT = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- a second try of a take whose first try was applied (its reply came late): the slot it already has
local taken = redis.call('ZSCORE', KEYS[1], ARGV[4])
if taken then return {1, math.max(0, tonumber(taken) - now)} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local at = now
if count >= limit then
  -- the slot frees when the request 'limit' places back leaves the window
  local entry = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
  at = math.max(now, tonumber(entry[2]) + window)
end
local wait = at - now
if wait > maxWait then return {0, wait} end
redis.call('ZADD', KEYS[1], at, ARGV[4])
-- only the last 'limit' entries can ever decide a slot: keep the set that small
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(limit + 1))
redis.call('PEXPIRE', KEYS[1], wait + window + 1000)
return {1, wait}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    takeSlot(key: string, limit: number, windowMs: number, maxWaitMs: number, member: string): Result<[granted: 0 | 1, waitMs: number], Context>;
  }
}

/** `fallback`: taken instead when Redis cannot answer (reads); without one (writes) the take fails with `unavailable`. */
export function redisRateBudget(
  store: RedisStore,
  options: BudgetOptions & { name: BudgetName; fallback?: RateBudget; emit: CoordinationEventListener },
): RateBudget {
  const { name, limit, windowMs, maxWaitMs, fallback, emit } = options;
  const key = `${store.settings.keyPrefix}budget:${name}`;
  /** Members are unique across replicas and takes. */
  const memberPrefix = randomUUID();
  let sequence = 0;
  store.client.defineCommand('takeSlot', { numberOfKeys: 1, lua: TAKE_SLOT });
  return {
    enabled: limit > 0,
    async take(signal) {
      if (limit <= 0) return;
      if (signal?.aborted) throw failures.aborted();
      let granted: number, waitMs: number;
      try {
        const member = `${memberPrefix}:${++sequence}`;
        [granted, waitMs] = await store.call((client) => client.takeSlot(key, limit, windowMs, maxWaitMs, member), { idempotent: true });
      } catch (error) {
        if (!fallback) throw error;
        emit({ type: 'budget-fallback', budget: name });
        return fallback.take(signal);
      }
      if (granted !== 1) throw failures.exhausted(waitMs);
      if (waitMs > 0) await waitFor(waitMs, signal);
    },
  };
}
