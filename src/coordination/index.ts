/**
 * The coordination layer's entry point: createCoordination picks the backend from the settings (in process without
 * REDIS_URL, Redis with it) and reports every budget take and lock acquisition to the optional event listener.
 */
import { instrument, type CoordinationEventListener } from './events';
import { createLocalCoordination, type LocalCoordinationOptions } from './local';
import type { CoordinationLogger } from './redis-store';
import type { CoordinationSettings } from './settings';
import type { Coordination } from './types';

export interface CoordinationHooks {
  logger?: CoordinationLogger;
  /** Metrics: budget and lock outcomes with wait times, the store going down and up, reads falling back. */
  onEvent?: CoordinationEventListener;
}

/**
 * The Redis backend (and ioredis with it, ~6 MiB of a process's memory) is loaded only when REDIS_URL asks for it.
 */
export async function createCoordination(settings: CoordinationSettings, budgets: LocalCoordinationOptions, hooks: CoordinationHooks = {}): Promise<Coordination> {
  let coordination: Coordination;
  if (settings.redis) {
    const { createRedisCoordination } = await import('./redis');
    coordination = createRedisCoordination({ settings: settings.redis, budgets, logger: hooks.logger, onEvent: hooks.onEvent });
  } else {
    coordination = createLocalCoordination(budgets);
  }
  return instrument(coordination, hooks.onEvent);
}

export * from './types';
export type { BudgetName, CoordinationEvent, CoordinationEventListener } from './events';
export type { LocalCoordinationOptions } from './local';
export type { CoordinationLogger } from './redis-store';
export type { CoordinationSettings, RedisSettings } from './settings';
