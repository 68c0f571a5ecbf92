import type { FaultConfig } from './faults';
import type { AssignReplyMode } from './assign';
import type { ActivationCode } from './data';
import type { WriteReplyMode } from './pools';
import type { WriteLimit } from './write-window';
import type { QuirksConfig } from './quirks';
import type { TargetAccess } from './directory';

export type { AssignReplyMode } from './assign';
export type { WriteReplyMode } from './pools';
export type { WriteLimit } from './write-window';
export type { ActivationCode } from './data';
export type { QuirksConfig, ReplyRule } from './quirks';
export type { SkipTokenStyle } from './paging';
export type { TargetAccess } from './directory';

/** Order of the responses in a $batch reply. Graph does not guarantee request order. */
export type BatchOrder = 'reverse' | 'request';

export interface StartEmulatorOptions {
  /** Default 0 (random free port). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Fixed added latency per HTTP request (default 0); also settable later with setLatency. */
  latencyMs?: number;
  /** Fault injection (see faults.ts). */
  faults?: FaultConfig;
  /** Default true: 401 without `Authorization: Bearer <non-empty>`. */
  requireAuth?: boolean;
  /** Default true: load the sample tenant. */
  seed?: boolean;
  /** Extension: that many generated pools besides the sample tenant (load tests; default 0). See `generatedPoolId`. */
  extraPools?: number;
  /** Extension: PRNG seed used by fault configs that do not set `seed` (default DEFAULT_FAULT_SEED). */
  faultSeed?: number;
  /**
   * Extension: keep at most about this many entries in the request log (oldest dropped first;
   * counts and `?since=` stay absolute). Default: unlimited.
   */
  maxRecordedRequests?: number;
  /** Extension: $batch response order (default 'reverse'). */
  batchOrder?: BatchOrder;
  /** How create/update answer (default 'entity': 201/200 with the pool; 'noContent': 204). */
  writeReply?: WriteReplyMode;
  /** Tenant-wide sliding write window (POST/PUT/PATCH/DELETE) → 429 + Retry-After when used up. Default: off. */
  writeLimit?: WriteLimit;
  /** Odd data on demand: reply rules and the skiptoken style (see quirks.ts). Default: none. */
  quirks?: QuirksConfig;
  /** Which directory reads (`GET /groups/{id}`, `GET …/assignmentFilters/{id}`) answer 403. Default: both allowed. */
  targetAccess?: Partial<TargetAccess>;
  /** Serve HTTPS with this certificate and key (PEM), as Graph does; default plain HTTP. */
  tls?: { cert: string; key: string };
}

export interface RecordedRequest {
  method: string;
  /** Path + query exactly as received, e.g. /beta/deviceManagement/embeddedSIMActivationCodePools/abc%2F/assign */
  rawPath: string;
  /** Decoded pathname. */
  path: string;
  query: Record<string, string>;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Parsed JSON, or the raw string if not JSON, or undefined. */
  body: unknown;
  bearerToken?: string;
  /** Status sent; 0 while unanswered (e.g. a hang fault). For a reset fault, the status in the partial reply. */
  status: number;
  /** For $batch: the inner requests. */
  batchItems?: RecordedRequest[];
}

export interface GraphEmulator {
  /** e.g. http://127.0.0.1:43123 (origin only; Graph paths are under /beta). */
  url: string;
  port: number;
  /** Every HTTP request received (a $batch counts as ONE, inner items in batchItems). */
  readonly requests: RecordedRequest[];
  requestCount(filter?: (r: RecordedRequest) => boolean): number;
  clearRequests(): void;
  /** Re-seed data, clear log, restore faults/latency/overrides to the start options. */
  reset(): void;
  setLatency(ms: number): void;
  setFaults(cfg: FaultConfig | undefined): void;
  /** How POST …/assign answers (default 'value'). */
  setAssignReply(mode: AssignReplyMode): void;
  /** Store raw wire objects, bypassing validation. Throws for an unknown pool. */
  setRawAssignments(poolId: string, assignments: unknown[]): void;
  getAssignments(poolId: string): unknown[] | undefined;
  /** Extension: $batch response order (default 'reverse'). */
  setBatchOrder(order: BatchOrder): void;
  /** How create (201) and update (200) answer: with the entity (default) or 204 without a body. */
  setWriteReply(mode: WriteReplyMode): void;
  /** The tenant-wide write window; undefined turns it off. Restarts the window. */
  setWriteLimit(limit: WriteLimit | undefined): void;
  /** The activation codes stored for a pool (a copy; never served over HTTP). undefined for an unknown pool. */
  getActivationCodes(poolId: string): ActivationCode[] | undefined;
  /** Odd data on demand (reply rules, skiptoken style); undefined clears. Restarts the rules' `times` counters. */
  setQuirks(cfg: QuirksConfig | undefined): void;
  /** Which directory reads answer 403; undefined allows both. `reset()` restores the start option. */
  setTargetAccess(access: Partial<TargetAccess> | undefined): void;
  getTargetAccess(): TargetAccess;
  /** Creates (or restores) a group, so that `GET /groups/{id}` finds it. */
  putGroup(id: string, displayName?: string): void;
  /** Deletes a group (its assignments stay: orphans); false when there was none. */
  deleteGroup(id: string): boolean;
  /** Creates or replaces an assignment filter (platform default `windows10AndLater`). */
  putAssignmentFilter(id: string, options?: { platform?: string; displayName?: string }): void;
  /** Deletes an assignment filter (targets that use it stay); false when there was none. */
  deleteAssignmentFilter(id: string): boolean;
  /** Closes the server and all keep-alive sockets (including hung requests). */
  close(): Promise<void>;
}
