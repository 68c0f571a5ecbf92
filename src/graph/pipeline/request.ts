/** One Graph call as the pipeline carries it: a core-rest-pipeline request, and what this service's policies know of it. */
import { randomUUID } from 'node:crypto';
import { createHttpHeaders, createPipelineRequest, type HttpHeaders, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import type { CallOptions } from '../api';
import { isGuid } from '../json';
import type { Reply } from '../odata';

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below the version segment, ids already encoded, query included. */
  path: string;
  /** For logs, metrics and spans: the path with ids replaced by `{id}`. */
  pathTemplate: string;
  body?: string;
  /** Budget slots (Graph counts each request of a $batch); default one read, and one write for POST/PATCH/DELETE. */
  cost?: { writes: number; reads: number };
  /** Default true; false: sent again only after a 429 (Graph refused it unprocessed). */
  repeatable?: boolean;
}

/** The state of one call that the policies share, kept beside its PipelineRequest (callOf). */
export interface GraphCall extends Readonly<Required<Omit<RequestSpec, 'path' | 'body'>>> {
  /** The `client-request-id` sent to Graph (Graph echoes it): the same on every retry. */
  readonly clientRequestId: string;
  /** The caller's signal; below the deadline policy, the call's own (its deadline or the caller). */
  signal?: AbortSignal;
  /** Epoch ms by which the call, retries and waits included, must end (set by the deadline policy). */
  deadline: number;
  /** Attempts started so far. */
  attempts: number;
  /** Retries so far: 0 during the first attempt. */
  retries: number;
  /** 429 replies seen so far. */
  throttled: number;
  /** Set when the retry rules declined to repeat the last outcome: when trying again could succeed, if known. */
  retryAfterSeconds?: number;
}

/** A reply as the client reads it, with its headers. */
export type GraphReply = Reply & { headers: HttpHeaders };

const calls = new WeakMap<PipelineRequest, GraphCall>();

/** The call of a request made by createRequest. */
export function callOf(request: PipelineRequest): GraphCall {
  const call = calls.get(request);
  if (call === undefined) throw new Error('The Graph pipeline was given a request that createRequest did not make.');
  return call;
}

/** A request to `urlBase` + `spec.path` (urlBase: the HttpClient's). */
export function createRequest(urlBase: string, spec: RequestSpec, options?: CallOptions): PipelineRequest {
  // The incoming request's id when it is a GUID (Graph's logs and ours then correlate), else a new GUID.
  const requestId = options?.requestId;
  const clientRequestId = requestId !== undefined && isGuid(requestId) ? requestId.toLowerCase() : randomUUID();
  const headers = createHttpHeaders({ accept: 'application/json', 'client-request-id': clientRequestId });
  if (spec.body !== undefined) headers.set('content-type', 'application/json');
  const request = createPipelineRequest({
    url: `${urlBase}${spec.path}`,
    method: spec.method,
    headers,
    body: spec.body,
    requestId: clientRequestId,
    abortSignal: options?.signal,
  });
  calls.set(request, {
    method: spec.method,
    pathTemplate: spec.pathTemplate,
    clientRequestId,
    cost: spec.cost ?? { writes: spec.method === 'GET' ? 0 : 1, reads: 1 },
    repeatable: spec.repeatable ?? true,
    signal: options?.signal,
    deadline: Infinity,
    attempts: 0,
    retries: 0,
    throttled: 0,
  });
  return request;
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** A pipeline response as the client reads it. */
export function toReply(response: PipelineResponse): GraphReply {
  return { status: response.status, headers: response.headers, text: response.bodyAsText ?? '', requestId: response.headers.get('request-id') };
}
