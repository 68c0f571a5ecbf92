/** The pipeline's HttpClient over an undici pool: a send that failed before any reply is core's repeatable RestError. */
import { createHttpHeaders, RestError, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, type Dispatcher } from 'undici';
import { abortedError, GraphError, timeoutError } from '../errors';
import { isRecord } from '../json';
import type { GRAPH_CLIENT_DEFAULTS } from '../options';
import { callOf, type GraphCall } from './request';

export type HttpClientOptions = Pick<
  typeof GRAPH_CLIENT_DEFAULTS,
  'apiVersion' | 'maxConnections' | 'connectTimeoutMs' | 'headersTimeoutMs' | 'bodyTimeoutMs' | 'keepAliveTimeoutMs'
>;

export class UndiciHttpClient implements HttpClient {
  /** Graph's origin, e.g. `https://graph.microsoft.com`, where the pool connects. */
  readonly origin: string;
  /** The path every request is below, e.g. `/beta` (or `/prefix/beta` behind a proxy). */
  readonly basePath: string;
  /** What request URLs start with: the origin as https (core's bearer policy needs it), then basePath. */
  readonly urlBase: string;
  private readonly urlOrigin: string;
  private readonly pool: Pool;

  constructor(
    endpoint: string,
    private readonly options: HttpClientOptions,
  ) {
    const url = new URL(endpoint);
    this.origin = url.origin;
    this.basePath = `${url.pathname.replace(/\/+$/, '')}/${options.apiVersion}`;
    this.urlOrigin = `https://${url.host}`;
    this.urlBase = `${this.urlOrigin}${this.basePath}`;
    this.pool = new Pool(url.origin, {
      connections: options.maxConnections,
      connect: { timeout: options.connectTimeoutMs },
      keepAliveTimeout: options.keepAliveTimeoutMs,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
    });
  }

  /** Open connections and requests on them (metrics, tests). */
  get stats(): { connections: number; running: number } {
    return { connections: this.pool.stats.connected, running: this.pool.stats.running };
  }

  /** Closes the pool once its requests are done; after `graceMs` the remaining ones are aborted. */
  async close(graceMs = 1000): Promise<void> {
    const late = sleep(graceMs, 'late', { ref: false });
    if ((await Promise.race([this.pool.close(), late])) === 'late') await this.pool.destroy();
  }

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const call = callOf(request);
    if (!request.url.startsWith(this.urlBase)) throw new Error(`${request.url} is not below ${this.urlBase}.`);
    let response: Dispatcher.ResponseData;
    try {
      response = await this.pool.request({
        origin: this.origin,
        method: call.method,
        path: request.url.slice(this.urlOrigin.length),
        headers: request.headers.toJSON(),
        body: typeof request.body === 'string' ? request.body : undefined,
        signal: call.signal,
        // undici's own timer may not outlive the call's deadline.
        headersTimeout: Math.min(this.options.headersTimeoutMs, Math.max(1, call.deadline - Date.now())),
        bodyTimeout: this.options.bodyTimeoutMs,
      });
    } catch (error) {
      const failure = classifyTransportError(error, call, true);
      if (failure.kind !== 'network') throw failure;
      const sendError = new RestError(failure.message, { code: RestError.REQUEST_SEND_ERROR, request });
      sendError.cause = error;
      throw sendError;
    }
    const headers = createHttpHeaders();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    let bodyAsText: string;
    try {
      bodyAsText = await response.body.text();
    } catch (error) {
      throw classifyTransportError(error, call, false, headers.get('request-id'));
    }
    return { request, status: response.statusCode, headers, bodyAsText };
  }
}

/** A failed exchange: undici's timeouts are `timeout`, a fired signal `aborted` (see deadlinePolicy), else `network`. */
function classifyTransportError(error: unknown, call: GraphCall, beforeReply: boolean, requestId?: string): GraphError {
  const code = isRecord(error) && typeof error.code === 'string' ? error.code : undefined;
  const base = { clientRequestId: call.clientRequestId, requestId, cause: error };
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return timeoutError(base);
  // By name, not `instanceof Error`: the abort reason is a DOMException, which need not share this realm's Error.
  if (call.signal?.aborted || (isRecord(error) && error.name === 'AbortError') || code === 'UND_ERR_ABORTED') return abortedError(base);
  return new GraphError('The connection to Microsoft Graph failed.', { kind: 'network', beforeReply, ...base });
}
