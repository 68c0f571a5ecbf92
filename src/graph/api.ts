/** What the subgraph asks of Microsoft Graph; everything above the client depends on this interface only. */
import type { DirectoryKey, WireDirectoryObject } from './directory';
import type { GraphError, GraphErrorKind } from './errors';
import type { WireAssignment, WireAssignmentInput, WireDeviceState, WirePool, WirePoolChanges, WirePoolCreate } from './models';

/** The query parameters of an `@odata.nextLink` that may be replayed (everything else is dropped). */
export const PAGE_PARAMS = ['$top', '$skip', '$skiptoken'] as const;
/** A page position taken from an `@odata.nextLink`: only its allow-listed query parameters. */
export type PageToken = Partial<Record<(typeof PAGE_PARAMS)[number], string>>;

export interface Page<T> {
  /** Graph's items in order; one Graph sent wrongly is its error, in its place (see odata.ts parsePage). */
  value: PageItem<T>[];
  /** Where the next page starts, when there is one. */
  next?: PageToken;
  /** The whole collection's size (`@odata.count`), when it was asked for and Graph gave it. */
  count?: number;
}

/** An item of a page: the value, or why the item Graph sent could not be read (that item's error alone). */
export type PageItem<T> = T | GraphError;

/** One page of a collection: its size and where it starts. */
export interface PageRequest {
  top: number;
  next?: PageToken;
  /** Ask Graph for the collection's size too (`$count=true`). */
  count?: boolean;
}

/** Per-call options. */
export interface CallOptions {
  /** The incoming request's id: the `client-request-id` sent to Graph is derived from it. */
  requestId?: string;
  /** Aborts the call (the caller went away). */
  signal?: AbortSignal;
}

/** One finished Graph call, for logs and metrics (no secrets, no ids: a path template). */
export interface GraphCallEvent {
  method: string;
  pathTemplate: string;
  status?: number;
  durationMs: number;
  retries: number;
  requestId?: string;
  clientRequestId: string;
  errorKind?: GraphErrorKind;
  /** Number of 429 replies seen during the call. */
  throttled: number;
}

/** A per-item result of a batched read: the value, `null` for 404, or that item's error. */
export type BatchItemResult<T> = T | null | GraphError;

/** A pool read with `$expand=assignments`. */
export interface PoolWithAssignments {
  pool: WirePool;
  /** Undefined when Graph did not expand them (or not as a valid assignment collection). */
  assignments?: WireAssignment[];
}

/** The Graph operations the subgraph needs. */
export interface EsimPoolsApi {
  /** POST …/{poolId}/assign: replaces the pool's assignment set and returns the new set. */
  assign(poolId: string, assignments: WireAssignmentInput[], options?: CallOptions): Promise<WireAssignment[]>;
  /** GET …/{poolId}, or null when Graph says 404. */
  getPool(poolId: string, options?: CallOptions): Promise<WirePool | null>;
  /** GET …/{poolId}/assignments */
  listAssignments(poolId: string, options?: CallOptions): Promise<WireAssignment[]>;
  /** GET the pools collection, one page. */
  listPools(page: PageRequest, options?: CallOptions): Promise<Page<WirePool>>;
  /** GET …/{poolId}/deviceStates, one page. */
  listDeviceStates(poolId: string, page: PageRequest, options?: CallOptions): Promise<Page<WireDeviceState>>;
  /** Many pools by id through Graph JSON batching (⌈n/20⌉ HTTP requests); results in key order. */
  getPools(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<WirePool>[]>;
  /** Many pools with `$expand=assignments` through $batch, in key order. */
  getPoolsWithAssignments(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<PoolWithAssignments>[]>;
  /** The assignments of many pools through Graph JSON batching; results in key order. */
  listAssignmentsOfPools(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<WireAssignment[]>[]>;
  /** One device-state page of each of many pools through Graph JSON batching (404 → null); results in order. */
  listDeviceStatesOfPools(
    pages: readonly ({ poolId: string } & PageRequest)[],
    options?: CallOptions,
  ): Promise<BatchItemResult<Page<WireDeviceState>>[]>;
  /** Creates a pool, returned as Graph stored it; repeated only after a 429; Graph's error text never passes. */
  createPool(pool: WirePoolCreate, options?: CallOptions): Promise<WirePool>;
  /** PATCH …/{poolId} with the given properties: the pool after the change (read back after a 204); null for 404. */
  updatePool(poolId: string, changes: WirePoolChanges, options?: CallOptions): Promise<WirePool | null>;
  /** DELETE …/{poolId}: true when deleted, false when Graph says 404. Repeated only after a 429. */
  deletePool(poolId: string, options?: CallOptions): Promise<boolean>;
  /** Groups and assignment filters by id, mixed in JSON batches; results in key order, null for 404. */
  getDirectoryObjects(keys: readonly DirectoryKey[], options?: CallOptions): Promise<BatchItemResult<WireDirectoryObject>[]>;
}
