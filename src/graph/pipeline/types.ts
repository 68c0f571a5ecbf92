/**
 * The request and response that travel through the Graph pipeline, and the shape of a policy: like the Azure SDK's
 * core-rest-pipeline, a policy is `{ name, sendRequest(request, next) }` and may act before and after `next`.
 */
import { randomUUID } from 'node:crypto';
import type { CallOptions } from '../api';
import { isGuid } from '../json';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Response headers, names in lower case (undici's, and a $batch item's once normalised). */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** The budget slots a request takes: Graph counts each request of a $batch on its own, not the envelope. */
export interface RequestCost {
  writes: number;
  reads: number;
}

export interface GraphRequest {
  readonly method: HttpMethod;
  /** Path below the version segment, ids already encoded, query included. */
  readonly path: string;
  /** For logs, metrics and spans: the path with ids replaced by `{id}`. */
  readonly pathTemplate: string;
  readonly body?: string;
  /** Sent as they are when the request reaches the transport (policies add theirs). */
  readonly headers: Record<string, string>;
  /** The `client-request-id` sent to Graph (Graph echoes it): the same on every retry. */
  readonly clientRequestId: string;
  readonly cost: RequestCost;
  /**
   * Whether the retry policy may send it again after an outcome other than a 429 (see retryStrategy.ts). False for
   * a create: after a lost reply or a 503/504 Graph may have made the pool, and a repeat would make a second one.
   */
  readonly repeatable: boolean;
  /** The caller's signal; below the deadline policy, the call's own (its deadline or the caller). */
  signal?: AbortSignal;
  /** Epoch ms by which the call, retries and waits included, must end (set by the deadline policy). */
  deadline: number;
  /** Retries so far: 0 during the first attempt (counted by the retry policy, reported by telemetry). */
  retries: number;
  /** 429 replies seen so far. */
  throttled: number;
}

export interface GraphResponse {
  status: number;
  headers: ResponseHeaders;
  text: string;
  /** Graph's `request-id` header. */
  requestId?: string;
}

export type SendRequest = (request: GraphRequest) => Promise<GraphResponse>;

export interface PipelinePolicy {
  readonly name: string;
  sendRequest(request: GraphRequest, next: SendRequest): Promise<GraphResponse>;
}

export interface RequestSpec {
  method: HttpMethod;
  path: string;
  pathTemplate: string;
  body?: string;
  /** Default: one read, and one write for POST/PATCH/DELETE. */
  cost?: RequestCost;
  /** Default true; false: repeated only after a 429 (Graph refused it unprocessed). */
  repeatable?: boolean;
}

export function isWriteMethod(method: string): boolean {
  return method === 'POST' || method === 'PATCH' || method === 'DELETE';
}

export function createRequest(spec: RequestSpec, options?: CallOptions): GraphRequest {
  const clientRequestId = clientRequestIdFor(options?.requestId);
  const headers: Record<string, string> = { accept: 'application/json', 'client-request-id': clientRequestId };
  if (spec.body !== undefined) headers['content-type'] = 'application/json';
  return {
    method: spec.method,
    path: spec.path,
    pathTemplate: spec.pathTemplate,
    body: spec.body,
    headers,
    clientRequestId,
    cost: spec.cost ?? { writes: isWriteMethod(spec.method) ? 1 : 0, reads: 1 },
    repeatable: spec.repeatable ?? true,
    signal: options?.signal,
    deadline: Infinity,
    retries: 0,
    throttled: 0,
  };
}

/**
 * The `client-request-id` for a call: the incoming request's id when it is a GUID (so Graph's logs and ours
 * correlate), else a new GUID. Graph wants a GUID here.
 */
export function clientRequestIdFor(requestId: string | undefined): string {
  return requestId !== undefined && isGuid(requestId) ? requestId.toLowerCase() : randomUUID();
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** The first value of a header (names in lower case). */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
