/** The per-request context and its DataLoaders (never shared across requests or users). */
import DataLoader from 'dataloader';
import type { Principal } from '../auth/principal';
import type { PoolLocks } from '../coordination/types';
import type { CallOptions, EsimPoolsApi, Page, PageRequest } from '../graph/api';
import type { DirectoryKey, WireDirectoryObject } from '../graph/directory';
import { GraphError } from '../graph/errors';
import type { WireAssignment, WireDeviceState, WirePool } from '../graph/models';
import type { History } from '../history/history';
import type { IdempotencyKeys } from '../history/idempotency';
import type { AuditLog } from '../observability/audit';
import { readDirectory, type DirectoryCache, type TargetCheckServices } from './targets';

/** What an idempotency key did (each value's meaning: docs/edits.md, the `idempotency_requests_total` metric). */
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

/** The per-request context every resolver receives: its id, the Graph API as the caller, DataLoaders, edit services. */
export type Context = ReturnType<typeof createContext>;

/**
 * `requestId`: the router's valid `x-request-id`/`request-id`, else new; `graph`: as the caller (the app, or the user
 * on behalf of); `principal`: undefined when inbound authentication is off (emulator mode without AUTH_AUDIENCE).
 */
export function createContext(
  requestId: string,
  graph: EsimPoolsApi,
  signal: AbortSignal | undefined,
  principal: Principal | undefined,
  edits: EditServices,
) {
  const callOptions: CallOptions = { requestId, signal };
  return { requestId, graph, loaders: createLoaders(graph, callOptions, edits.targets?.cache, edits.history), callOptions, principal, edits };
}

export type Loaders = ReturnType<typeof createLoaders>;

type DeviceStatesPageKey = { poolId: string } & PageRequest;

const poolNotFound = (): GraphError => new GraphError('The pool was not found.', { kind: 'http', status: 404, code: 'ResourceNotFound' });
/** Pools by id, whatever the id's case. */
const byPoolId = { cacheKeyFn: (id: string): string => id.toLowerCase(), maxBatchSize: 100 };

/**
 * A request's loaders, each made when first used (most operations need one or two); n keys cost ⌈n/20⌉ requests,
 * failures per item. `history` is told of every pool's set a read found.
 */
export function createLoaders(graph: EsimPoolsApi, options: CallOptions, cache?: DirectoryCache, history?: History) {
  let pools: DataLoader<string, WirePool | null> | undefined;
  let poolsWithAssignments: DataLoader<string, WirePool | null> | undefined;
  let assignments: DataLoader<string, WireAssignment[]> | undefined;
  let deviceStates: DataLoader<DeviceStatesPageKey, Page<WireDeviceState>, string> | undefined;
  let directory: DataLoader<DirectoryKey, WireDirectoryObject | null, string> | undefined;
  const loaders = {
    /** A group or assignment filter (`targetState`), the app's short cache first; null when Graph says 404. */
    get directoryObject() {
      return (directory ??= new DataLoader<DirectoryKey, WireDirectoryObject | null, string>((keys) => readDirectory(graph, keys, options, cache), {
        cacheKeyFn: (key) => `${key.kind}:${key.id.toLowerCase()}`,
        maxBatchSize: 100,
      }));
    },
    /** Pool by id; null when Graph says 404. */
    get poolById() {
      return (pools ??= new DataLoader<string, WirePool | null>((ids) => graph.getPools(ids, options), byPoolId));
    },
    /** Pool by id with `$expand=assignments`, priming `assignmentsByPool`; null when Graph says 404. */
    get poolWithAssignmentsById() {
      return (poolsWithAssignments ??= new DataLoader<string, WirePool | null>(async (ids) => {
        const started = Date.now();
        const results = await graph.getPoolsWithAssignments(ids, options);
        return results.map((r, i) => {
          if (r === null || r instanceof Error) return r;
          if (r.assignments !== undefined) {
            loaders.assignmentsByPool.clear(ids[i]).prime(ids[i], r.assignments);
            history?.observeInBackground(ids[i], r.assignments.map((a) => a.target), started);
          }
          return r.pool;
        });
      }, byPoolId));
    },
    /** A pool's assignments by pool id. */
    get assignmentsByPool() {
      return (assignments ??= new DataLoader<string, WireAssignment[]>(async (ids) => {
        const started = Date.now();
        const results = await graph.listAssignmentsOfPools(ids, options);
        // A pool that does not exist has no assignments to list: its 404 is that item's NOT_FOUND error.
        return results.map((r, i) => {
          if (Array.isArray(r)) history?.observeInBackground(ids[i], r.map((a) => a.target), started);
          return r ?? poolNotFound();
        });
      }, byPoolId));
    },
    /** A page of a pool's device states (one $batch for every pool's `deviceStates` in the request). */
    get deviceStatesPage() {
      return (deviceStates ??= new DataLoader<DeviceStatesPageKey, Page<WireDeviceState>, string>(
        async (keys) => (await graph.listDeviceStatesOfPools(keys, options)).map((r) => r ?? poolNotFound()),
        { cacheKeyFn: (key) => JSON.stringify([key.poolId.toLowerCase(), key.top, key.next ?? {}, key.count === true]), maxBatchSize: 100 },
      ));
    },
  };
  return loaders;
}
