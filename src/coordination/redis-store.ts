/**
 * The ioredis connection shared by the budgets and the locks: per-command timeout, no offline queue, reconnect
 * with backoff. Health follows the connection; reasons come from error codes, never from a URL or a message.
 */
import { Redis } from 'ioredis';
import { emitter, type CoordinationEventListener } from './events';
import type { RedisSettings } from './settings';
import { CoordinationError, isCoordinationError } from './types';

/** The subset of a pino logger used here (pino's Logger fits). */
export interface CoordinationLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const TIMED_OUT = 'Command timed out';

/**
 * The name, message and code of an error. Not `instanceof Error`: the socket errors come from Node's own realm,
 * which is not the caller's under a test runner's sandbox.
 */
function fieldsOf(error: unknown): { name: string; message: string; code?: string } {
  if (typeof error !== 'object' || error === null) return { name: typeof error, message: String(error) };
  const name = 'name' in error ? error.name : undefined;
  const message = 'message' in error ? error.message : undefined;
  const code = 'code' in error ? error.code : undefined;
  return {
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message : '',
    code: typeof code === 'string' ? code : undefined,
  };
}

/** A reason for health() and logs from an error, by its code or kind only. */
export function describeRedisError(error: unknown): string {
  const { name, message, code } = fieldsOf(error);
  if (code !== undefined && /^[A-Z0-9_]{2,40}$/.test(code)) return `redis unreachable: ${code}`;
  if (message === TIMED_OUT) return 'redis slow: command timed out';
  if (message.startsWith('Socket timeout')) return 'redis slow: socket timeout';
  // A Redis error reply starts with its code word (WRONGPASS, NOAUTH, LOADING, OOM…); the rest is not shown.
  const word = /^([A-Z][A-Z_]{1,30})(?:\s|$)/.exec(message)?.[1];
  if (word !== undefined && name === 'ReplyError') return `redis refused: ${word}`;
  return `redis unreachable: ${/^[A-Za-z]{1,40}$/.test(name) ? name : 'error'}`;
}

/** Reconnect delay: exponential from 50 ms to 2 s, with jitter so that replicas do not reconnect in step. */
function reconnectDelay(times: number): number {
  const base = Math.min(2000, 50 * 2 ** Math.min(times, 6));
  return Math.round(base / 2 + (Math.random() * base) / 2);
}

export interface RedisStoreOptions {
  settings: RedisSettings;
  logger?: CoordinationLogger;
  onEvent?: CoordinationEventListener;
  /** Shown in Redis's CLIENT LIST (default esim-pools-subgraph). */
  connectionName?: string;
}

export class RedisStore {
  readonly client: Redis;
  readonly keyPrefix: string;
  private readonly displayUrl: string;
  private readonly logger?: CoordinationLogger;
  private readonly emit: CoordinationEventListener;
  private lastError?: string;
  /** Set when a command timed out on a connection that still looks ready; cleared by the next reply. */
  private slow = false;
  /** What was last reported (store-up / store-down), so that a long outage is logged once, not per retry. */
  private reported?: 'up' | 'down';
  private closed = false;

  constructor(options: RedisStoreOptions) {
    const { settings } = options;
    this.keyPrefix = settings.keyPrefix;
    this.displayUrl = settings.displayUrl;
    this.logger = options.logger;
    this.emit = emitter(options.onEvent);
    this.client = new Redis({
      host: settings.host,
      port: settings.port,
      username: settings.username,
      password: settings.password,
      db: settings.db,
      tls: settings.tls ? {} : undefined,
      connectionName: options.connectionName ?? 'esim-pools-subgraph',
      commandTimeout: settings.commandTimeoutMs,
      // A hung server (not a closed one) shows up as a socket with replies overdue: drop it and reconnect.
      socketTimeout: Math.max(2000, settings.commandTimeoutMs * 4),
      connectTimeout: Math.max(1000, settings.commandTimeoutMs * 4),
      // On close, how long an ending socket may linger before it is destroyed (its timer outlives the socket).
      disconnectTimeout: settings.commandTimeoutMs,
      // Fail fast instead of queueing or resending: a resent SET NX whose first reply was lost would leave the
      // lock held by nobody, and a queued budget take would be decided long after its caller gave up.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: reconnectDelay,
    });
    this.client.on('ready', () => this.refresh());
    this.client.on('error', (error: unknown) => {
      this.lastError = describeRedisError(error);
      this.refresh();
    });
    this.client.on('close', () => {
      // A server that shut down cleanly closes without an error event.
      this.lastError ??= 'redis unreachable: connection closed';
      this.refresh();
    });
    this.client.on('end', () => this.refresh());
  }

