/** The Graph client's options and their defaults (GRAPH_CLIENT_DEFAULTS, which src/config reads too). */
import type { Tracer } from '@opentelemetry/api';
import type { BudgetOptions, RateBudget } from '../coordination/types';
import type { GraphCallEvent } from './api';
import type { TokenEvent } from './pipeline/token';
import type { UnknownValueEvent } from './models';

export const GRAPH_CLIENT_DEFAULTS = {
  /** The Graph API version segment; the eSIM API exists only in beta. */
  apiVersion: 'beta',
  /** Deadline of one call, retries and waits included. */
  timeoutMs: 30_000,
  /** Longest wait for one token acquisition, shared by the calls waiting for it; capped at timeoutMs. */
  tokenTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  keepAliveTimeoutMs: 30_000,
  /** Keep-alive connections to Graph. */
  maxConnections: 32,
  /** Retries after the first attempt; full-jitter backoff from baseDelayMs, capped at maxDelayMs. */
  retry: { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 10_000 },
  /** Calls in flight to Graph at once (0 or Infinity: no limit), calls waiting, and their longest wait. */
  bulkhead: { maxConcurrent: 64, maxQueue: 256, maxWaitMs: 5_000 },
  /** Intune's eSIM write limit is 100 per 20 s per app per tenant. */
  writeBudget: { limit: 100, windowMs: 20_000, maxWaitMs: 2_000 } satisfies BudgetOptions,
};

type Defaults = typeof GRAPH_CLIENT_DEFAULTS;
export type RetryOptions = Defaults['retry'];
export type BulkheadOptions = Defaults['bulkhead'];

type Scalars = 'apiVersion' | 'timeoutMs' | 'tokenTimeoutMs' | 'connectTimeoutMs' | 'headersTimeoutMs' | 'bodyTimeoutMs' | 'maxConnections';

export interface GraphClientOptions extends Partial<Pick<Defaults, Scalars>> {
  /** The token scope, e.g. `https://graph.microsoft.com/.default`. */
  scope: string;
  retry?: Partial<RetryOptions>;
  /** Called once per finished call (success or failure), for logs and metrics. */
  onCall?: (event: GraphCallEvent) => void;
  /** Called once per type and value the first time Graph sends a value this version does not know (logs). */
  onUnknownValue?: (event: UnknownValueEvent) => void;
  /** Called on every token the credential handed out (metrics). */
  onTokenAcquired?: () => void;
  /** While the own credential cannot get a token, retry in the background; off when unset, never for withCredential's. */
  tokenRecovery?: { initialDelayMs: number; maxDelayMs: number };
  /** Token events of this client's own credential (failures, recovery, a token Graph rejected), for logs. */
  onTokenEvent?: (event: TokenEvent) => void;
  /** Concurrent calls to Graph and their queue; always local to this replica. */
  bulkhead?: Partial<BulkheadOptions>;
  /** The in-process write budget used when `budgets.writes` is not given (limit 0 turns it off). */
  writeBudget?: Partial<BudgetOptions>;
  /** Budgets shared by the replicas: `writes` taken by POST/PATCH/DELETE, `reads` by every request. */
  budgets?: { writes?: RateBudget; reads?: RateBudget };
  /** OpenTelemetry tracer: one client span per Graph call (retries included). Absent: no tracing work. */
  tracer?: Tracer;
  /** For tests: the random source of the backoff jitter. */
  random?: () => number;
}
