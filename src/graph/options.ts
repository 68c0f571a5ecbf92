/** The Graph client's options and their defaults (GRAPH_CLIENT_DEFAULTS, which src/config reads too). */
import type { Tracer } from '@opentelemetry/api';
import type { BudgetOptions, RateBudget } from '../coordination/types';
import type { GraphCallEvent } from './api';
import type { BulkheadOptions } from './pipeline/bulkhead';
import type { TokenEvent } from './pipeline/token';
import type { RetryOptions } from './pipeline/retryRules';
import type { UnknownValueEvent } from './unknown-values';

export const GRAPH_CLIENT_DEFAULTS = {
  /** The eSIM API exists only in beta. */
  apiVersion: 'beta',
  /** Deadline of one call, retries and waits included. */
  timeoutMs: 30_000,
  /** Longest wait for one token acquisition (capped at timeoutMs): a black-holed token request must not hold calls. */
  tokenTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  keepAliveTimeoutMs: 30_000,
  /** Keep-alive connections to Graph. */
  maxConnections: 32,
  retry: { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 10_000 },
  /** Calls in flight to Graph at once, calls waiting, and their longest wait. */
  bulkhead: { maxConcurrent: 64, maxQueue: 256, maxWaitMs: 5_000 },
  /** Intune's eSIM write limit is 100 per 20 s per app per tenant. */
  writeBudget: { limit: 100, windowMs: 20_000, maxWaitMs: 2_000 },
} as const satisfies {
  apiVersion: string;
  timeoutMs: number;
  tokenTimeoutMs: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  retry: RetryOptions;
  bulkhead: BulkheadOptions;
  writeBudget: BudgetOptions;
};

export interface GraphClientOptions {
  /** The Graph API version segment. */
  apiVersion?: string;
  /** The token scope, e.g. `https://graph.microsoft.com/.default`. */
  scope: string;
  /** Deadline of one call including retries and waits. */
  timeoutMs?: number;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  maxConnections?: number;
  retry?: Partial<RetryOptions>;
  /** Called once per finished call (success or failure), for logs and metrics. */
  onCall?: (event: GraphCallEvent) => void;
  /**
   * Called the first time Graph sends a value this version does not know (an enum member added since, a new target
   * type): once per type and value for this client and its on-behalf-of clients (logs).
   */
  onUnknownValue?: (event: UnknownValueEvent) => void;
  /** Called on every token the credential handed out (metrics). */
  onTokenAcquired?: () => void;
  /** Longest wait for one token acquisition, shared by the calls waiting for it; never more than timeoutMs. */
  tokenTimeoutMs?: number;
  /**
   * While the client's own credential cannot get a token, retry in the background (from `initialDelayMs`, doubling
   * up to `maxDelayMs`). Off when unset; never for withCredential's clients.
   */
  tokenRecovery?: { initialDelayMs: number; maxDelayMs: number };
  /** Token events of this client's own credential (failures, recovery, a token Graph rejected), for logs. */
  onTokenEvent?: (event: TokenEvent) => void;
  /** Concurrent calls to Graph and their queue; always local to this replica. */
  bulkhead?: Partial<BulkheadOptions>;
  /** The in-process write budget used when `budgets.writes` is not given (limit 0 turns it off). */
  writeBudget?: Partial<BudgetOptions>;
  /**
   * Request budgets shared by the replicas (src/coordination): `writes` is taken by POST/PATCH/DELETE and the
   * assign action, `reads` by every request. Absent: an in-process write budget from `writeBudget`, no read budget.
   */
  budgets?: { writes?: RateBudget; reads?: RateBudget };
  /** OpenTelemetry tracer: one client span per Graph call (retries included). Absent: no tracing work. */
  tracer?: Tracer;
  /** For tests: the random source of the backoff jitter. */
  random?: () => number;
}