  /** Whether a command can be sent now (else it would fail at once). */
  get ready(): boolean {
    return !this.closed && this.client.status === 'ready';
  }

  /**
   * Resolves true once the connection is ready (at once if it is), false when it is not after `timeoutMs` or was
   * closed. For start-up: a replica that listens before its first connection would refuse its first writes.
   */
  connected(timeoutMs: number): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (value: boolean): void => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        this.client.off('end', onEnd);
        resolve(value);
      };
      const onReady = (): void => done(true);
      const onEnd = (): void => done(false);
      const timer = setTimeout(() => done(this.ready), timeoutMs);
      this.client.on('ready', onReady);
      this.client.on('end', onEnd);
    });
  }

  health(): { ok: boolean; reason?: string } {
    if (this.closed) return { ok: false, reason: 'redis connection closed' };
    if (this.client.status !== 'ready') return { ok: false, reason: this.lastError ?? 'redis connecting' };
    if (this.slow) return { ok: false, reason: 'redis slow: command timed out' };
    return { ok: true };
  }

  /**
   * Runs one command; any failure becomes an `unavailable` CoordinationError. `idempotent`: sent once more after a
   * late reply on a connection not yet known slow (docs/scale-out.md, "One late reply is tried again").
   */
  async call<T>(command: (client: Redis) => Promise<T>, options: { idempotent?: boolean } = {}): Promise<T> {
    if (!this.ready) throw this.unavailable();
    const knownSlow = this.slow;
    try {
      return this.answered(await command(this.client));
    } catch (error) {
      if (isCoordinationError(error)) throw error;
      if (fieldsOf(error).message !== TIMED_OUT) throw this.unavailable(error);
      if (!options.idempotent || knownSlow || !this.ready) {
        this.markSlow(error);
        throw this.unavailable(error);
      }
      // Not reported as slow yet: the second try tells.
    }
    try {
      return this.answered(await command(this.client));
    } catch (error) {
      if (isCoordinationError(error)) throw error;
      if (fieldsOf(error).message === TIMED_OUT) this.markSlow(error);
      throw this.unavailable(error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      // QUIT lets in-flight replies arrive; bounded by the command timeout like any other command.
      if (this.client.status === 'ready') await this.client.quit();
    } catch {
      // closing anyway
    } finally {
      // Also cancels a pending reconnect, which QUIT on a reconnecting client leaves scheduled.
      this.client.disconnect();
    }
  }

  /** A reply came: a store that was slow answers again. */
  private answered<T>(reply: T): T {
    if (this.slow) {
      this.slow = false;
      this.refresh();
    }
    return reply;
  }

  private markSlow(error: unknown): void {
    this.slow = true;
    this.lastError = describeRedisError(error);
    this.refresh();
  }

  private unavailable(cause?: unknown): CoordinationError {
    const reason = cause === undefined ? (this.health().reason ?? 'redis unreachable') : describeRedisError(cause);
    return new CoordinationError(`The shared coordination store cannot answer (${reason}); nothing was decided.`, 'unavailable', undefined, { cause });
  }

  private refresh(): void {
    if (this.closed) return;
    const health = this.health();
    if (health.ok) {
      if (this.reported === 'up') return;
      const recovered = this.reported === 'down';
      this.reported = 'up';
      this.lastError = undefined;
      this.emit({ type: 'store-up' });
      this.logger?.info({ url: this.displayUrl }, recovered ? 'Redis answers again: shared budgets and locks are back' : 'Connected to Redis');
      return;
    }
    // Still connecting for the first time, with no failure yet: nothing to report.
    if (this.reported === 'down' || this.lastError === undefined) return;
    this.reported = 'down';
    const reason = health.reason ?? this.lastError;
    this.emit({ type: 'store-down', reason });
    this.logger?.warn({ url: this.displayUrl, reason }, 'Redis cannot answer: writes and pool locks are refused, reads use the local window');
  }
}
