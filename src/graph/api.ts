/** What the subgraph asks of Microsoft Graph; everything above the client depends on this interface only. */
import type { CredentialClient } from './client';
import type { GraphError, GraphErrorKind } from './errors';
import type { WireAssignment, WirePool } from './models';
import type { GraphCall } from './pipeline/request';

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

/** One finished Graph call, for logs and metrics (no secrets, no ids: a path template; `throttled`: 429 replies). */
export interface GraphCallEvent
  extends Pick<GraphCall, 'method' | 'pathTemplate' | 'clientRequestId' | 'retries' | 'throttled'> {
  status?: number;
  durationMs: number;
  requestId?: string;
  errorKind?: GraphErrorKind;
}

/** A per-item result of a batched read: the value, `null` for 404, or that item's error. */
export type BatchItemResult<T> = T | null | GraphError;

/** A pool read with `$expand=assignments`. */
export interface PoolWithAssignments {
  pool: WirePool;
  /** Undefined when Graph did not expand them (or not as a valid assignment collection). */
  assignments?: WireAssignment[];
}

/** The Graph operations the subgraph needs: the client's, without what only the client's owner uses. */
export type EsimPoolsApi = Omit<CredentialClient, 'withCredential'>;
