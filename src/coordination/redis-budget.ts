/**
 * A sliding-window budget shared through Redis, with LocalRateBudget's semantics: the earliest slot that keeps
 * every window at `limit` or fewer, reserved and waited for within `maxWaitMs`, else refused with the time to retry.
 */
import { randomUUID } from 'node:crypto';
import { emitter, type BudgetName, type CoordinationEventListener } from './events';
import { retryAfter, waitFor } from './local';
import type { Result } from 'ioredis';
import type { RedisStore } from './redis-store';
import { CoordinationError, isCoordinationError, type BudgetOptions, type RateBudget } from './types';

/**
 * KEYS[1]: sorted set of send times (member: one per request, score: ms on the server's clock; future scores are
 * reserved slots). ARGV: limit, windowMs, maxWaitMs, member. Returns {1, waitMs} (slot taken) or {0, waitMs} (refused).
 * Idempotent per member: a second try of one take gets the slot the first took, so a late reply can be retried.
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
    /** TAKE_SLOT on one key. */
    takeSlot(key: string, limit: number, windowMs: number, maxWaitMs: number, member: string): Result<unknown, Context>;
  }
}

function parseReply(reply: unknown): { granted: boolean; waitMs: number } {
  if (Array.isArray(reply) && reply.length === 2 && typeof reply[0] === 'number' && typeof reply[1] === 'number') {
    return { granted: reply[0] === 1, waitMs: reply[1] };
  }
  throw new Error('unexpected reply from the budget script');
}

export interface RedisRateBudgetOptions extends BudgetOptions {
  name: BudgetName;
  /**
   * Used instead when Redis cannot answer (reads: requests Intune would at worst throttle, which the Graph client
   * retries). Without one (writes), the take fails with `unavailable`: a write never goes out unbudgeted.
   */
  fallback?: RateBudget;
  onEvent?: CoordinationEventListener;
}

export class RedisRateBudget implements RateBudget {
  private readonly key: string;
  /** Members must be unique across replicas and takes. */
  private readonly memberPrefix = randomUUID();
  private sequence = 0;
  private readonly emit: CoordinationEventListener;

  constructor(
    private readonly store: RedisStore,
    private readonly options: RedisRateBudgetOptions,
  ) {
    this.key = `${store.keyPrefix}budget:${options.name}`;
    store.client.defineCommand('takeSlot', { numberOfKeys: 1, lua: TAKE_SLOT });
    this.emit = emitter(options.onEvent);
  }

  get enabled(): boolean {
    return this.options.limit > 0;
  }

  async take(signal?: AbortSignal): Promise<void> {
    if (!this.enabled) return;
    if (signal?.aborted) throw new CoordinationError('The wait was cancelled.', 'aborted');
    const { limit, windowMs, maxWaitMs, fallback } = this.options;
    let reply: { granted: boolean; waitMs: number };
    try {
      const member = `${this.memberPrefix}:${++this.sequence}`;
      reply = parseReply(await this.store.call((client) => client.takeSlot(this.key, limit, windowMs, maxWaitMs, member), { idempotent: true }));
    } catch (error) {
      if (fallback && (!isCoordinationError(error) || error.failure === 'unavailable')) {
        this.emit({ type: 'budget-fallback', budget: this.options.name });
        return fallback.take(signal);
      }
      if (isCoordinationError(error)) throw error;
      throw new CoordinationError('The shared coordination store gave an unexpected reply; nothing was decided.', 'unavailable', undefined, { cause: error });
    }
    if (!reply.granted) {
      throw new CoordinationError('The budget for Microsoft Graph is used up; retry later.', 'budget-exhausted', retryAfter(reply.waitMs));
    }
    if (reply.waitMs > 0) await waitFor(reply.waitMs, signal);
  }
}
