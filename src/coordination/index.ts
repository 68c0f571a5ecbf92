/** The coordination layer's entry point: the backend the settings ask for, reporting to the optional event listener. */
import { instrument, type CoordinationEventListener } from './events';
import { createLocalCoordination, type LocalCoordinationOptions } from './local';
import type { CoordinationLogger } from './redis';
import type { Coordination, CoordinationSettings } from './types';

/** In process without REDIS_URL; Redis (and ioredis, ~6 MiB of memory, loaded only then) with it. */
export async function createCoordination(
  settings: CoordinationSettings,
  budgets: LocalCoordinationOptions,
  hooks: { logger?: CoordinationLogger; onEvent?: CoordinationEventListener } = {},
): Promise<Coordination> {
  const coordination = settings.redis
    ? (await import('./redis')).createRedisCoordination({ settings: settings.redis, budgets, ...hooks })
    : createLocalCoordination(budgets);
  return instrument(coordination, hooks.onEvent);
}

export * from './types';
export type { CoordinationEvent } from './events';
