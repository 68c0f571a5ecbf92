import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/core-auth';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { Pool, type Dispatcher } from 'undici';
import { GraphError, graphErrorFromReply, isGraphError, isRecord, tryParseJson } from './errors';
import {
  type WireAssignment,
  type WireAssignmentInput,
  type WireDeviceState,
  type WirePool,
} from './models';
import { backoffDelayMs, DEFAULT_RETRY_OPTIONS, parseRetryAfterMs, RETRYABLE_STATUSES, type RetryOptions } from './retry';
import { Bulkhead, delay, WriteBudget, type BulkheadOptions, type WriteBudgetOptions } from './policy';
import { CachedToken } from './token-cache';

/** Graph's limit of requests in one JSON batch. */
export const GRAPH_BATCH_LIMIT = 20;

const POOLS_PATH = '/deviceManagement/embeddedSIMActivationCodePools';

/** The query parameters of an `@odata.nextLink` that may be replayed (everything else is dropped). */
const PAGE_PARAMS = ['$top', '$skip', '$skiptoken'] as const;
/** A page position taken from an `@odata.nextLink`: only its allow-listed query parameters. */
export type PageToken = Partial<Record<(typeof PAGE_PARAMS)[number], string>>;

export interface Page<T> {
  value: T[];
  /** Where the next page starts, when there is one. */
  next?: PageToken;
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
  errorKind?: GraphError['kind'];
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

/** The Graph operations the subgraph needs. Resolvers depend on this interface, not on the class. */
export interface EsimPoolsApi {
  /** POST …/{poolId}/assign: replaces the pool's assignment set and returns the new set. */
  assign(poolId: string, assignments: WireAssignmentInput[], options?: CallOptions): Promise<WireAssignment[]>;
  /** GET …/{poolId}, or null when Graph says 404. */
  getPool(poolId: string, options?: CallOptions): Promise<WirePool | null>;
  /** GET …/{poolId}/assignments */
  listAssignments(poolId: string, options?: CallOptions): Promise<WireAssignment[]>;
  /** GET the pools collection, one page. */
  listPools(page: { top: number; next?: PageToken }, options?: CallOptions): Promise<Page<WirePool>>;
  /** GET …/{poolId}/deviceStates, one page. */
  listDeviceStates(poolId: string, page: { top: number; next?: PageToken }, options?: CallOptions): Promise<Page<WireDeviceState>>;
  /** Many pools by id through Graph JSON batching (⌈n/20⌉ HTTP requests); results in key order. */
  getPools(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<WirePool>[]>;
  /**
   * Many pools with their assignments, `GET …/{poolId}?$expand=assignments` through Graph JSON batching (⌈n/20⌉ HTTP
   * requests instead of twice that); results in key order. `assignments` is undefined when the reply did not
   * expand them (then they are read on their own).
   */
  getPoolsWithAssignments(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<PoolWithAssignments>[]>;
  /** The assignments of many pools through Graph JSON batching; results in key order. */
  listAssignmentsOfPools(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<WireAssignment[]>[]>;
  /** One device-state page of each of many pools through Graph JSON batching (404 → null); results in order. */
  listDeviceStatesOfPools(
    pages: readonly { poolId: string; top: number; next?: PageToken }[],
    options?: CallOptions,
  ): Promise<BatchItemResult<Page<WireDeviceState>>[]>;
}

export interface GraphClientOptions {
  /** The Graph API version segment (default `beta`: the eSIM API exists only there). */
  apiVersion?: string;
  /** The token scope, e.g. `https://graph.microsoft.com/.default`. */
  scope: string;
  /** Deadline of one call including retries and waits (default 30 s). */
  timeoutMs?: number;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Keep-alive connections to Graph (default 32). */
  maxConnections?: number;
  retry?: Partial<RetryOptions>;
  /** Called once per finished call (success or failure), for logs and metrics. */
  onCall?: (event: GraphCallEvent) => void;
  /** Called on every token acquisition the client had to wait for (metrics). */
  onTokenAcquired?: () => void;
  /** Concurrent calls to Graph and their queue (default: 64 in flight, 256 queued, 5 s wait). */
  bulkhead?: Partial<BulkheadOptions>;
  /** Client-side write budget (default: 100 writes per 20 s, 2 s longest wait; limit 0 turns it off). */
  writeBudget?: Partial<WriteBudgetOptions>;
  /** OpenTelemetry tracer: one client span per Graph call (retries included). Absent: no tracing work. */
  tracer?: Tracer;
  /** For tests: a random source for jitter and a clock. */
  random?: () => number;
}

interface Transport {
  pool: Dispatcher;
  origin: string;
  basePath: string;
  timeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  retry: RetryOptions;
  onCall?: (event: GraphCallEvent) => void;
  random: () => number;
  bulkhead: Bulkhead;
  writeBudget: WriteBudget;
  tracer?: Tracer;
}

interface SendSpec {
  method: 'GET' | 'POST';
  /** Path below the version segment, ids already encoded. */
  path: string;
  /** For logs and metrics: the path with ids replaced by `{id}`. */
  pathTemplate: string;
  body?: string;
  /** Counts against the write budget (the assign action). */
  write?: boolean;
}

interface Reply {
  status: number;
  text: string;
  /** The body already parsed (the items of a $batch reply), so it is not serialised and parsed again. */
  json?: unknown;
  requestId?: string;
}

/** A reply's JSON: as parsed with its $batch, or parsed from the text (undefined when it is not JSON). */
function replyJson(reply: Reply): unknown {
  return reply.json !== undefined ? reply.json : tryParseJson(reply.text);
}

/**
 * Microsoft Graph client for the eSIM pool API: HTTP (undici keep-alive pool), tokens, retries, Graph's JSON.
 * It knows nothing of GraphQL.
 */
export class GraphClient implements EsimPoolsApi {
  private readonly transport: Transport;
  private readonly token: CachedToken;

  /**
   * @param endpoint Graph's origin (e.g. `https://graph.microsoft.com`, or the emulator's URL).
   * @param credential Any `TokenCredential` (@azure/identity); its tokens are cached until near expiry.
   */
  constructor(
    private readonly endpoint: string,
    credential: TokenCredential,
    private readonly options: GraphClientOptions,
    shared?: Transport,
  ) {
    this.transport = shared ?? createTransport(endpoint, options);
    this.token = new CachedToken(credential, options.scope, undefined, options.onTokenAcquired);
  }

  /**
   * A client that shares this one's connections and policy but calls Graph with another credential
   * (on-behalf-of: one credential per user).
   */
  withCredential(credential: TokenCredential): GraphClient {
    return new GraphClient(this.endpoint, credential, this.options, this.transport);
  }

  async close(): Promise<void> {
    await this.transport.pool.close();
  }

  /** Calls in flight and waiting in the bulkhead, and open connections to Graph (for metrics and tests). */
  get load(): { inFlight: number; queued: number; connections: number; running: number } {
    const pool = this.transport.pool;
    const stats = pool instanceof Pool ? pool.stats : undefined;
    return {
      inFlight: this.transport.bulkhead.inFlight,
      queued: this.transport.bulkhead.queued,
      connections: stats?.connected ?? 0,
      running: stats?.running ?? 0,
    };
  }

  /** False while the last attempt to get a token failed (readiness). */
  get tokenHealthy(): boolean {
    return this.token.healthy;
  }

  async assign(poolId: string, assignments: WireAssignmentInput[], options?: CallOptions): Promise<WireAssignment[]> {
    const reply = await this.send(
      {
        method: 'POST',
        path: `${poolPath(poolId)}/assign`,
        pathTemplate: `${POOLS_PATH}/{id}/assign`,
        body: JSON.stringify({ assignments }),
        write: true,
      },
      options,
    );
    // Graph's documented reply is 200 {value:[…]}; other Intune assign actions answer 204 or an empty 200 in
    // practice. Then the new set is read back, so the caller always gets the assignments as Graph stores them.
    if (reply.status === 204 || reply.text.trim().length === 0) return this.listAssignments(poolId, options);
    return parseCollection(reply, isWireAssignment, 'assignment');
  }

  async getPool(poolId: string, options?: CallOptions): Promise<WirePool | null> {
    try {
      const reply = await this.send({ method: 'GET', path: poolPath(poolId), pathTemplate: `${POOLS_PATH}/{id}` }, options);
      return parseEntity(reply, isWirePool, 'pool');
    } catch (error) {
      if (isGraphError(error) && error.status === 404) return null;
      throw error;
    }
  }

  async listAssignments(poolId: string, options?: CallOptions): Promise<WireAssignment[]> {
    const reply = await this.send(
      { method: 'GET', path: `${poolPath(poolId)}/assignments`, pathTemplate: `${POOLS_PATH}/{id}/assignments` },
      options,
    );
    return parseCollection(reply, isWireAssignment, 'assignment');
  }

  async listPools(page: { top: number; next?: PageToken }, options?: CallOptions): Promise<Page<WirePool>> {
    const reply = await this.send(
      { method: 'GET', path: `${POOLS_PATH}${pageQuery(page)}`, pathTemplate: POOLS_PATH },
      options,
    );
    return this.parsePage(reply, isWirePool, 'pool', POOLS_PATH);
  }

  async listDeviceStates(
    poolId: string,
    page: { top: number; next?: PageToken },
    options?: CallOptions,
  ): Promise<Page<WireDeviceState>> {
    const path = `${poolPath(poolId)}/deviceStates`;
    const reply = await this.send(
      { method: 'GET', path: `${path}${pageQuery(page)}`, pathTemplate: `${POOLS_PATH}/{id}/deviceStates` },
      options,
    );
    return this.parsePage(reply, isWireDeviceState, 'device state', path);
  }

  async getPools(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<WirePool>[]> {
    const replies = await this.batchGet(
      poolIds.map((id) => poolPath(id)),
      `${POOLS_PATH}/{id}`,
      options,
    );
    return replies.map((reply) => mapBatchItem(reply, (r) => parseEntity(r, isWirePool, 'pool')));
  }

  async getPoolsWithAssignments(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<PoolWithAssignments>[]> {
    const replies = await this.batchGet(
      poolIds.map((id) => `${poolPath(id)}?$expand=assignments`),
      `${POOLS_PATH}/{id}?$expand=assignments`,
      options,
    );
    return replies.map((reply) =>
      mapBatchItem(reply, (r) => {
        const { assignments, 'assignments@odata.context': _context, ...pool } = parseEntity(r, isWirePoolWithAssignments, 'pool');
        return { pool, assignments: Array.isArray(assignments) && assignments.every(isWireAssignment) ? assignments : undefined };
      }),
    );
  }

  async listAssignmentsOfPools(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<WireAssignment[]>[]> {
    const replies = await this.batchGet(
      poolIds.map((id) => `${poolPath(id)}/assignments`),
      `${POOLS_PATH}/{id}/assignments`,
      options,
    );
    return replies.map((reply) => mapBatchItem(reply, (r) => parseCollection(r, isWireAssignment, 'assignment')));
  }

  async listDeviceStatesOfPools(
    pages: readonly { poolId: string; top: number; next?: PageToken }[],
    options?: CallOptions,
  ): Promise<BatchItemResult<Page<WireDeviceState>>[]> {
    const collections = pages.map((p) => `${poolPath(p.poolId)}/deviceStates`);
    const replies = await this.batchGet(
      pages.map((p, i) => `${collections[i]}${pageQuery(p)}`),
      `${POOLS_PATH}/{id}/deviceStates`,
      options,
    );
    // Each item's @odata.nextLink is checked against its own collection, like listDeviceStates does.
    return replies.map((reply, i) => mapBatchItem(reply, (r) => this.parsePage(r, isWireDeviceState, 'device state', collections[i])));
  }

  /**
   * GETs many paths through `POST /$batch`, at most 20 a batch, batches sent concurrently. Items are matched by
   * id (Graph may reorder them). Items answered 429 are sent again, alone, after the longest `Retry-After` among
   * them, within the retry budget and deadline. Returns one reply or GraphError per path, in order.
   */
  private async batchGet(paths: string[], pathTemplate: string, options?: CallOptions): Promise<(Reply | GraphError)[]> {
    const results: (Reply | GraphError | undefined)[] = new Array(paths.length);
    const chunks: number[][] = [];
    for (let i = 0; i < paths.length; i += GRAPH_BATCH_LIMIT) {
      chunks.push(Array.from({ length: Math.min(GRAPH_BATCH_LIMIT, paths.length - i) }, (_, k) => i + k));
    }
    const deadline = Date.now() + this.transport.timeoutMs;
    await Promise.all(
      chunks.map(async (chunk) => {
        let pending = chunk;
        for (let round = 0; pending.length > 0; round++) {
          let items: Map<string, BatchReply>;
          try {
            items = await this.sendBatch(pending, paths, pathTemplate, options);
          } catch (error) {
            for (const index of pending) results[index] = toGraphError(error);
            return;
          }
          const throttled: number[] = [];
          let waitMs = 0;
          for (const index of pending) {
            const item = items.get(String(index));
            if (!item) {
              results[index] = new GraphError('Microsoft Graph left an item out of a batch reply.', { kind: 'invalid-response' });
            } else if (item.status === 429 || item.status === 503 || item.status === 504) {
              throttled.push(index);
              const wait = item.retryAfterMs ?? backoffDelayMs(round, this.transport.retry, this.transport.random);
              waitMs = Math.max(waitMs, wait);
              results[index] = graphErrorFromReply(item.status, item.text, {
                requestId: item.requestId,
                retryAfterSeconds: Math.ceil(wait / 1000),
              });
            } else {
              results[index] = item;
            }
          }
          if (throttled.length === 0 || round >= this.transport.retry.maxRetries || Date.now() + waitMs >= deadline) return;
          await delay(waitMs, options?.signal);
          pending = throttled;
        }
      }),
    );
    return results.map((r) => r ?? new GraphError('Batch item was not answered.', { kind: 'invalid-response' }));
  }

  private async sendBatch(
    indexes: number[],
    paths: string[],
    pathTemplate: string,
    options?: CallOptions,
  ): Promise<Map<string, BatchReply>> {
    const body = JSON.stringify({
      requests: indexes.map((index) => ({ id: String(index), method: 'GET', url: paths[index] })),
    });
    const reply = await this.send({ method: 'POST', path: '/$batch', pathTemplate: `/$batch(${pathTemplate})`, body }, options);
    const parsed = tryParseJson(reply.text);
    const responses = isRecord(parsed) && Array.isArray(parsed.responses) ? parsed.responses : undefined;
    if (!responses) throw invalidResponse(reply, 'a $batch reply without `responses`');
    const byId = new Map<string, BatchReply>();
    for (const item of responses) {
      if (!isRecord(item) || typeof item.id !== 'string' || typeof item.status !== 'number') {
        throw invalidResponse(reply, 'a malformed $batch item');
      }
      const headers = isRecord(item.headers) ? item.headers : {};
      const itemBody: unknown = item.body === null ? undefined : item.body;
      byId.set(item.id, {
        status: item.status,
        json: itemBody,
        // Only error replies need the text (graphErrorFromReply); successful items are read from `json`.
        get text() {
          return itemBody === undefined ? '' : JSON.stringify(itemBody);
        },
        requestId: headerString(headers, 'request-id') ?? reply.requestId,
        retryAfterMs: parseRetryAfterMs(headerString(headers, 'retry-after'), headerString(headers, 'retry-after-ms')),
      });
    }
    return byId;
  }

  private parsePage<T>(reply: Reply, guard: (v: unknown) => v is T, what: string, collectionPath: string): Page<T> {
    const parsed = replyJson(reply);
    if (!isRecord(parsed) || !Array.isArray(parsed.value) || !parsed.value.every(guard)) {
      throw invalidResponse(reply, `a ${what} collection`);
    }
    const nextLink = parsed['@odata.nextLink'];
    if (nextLink === undefined || nextLink === null) return { value: parsed.value };
    if (typeof nextLink !== 'string') throw invalidResponse(reply, 'a string @odata.nextLink');
    return { value: parsed.value, next: this.pageTokenFromNextLink(nextLink, collectionPath, reply) };
  }

  /**
   * Reads an `@odata.nextLink`, accepting only one on the configured Graph origin and the same collection path,
   * and keeps only its paging parameters. A next link anywhere else is an invalid reply, never followed.
   */
  private pageTokenFromNextLink(nextLink: string, collectionPath: string, reply: Reply): PageToken {
    let url: URL;
    try {
      url = new URL(nextLink);
    } catch {
      throw invalidResponse(reply, 'an absolute @odata.nextLink');
    }
    if (url.origin !== this.transport.origin || url.pathname !== `${this.transport.basePath}${collectionPath}`) {
      throw invalidResponse(reply, 'an @odata.nextLink to the same collection on the configured Graph host');
    }
    const token: PageToken = {};
    for (const name of PAGE_PARAMS) {
      const value = url.searchParams.get(name);
      if (value !== null) token[name] = value;
    }
    return token;
  }

  /** One Graph call: token, headers, deadline, retries. Returns 2xx replies; throws GraphError otherwise. */
  private async send(spec: SendSpec, options?: CallOptions): Promise<Reply> {
    const t = this.transport;
    const started = Date.now();
    const deadline = started + t.timeoutMs;
    const clientRequestId = clientRequestIdFor(options?.requestId);
    let retries = 0;
    let throttled = 0;
    let last: Reply | undefined;
    const span = t.tracer?.startSpan(`graph ${spec.method} ${spec.pathTemplate}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': spec.method, 'url.template': spec.pathTemplate, 'graph.client_request_id': clientRequestId },
    });
    const finish = (reply: Reply | undefined, error?: GraphError): void => {
      if (span) {
        const status = reply?.status ?? error?.status;
        if (status !== undefined) span.setAttribute('http.response.status_code', status);
        const requestId = reply?.requestId ?? error?.requestId;
        if (requestId) span.setAttribute('graph.request_id', requestId);
        span.setAttribute('graph.retries', retries);
        if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error.kind });
        span.end();
      }
      t.onCall?.({
        method: spec.method,
        pathTemplate: spec.pathTemplate,
        status: reply?.status ?? error?.status,
        durationMs: Date.now() - started,
        retries,
        requestId: reply?.requestId ?? error?.requestId,
        clientRequestId,
        errorKind: error?.kind,
        throttled,
      });
    };
    for (;;) {
      let reply: BatchReply;
      try {
        reply = await this.attempt(spec, clientRequestId, retries, deadline, options?.signal);
      } catch (error) {
        const graphError = toGraphError(error, clientRequestId);
        // Connection failures before any reply are retried; timeouts and aborts are not (they used the time).
        const retryable = graphError.kind === 'network' && graphError.beforeReply === true;
        if (!retryable || retries >= t.retry.maxRetries) {
          finish(undefined, graphError);
          throw graphError;
        }
        const wait = backoffDelayMs(retries, t.retry, t.random);
        if (Date.now() + wait >= deadline) {
          finish(undefined, graphError);
          throw graphError;
        }
        await delay(wait, options?.signal);
        retries++;
        continue;
      }
      last = reply;
      if (reply.status >= 200 && reply.status < 300) {
        finish(reply);
        return reply;
      }
      if (reply.status === 429) throttled++;
      const { retryAfterMs } = reply;
      const retryAfterSeconds = retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000);
      if (!RETRYABLE_STATUSES.has(reply.status) || retries >= t.retry.maxRetries) {
        const error = graphErrorFromReply(reply.status, reply.text, { requestId: reply.requestId, clientRequestId, retryAfterSeconds });
        finish(last, error);
        throw error;
      }
      const wait = retryAfterMs ?? backoffDelayMs(retries, t.retry, t.random);
      if (Date.now() + wait >= deadline) {
        const error = graphErrorFromReply(reply.status, reply.text, {
          requestId: reply.requestId,
          clientRequestId,
          retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)),
        });
        finish(last, error);
        throw error;
      }
      await delay(wait, options?.signal);
      retries++;
    }
  }

  private async attempt(
    spec: SendSpec,
    clientRequestId: string,
    retryAttempt: number,
    deadline: number,
    callerSignal?: AbortSignal,
  ): Promise<BatchReply> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new GraphError('Microsoft Graph did not answer in time.', { kind: 'timeout', clientRequestId });
    // One signal per attempt, aborted by the deadline or by the caller, and its timer cleared as soon as the attempt
    // ends. (AbortSignal.timeout + AbortSignal.any made two signals per attempt and left each timer pending for the
    // whole GRAPH_TIMEOUT_MS: under load, tens of thousands of live timers and signals.) The deadline covers every
    // wait of the attempt: the token, the write budget, the bulkhead and undici's own queue.
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    }, remaining);
    timer.unref(); // like AbortSignal.timeout's: a pending deadline never keeps the process alive
    let unfollow: (() => void) | undefined;
    if (callerSignal?.aborted) abort.abort(callerSignal.reason);
    else if (callerSignal) unfollow = followCaller(callerSignal, abort);
    try {
      return await this.attemptWithin(spec, clientRequestId, retryAttempt, deadline, abort.signal, () => timedOut);
    } finally {
      clearTimeout(timer);
      unfollow?.();
    }
  }

  private async attemptWithin(
    spec: SendSpec,
    clientRequestId: string,
    retryAttempt: number,
    deadline: number,
    signal: AbortSignal,
    timedOut: () => boolean,
  ): Promise<BatchReply> {
    const t = this.transport;
    let token: string;
    try {
      const cached = this.token.get(signal);
      token = (cached instanceof Promise ? await cached : cached).token;
    } catch (error) {
      throw credentialError(error, clientRequestId);
    }
    const headers = requestHeaders(token, spec, clientRequestId, retryAttempt);
    let release: () => void;
    try {
      if (spec.write) await t.writeBudget.take(signal);
      release = await t.bulkhead.acquire(signal);
    } catch (error) {
      if (timedOut()) throw new GraphError('Microsoft Graph did not answer in time.', { kind: 'timeout', clientRequestId });
      throw error;
    }
    try {
      return await this.exchange(spec, headers, signal, timedOut, deadline, clientRequestId);
    } finally {
      release();
    }
  }

  private async exchange(
    spec: SendSpec,
    headers: Record<string, string>,
    signal: AbortSignal,
    timedOut: () => boolean,
    deadline: number,
    clientRequestId: string,
  ): Promise<BatchReply> {
    const t = this.transport;
    const remaining = Math.max(1, deadline - Date.now());
    let response: Dispatcher.ResponseData;
    try {
      response = await t.pool.request({
        origin: t.origin,
        method: spec.method,
        path: `${t.basePath}${spec.path}`,
        headers,
        body: spec.body,
        signal,
        headersTimeout: Math.min(t.headersTimeoutMs, remaining),
        bodyTimeout: t.bodyTimeoutMs,
      });
    } catch (error) {
      throw classifyTransportError(error, { timedOut: timedOut(), beforeReply: true, clientRequestId });
    }
    const requestId = headerString(response.headers, 'request-id');
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw classifyTransportError(error, { timedOut: timedOut(), beforeReply: false, clientRequestId, requestId });
    }
    return {
      status: response.statusCode,
      text,
      requestId,
      retryAfterMs: RETRYABLE_STATUSES.has(response.statusCode)
        ? parseRetryAfterMs(response.headers['retry-after'], response.headers['retry-after-ms'])
        : undefined,
    };
  }
}

/** The headers of one attempt. */
function requestHeaders(token: string, spec: SendSpec, clientRequestId: string, retryAttempt: number): Record<string, string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    accept: 'application/json',
    'client-request-id': clientRequestId,
  };
  if (spec.body !== undefined) headers['content-type'] = 'application/json';
  if (retryAttempt > 0) headers['retry-attempt'] = String(retryAttempt);
  return headers;
}

/** The attempts in flight per caller signal: one 'abort' listener per signal, however many calls it covers at once. */
const attemptsByCaller = new WeakMap<AbortSignal, Set<AbortController>>();

/** Aborts `attempt` when `caller` aborts, until the returned function is called. */
function followCaller(caller: AbortSignal, attempt: AbortController): () => void {
  let attempts = attemptsByCaller.get(caller);
  if (attempts === undefined) {
    const followers = new Set<AbortController>();
    attempts = followers;
    attemptsByCaller.set(caller, followers);
    caller.addEventListener(
      'abort',
      () => {
        for (const follower of followers) follower.abort(caller.reason);
        followers.clear();
      },
      { once: true },
    );
  }
  const followers = attempts;
  followers.add(attempt);
  return () => followers.delete(attempt);
}

function createTransport(endpoint: string, options: GraphClientOptions): Transport {
  const url = new URL(endpoint);
  return {
    pool: new Pool(url.origin, {
      connections: options.maxConnections ?? 32,
      connect: { timeout: options.connectTimeoutMs ?? 10_000 },
      keepAliveTimeout: 30_000,
      headersTimeout: options.headersTimeoutMs ?? 30_000,
      bodyTimeout: options.bodyTimeoutMs ?? 30_000,
    }),
    origin: url.origin,
    basePath: `${url.pathname.replace(/\/+$/, '')}/${options.apiVersion ?? 'beta'}`,
    timeoutMs: options.timeoutMs ?? 30_000,
    headersTimeoutMs: options.headersTimeoutMs ?? 30_000,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 30_000,
    retry: { ...DEFAULT_RETRY_OPTIONS, ...options.retry },
    onCall: options.onCall,
    random: options.random ?? Math.random,
    bulkhead: new Bulkhead({ maxConcurrent: 64, maxQueue: 256, maxWaitMs: 5_000, ...options.bulkhead }),
    writeBudget: new WriteBudget({ limit: 100, windowMs: 20_000, maxWaitMs: 2_000, ...options.writeBudget }),
    tracer: options.tracer,
  };
}

/** A reply with the wait Graph asked for (429/503/504), from the HTTP reply or a batch item's headers. */
interface BatchReply extends Reply {
  retryAfterMs?: number;
}

function poolPath(poolId: string): string {
  return `${POOLS_PATH}/${encodeURIComponent(poolId)}`;
}

function pageQuery(page: { top: number; next?: PageToken }): string {
  const params = new URLSearchParams();
  params.set('$top', String(page.top));
  if (page.next) {
    for (const name of PAGE_PARAMS) {
      const value = page.next[name];
      if (value !== undefined && name !== '$top') params.set(name, value);
    }
  }
  // URLSearchParams encodes `$` as %24; Graph accepts both, but the literal form is what its docs show.
  return `?${params.toString().replace(/%24/g, '$')}`;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The `client-request-id` for a call: the incoming request's id when it is a GUID (so Graph's logs and ours
 * correlate), else a new GUID. Graph wants a GUID here.
 */
export function clientRequestIdFor(requestId: string | undefined): string {
  return requestId !== undefined && UUID_PATTERN.test(requestId) ? requestId.toLowerCase() : randomUUID();
}

function headerString(headers: Record<string, unknown>, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  // Graph's batch items use canonical case (e.g. Retry-After).
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name) {
      const v = headers[key];
      if (typeof v === 'string') return v;
    }
  }
  return undefined;
}

function invalidResponse(reply: Reply, expected: string): GraphError {
  return new GraphError(`Microsoft Graph answered HTTP ${reply.status}, but not with ${expected}.`, {
    kind: 'invalid-response',
    status: reply.status,
    requestId: reply.requestId,
  });
}

function parseEntity<T>(reply: Reply, guard: (v: unknown) => v is T, what: string): T {
  const parsed = replyJson(reply);
  if (!guard(parsed)) throw invalidResponse(reply, `a ${what}`);
  return parsed;
}

function parseCollection<T>(reply: Reply, guard: (v: unknown) => v is T, what: string): T[] {
  const parsed = replyJson(reply);
  if (!isRecord(parsed) || !Array.isArray(parsed.value) || !parsed.value.every(guard)) {
    throw invalidResponse(reply, `a ${what} collection`);
  }
  return parsed.value;
}

function mapBatchItem<T>(reply: Reply | GraphError, parse: (reply: Reply) => T): BatchItemResult<T> {
  if (isGraphError(reply)) return reply;
  if (reply.status === 404) return null;
  if (reply.status < 200 || reply.status >= 300) {
    return graphErrorFromReply(reply.status, reply.text, { requestId: reply.requestId });
  }
  try {
    return parse(reply);
  } catch (error) {
    return toGraphError(error);
  }
}

function classifyTransportError(
  error: unknown,
  context: { timedOut: boolean; beforeReply: boolean; clientRequestId: string; requestId?: string },
): GraphError {
  const code = isRecord(error) && typeof error.code === 'string' ? error.code : undefined;
  const base = { clientRequestId: context.clientRequestId, requestId: context.requestId, cause: error };
  if (context.timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new GraphError('Microsoft Graph did not answer in time.', { kind: 'timeout', ...base });
  }
  // By name, not `instanceof Error`: the abort reason is a DOMException, which need not share this realm's Error.
  if ((isRecord(error) && error.name === 'AbortError') || code === 'UND_ERR_ABORTED') {
    return new GraphError('The call to Microsoft Graph was cancelled.', { kind: 'aborted', ...base });
  }
  return new GraphError('The connection to Microsoft Graph failed.', { kind: 'network', beforeReply: context.beforeReply, ...base });
}

/**
 * A token failure. @azure/identity's AuthenticationError carries the token endpoint's status and Entra's error
 * code: invalid_grant / interaction_required / consent_required mean the caller (on-behalf-of) has to sign in
 * again or consent; anything else means Graph cannot be reached with this configuration. The message is fixed:
 * Entra's text can include the client id or assertion details.
 */
function credentialError(error: unknown, clientRequestId: string): GraphError {
  if (isGraphError(error)) return error;
  const errorResponse = isRecord(error) && isRecord(error.errorResponse) ? error.errorResponse : undefined;
  const entraCode = typeof errorResponse?.error === 'string' ? errorResponse.error : undefined;
  const description = typeof errorResponse?.errorDescription === 'string' ? errorResponse.errorDescription : '';
  let credentialFailure: 'unauthenticated' | 'forbidden' | 'unavailable' = 'unavailable';
  // Only Entra's own answer says the caller must sign in again; a network failure (which @azure/identity also
  // reports as AuthenticationRequiredError) means the identity provider is unreachable.
  if (entraCode === 'invalid_grant' || entraCode === 'interaction_required') {
    credentialFailure = 'unauthenticated';
  }
  if (entraCode === 'consent_required' || /AADSTS65001|AADSTS53003/.test(description)) credentialFailure = 'forbidden';
  return new GraphError('Could not get an access token for Microsoft Graph.', {
    kind: 'credential',
    code: entraCode,
    clientRequestId,
    credentialFailure,
    cause: error,
  });
}

function toGraphError(error: unknown, clientRequestId?: string): GraphError {
  if (isGraphError(error)) return error;
  return new GraphError('Unexpected failure calling Microsoft Graph.', { kind: 'network', clientRequestId, cause: error });
}


// ---- wire guards: a reply is trusted only after these checks ----

function isWirePool(v: unknown): v is WirePool {
  return (
    isRecord(v) &&
    typeof v.id === 'string' &&
    typeof v.displayName === 'string' &&
    typeof v.activationCodeCount === 'number' &&
    typeof v.createdDateTime === 'string' &&
    typeof v.modifiedDateTime === 'string'
  );
}

function isWirePoolWithAssignments(v: unknown): v is WirePool & { assignments?: unknown; 'assignments@odata.context'?: unknown } {
  return isWirePool(v);
}

function isWireAssignment(v: unknown): v is WireAssignment {
  return isRecord(v) && typeof v.id === 'string' && isRecord(v.target) && typeof v.target['@odata.type'] === 'string';
}

function isWireDeviceState(v: unknown): v is WireDeviceState {
  return (
    isRecord(v) &&
    typeof v.id === 'string' &&
    typeof v.state === 'string' &&
    typeof v.createdDateTime === 'string' &&
    typeof v.modifiedDateTime === 'string'
  );
}

