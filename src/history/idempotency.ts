/** Idempotency keys in the history store, shared by the replicas, held by one attempt at a time (docs/edits.md). */
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { num, parse, text, type HistoryStore } from './store';

export enum KeyState {
  RUNNING = 'RUNNING',
  DONE = 'DONE',
  /** Done, but a repeat runs again with the kept result (a bulk edit's pools that failed). */
  PARTIAL = 'PARTIAL',
  UNKNOWN = 'UNKNOWN',
}

/** A key as its caller owns it. */
export interface KeyId {
  /** The verified caller (tenant and object or app id; `anonymous` without inbound authentication). */
  caller: string;
  key: string;
}

/** What a repeat finds that an earlier attempt left (a takeover). */
export interface EarlierAttempt {
  state: KeyState.UNKNOWN | KeyState.PARTIAL;
  /** Epoch ms when the first attempt started. */
  startedMs: number;
  /** The kept result of a PARTIAL request. */
  result?: unknown;
}

export type Claim =
  /** This attempt holds the key: run (after settling `earlier`, when there is one). */
  | { kind: 'run'; token: string; earlier?: EarlierAttempt }
  /** The first request is done: answer its kept result. */
  | { kind: 'done'; result: unknown }
  /** The key names a request with other arguments. */
  | { kind: 'reused' }
  /** The first request still ran at the deadline. */
  | { kind: 'busy' };

export interface IdempotencyOptions {
  /** How long a key is kept after its first use (IDEMPOTENCY_TTL_S). */
  ttlMs: number;
  /** How long a RUNNING attempt may take before a repeat takes it as dead (its outcome unknown). */
  runningLeaseMs: number;
  now?: () => number;
}

/** A waiting repeat looks at the key again after this long at first, growing to POLL_MAX_MS. */
const POLL_MIN_MS = 20;
const POLL_MAX_MS = 250;

const id = (key: KeyId): string => `${key.caller}\u0000${key.key}`;

/** A new key, or an expired one reused: one statement, so two replicas claiming at once cannot both get it. */
const CLAIM = `insert into idempotency_key (caller, key, operation, request_hash, state, owner, result, started_ms, running_until_ms, expires_ms)
  values (?, ?, ?, ?, ?, ?, null, ?, ?, ?) on conflict (caller, key) do update set operation = excluded.operation,
  request_hash = excluded.request_hash, state = excluded.state, owner = excluded.owner, result = null,
  started_ms = excluded.started_ms, running_until_ms = excluded.running_until_ms, expires_ms = excluded.expires_ms
  where idempotency_key.expires_ms <= ? returning owner`;
/** Takes a key over from the attempt that left it (compare-and-set on its owner and state). */
const TAKE_OVER = 'update idempotency_key set state = ?, owner = ?, running_until_ms = ? where caller = ? and key = ? and owner = ? and state = ? returning owner';

export class IdempotencyKeys {
  /** Emits a key's id when an attempt of this process on it ends: its waiting repeats look at once (others poll). */
  private readonly ended = new EventEmitter().setMaxListeners(0);

  constructor(
    private readonly store: HistoryStore,
    private readonly options: IdempotencyOptions,
  ) {}

  /** Claims the key: a new or expired one is this attempt's; else waits while another runs, until `deadline` (epoch). */
  async claim(key: KeyId, operation: string, hash: string, deadline: number, signal?: AbortSignal): Promise<Claim> {
    const token = randomUUID();
    let pause = POLL_MIN_MS;
    for (;;) {
      const now = this.options.now?.() ?? Date.now();
      const lease = now + this.options.runningLeaseMs;
      const [claimed] = await this.store.query(CLAIM, [key.caller, key.key, operation, hash, KeyState.RUNNING, token, now, lease, now + this.options.ttlMs, now]);
      if (claimed !== undefined && claimed.owner === token) return { kind: 'run', token };
      const [row] = await this.store.query('select * from idempotency_key where caller = ? and key = ?', [key.caller, key.key]);
      // Released (or expired and deleted) since the insert: try again at once.
      if (row === undefined || Number(row.expires_ms) <= now) continue;
      if (row.request_hash !== hash) return { kind: 'reused' };
      const state = Object.values(KeyState).find((known) => known === row.state);
      if (state === undefined) throw new Error(`idempotency_key.state holds ${text(row.state)}, which is no KeyState`);
      if (state === KeyState.DONE) return { kind: 'done', result: parse(row.result) };
      const dead = state === KeyState.RUNNING && Number(row.running_until_ms) <= now;
      if (state === KeyState.UNKNOWN || state === KeyState.PARTIAL || dead) {
        const taken = await this.store.query(TAKE_OVER, [KeyState.RUNNING, token, lease, key.caller, key.key, row.owner, row.state]);
        if (taken.length === 0) continue;
        const earlier: EarlierAttempt = { state: state === KeyState.PARTIAL ? KeyState.PARTIAL : KeyState.UNKNOWN, startedMs: Number(row.started_ms) };
        if (state === KeyState.PARTIAL) earlier.result = parse(row.result);
        return { kind: 'run', token, earlier };
      }
      if (now >= deadline || signal?.aborted === true) return { kind: 'busy' };
      await this.wait(key, Math.min(pause, deadline - now), signal);
      pause = Math.min(pause * 2, POLL_MAX_MS);
    }
  }

  /** The attempt is done: its answer is kept (`final` false: PARTIAL, a repeat runs again with it). */
  complete(key: KeyId, token: string, result: unknown, final = true): Promise<void> {
    return this.end(key, token, 'update idempotency_key set state = ?, result = ?', [final ? KeyState.DONE : KeyState.PARTIAL, JSON.stringify(result)]);
  }

  /** The attempt ended without knowing whether Graph wrote: the next repeat settles it. */
  unknown(key: KeyId, token: string): Promise<void> {
    return this.end(key, token, 'update idempotency_key set state = ?', [KeyState.UNKNOWN]);
  }

  /** The attempt wrote nothing: the key is free, its repeat runs again. */
  release(key: KeyId, token: string): Promise<void> {
    return this.end(key, token, 'delete from idempotency_key', []);
  }

  /** Deletes about `batch` expired keys, oldest first (same-millisecond ones together); resolves with how many. */
  async deleteExpired(batch = 500): Promise<number> {
    const now = this.options.now?.() ?? Date.now();
    const [last] = await this.store.query('select expires_ms from idempotency_key where expires_ms <= ? order by expires_ms limit 1 offset ?', [now, batch - 1]);
    const deleted = await this.store.query('delete from idempotency_key where expires_ms <= ? returning key', [num(last?.expires_ms) ?? now]);
    return deleted.length;
  }

  /** Changes the key while this attempt holds it (`change`: an update or a delete), then wakes this process's repeats. */
  private async end(key: KeyId, token: string, change: string, params: unknown[]): Promise<void> {
    try {
      await this.store.query(`${change} where caller = ? and key = ? and owner = ?`, [...params, key.caller, key.key, token]);
    } finally {
      this.ended.emit(id(key));
    }
  }

  /** Waits `ms`, or less when an attempt of this process on the key ends, or the signal fires. */
  private async wait(key: KeyId, ms: number, signal?: AbortSignal): Promise<void> {
    const done = new AbortController();
    const both = signal ? AbortSignal.any([signal, done.signal]) : done.signal;
    await Promise.race([once(this.ended, id(key), { signal: both }), sleep(Math.max(ms, 0), undefined, { signal: both })]).catch(() => undefined);
    done.abort();
  }
}
