/**
 * Replicas for the Redis tests: each a Coordination of its own (its own connection) on the one test server, all
 * under a key prefix unique to the test so that tests never see each other's budgets or locks.
 */
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { isCoordinationError, type BudgetOptions, type CoordinationEvent } from '../../src/coordination/types';
import { createRedisCoordination, type RedisCoordination } from '../../src/coordination/redis';
import { parseCoordinationEnv } from '../../src/config/coordination';
import type { RedisSettings } from '../../src/coordination/types';
import { RedisServer } from '../support/redis';

let prefixes = 0;

export function uniquePrefix(): string {
  return `t${process.pid}-${Date.now().toString(36)}-${++prefixes}`;
}

export function settingsFor(server: RedisServer, prefix: string, overrides: Partial<RedisSettings> = {}): RedisSettings {
  const { redis } = parseCoordinationEnv({ REDIS_URL: server.url, REDIS_KEY_PREFIX: prefix, REDIS_COMMAND_TIMEOUT_MS: '200' });
  if (!redis) throw new Error('REDIS_URL was not taken');
  return { ...redis, ...overrides };
}

export interface ReplicaOptions {
  writes?: Partial<BudgetOptions>;
  reads?: Partial<BudgetOptions>;
  settings?: Partial<RedisSettings>;
  lockMaxHoldMs?: number;
  /** Return before the connection is ready (default: wait for it). */
  noWait?: boolean;
}

export interface Replica {
  coordination: RedisCoordination;
  events: CoordinationEvent[];
  /** Every log line, inspected in full (to look for secrets). */
  logs: string[];
}

/**
 * The jest fixture of the Redis suites: one real redis-server for the file, fresh replicas (their own key prefix)
 * for each test, all closed after it. Call inside a describe; read the values in tests or hooks, not at collection.
 */
export function useRedisReplicas(): { server: () => RedisServer; replicas: () => Replicas } {
  let server: RedisServer | undefined;
  let replicas: Replicas | undefined;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await server?.destroy();
  });
  beforeEach(() => {
    replicas = new Replicas(need(server, 'redis-server'));
  });
  afterEach(async () => {
    await replicas?.closeAll();
  });
  return { server: () => need(server, 'redis-server'), replicas: () => need(replicas, 'replicas') };
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`useRedisReplicas: no ${what} yet (read it inside a test or hook)`);
  return value;
}

/** Makes replicas and closes them all in `closeAll` (call it in afterEach). */
export class Replicas {
  private readonly made: Replica[] = [];
  private readonly clients: Redis[] = [];
  readonly prefix = uniquePrefix();

  constructor(private readonly server: RedisServer) {}

  async add(options: ReplicaOptions = {}): Promise<Replica> {
    const events: CoordinationEvent[] = [];
    const logs: string[] = [];
    const log = (obj: object, msg: string): void => {
      logs.push(`${msg} ${inspect(obj, { depth: 6 })}`);
    };
    const coordination = createRedisCoordination({
      settings: settingsFor(this.server, this.prefix, options.settings),
      budgets: {
        writes: { limit: 100, windowMs: 20_000, maxWaitMs: 0, ...options.writes },
        reads: { limit: 1000, windowMs: 20_000, maxWaitMs: 0, ...options.reads },
      },
      logger: { info: log, warn: log },
      onEvent: (event) => events.push(event),
      lockMaxHoldMs: options.lockMaxHoldMs,
    });
    const replica = { coordination, events, logs };
    this.made.push(replica);
    if (!options.noWait) await ready(coordination);
    return replica;
  }

  /** A plain client on the same server, for looking at keys. */
  client(): Redis {
    const client = new Redis(this.server.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
    this.clients.push(client);
    return client;
  }

  key(name: string): string {
    return `${this.prefix}:${name}`;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.made.map((replica) => replica.coordination.close()));
    for (const client of this.clients) client.disconnect();
  }
}

/** Waits (bounded) until the replica's connection is ready. */
export async function ready(coordination: RedisCoordination, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!coordination.health().ok) {
    if (Date.now() > until) throw new Error(`not connected: ${coordination.health().reason ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The outcome of a take or acquire: 'granted', the CoordinationError's failure, or any other error as text. */
export async function outcome(promise: Promise<unknown>): Promise<{ outcome: string; retryAfterSeconds?: number; message?: string }> {
  try {
    await promise;
    return { outcome: 'granted' };
  } catch (error) {
    if (isCoordinationError(error)) return { outcome: error.failure, retryAfterSeconds: error.retryAfterSeconds, message: error.message };
    return { outcome: `error: ${String(error)}` };
  }
}
