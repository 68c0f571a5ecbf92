/** The per-request context every resolver receives. */
import type { Principal } from '../auth/principal';
import type { PoolLocks } from '../coordination/types';
import type { CallOptions, EsimPoolsApi } from '../graph/api';
import type { History } from '../history/history';
import type { IdempotencyKeys } from '../history/idempotency';
import type { AuditLog } from '../observability/audit';
import { createLoaders, type Loaders } from './loaders';
import type { TargetCheckServices } from './targets';

/**
 * What an idempotency key did: a new request ran; a kept answer was replayed; an unknown first attempt was settled
 * (found done) or retried (run again, or a partial result continued); other arguments were refused; the first still
 * ran at the deadline.
 */
export type IdempotencyResult = 'new' | 'replayed' | 'settled' | 'retried' | 'reused' | 'busy';

/** What writes to a pool's assignments need besides Graph. One per app. */
export interface EditServices {
  /** Per-pool edit locks (Coordination.locks): held from the read of the current set to the end of the assign. */
  locks: PoolLocks;
  /** The audit trail: one line per write attempt. */
  audit: AuditLog;
  /** How long a write may wait for its pool's lock: the Graph call timeout (GRAPH_TIMEOUT_MS). */
  lockWaitMs: number;
  /** Target checks (TARGET_CHECKS, TARGET_CHECK_CACHE_S); unset: strict, no cache. */
  targets?: TargetCheckServices;
  /** How long a bulk edit keeps retrying throttled pools (BULK_TIMEOUT_MS); unset: 60000. */
  bulkTimeoutMs?: number;
  /** The assignment history (journal, outside changes); undefined with HISTORY=off. */
  history?: History;
  /** Idempotency keys in the history store; undefined with HISTORY=off (a key then answers HISTORY_UNAVAILABLE). */
  idempotency?: IdempotencyKeys;
  /** What a mutation's idempotency key did (for the `idempotency_requests_total` metric). */
  onIdempotency?(result: IdempotencyResult): void;
  /** A key's outcome could not be recorded (logged; the answer stands, and the key's repeat settles it). */
  onKeyError?(error: unknown): void;
  /** A journal entry could not be completed after Graph answered (logged; the write's answer stands). */
  onJournalError?(error: unknown): void;
}

export interface Context {
  /** This request's id (from `x-request-id`/`request-id` when the router sent a valid one, else new). */
  requestId: string;
  /** The Graph API as the caller (app-only: the app; on-behalf-of: the signed-in user). */
  graph: EsimPoolsApi;
  /** This request's DataLoaders (never shared across requests or users). */
  loaders: Loaders;
  /** Passed to every Graph call: correlation id and the request's abort signal. */
  callOptions: CallOptions;
  /** The verified caller (undefined when inbound authentication is off: emulator mode without AUTH_AUDIENCE). */
  principal?: Principal;
  /** Locks, audit and deadline of assignment writes. */
  edits: EditServices;
}

export function createContext(
  requestId: string,
  graph: EsimPoolsApi,
  signal: AbortSignal | undefined,
  principal: Principal | undefined,
  edits: EditServices,
): Context {
  const callOptions: CallOptions = { requestId, signal };
  const observe = edits.history?.observeInBackground.bind(edits.history);
  return { requestId, graph, loaders: createLoaders(graph, callOptions, edits.targets?.cache, observe), callOptions, principal, edits };
}
