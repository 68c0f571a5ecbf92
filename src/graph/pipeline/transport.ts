/**
 * The end of the pipeline: one HTTP exchange with Graph over an undici keep-alive pool, and the classification of
 * what can go wrong on the wire. Any status comes back as a response; the retry policy decides what it means.
 */
import { Pool, type Dispatcher } from 'undici';
import { abortedError, GraphError, timeoutError } from '../errors';
import { isRecord } from '../json';
import { headerValue, type GraphRequest, type GraphResponse } from './types';

export interface TransportOptions {
  apiVersion: string;
  maxConnections: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export class GraphTransport {
  /** Graph's origin, e.g. `https://graph.microsoft.com`. */
  readonly origin: string;
  /** The path every request is below, e.g. `/beta` (or `/prefix/beta` behind a proxy). */
  readonly basePath: string;
  private readonly pool: Pool;

  constructor(
    endpoint: string,
    private readonly options: TransportOptions,
  ) {
    const url = new URL(endpoint);
    this.origin = url.origin;
    this.basePath = `${url.pathname.replace(/\/+$/, '')}/${options.apiVersion}`;
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

  /** Closes the pool once its requests are done; after `graceMs` the remaining ones are aborted (undici's close waits for ever). */
  async close(graceMs = 1000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    const outcome = await Promise.race([this.pool.close(), late]);
    clearTimeout(timer);
    if (outcome === 'late') await this.pool.destroy();
  }

  async sendRequest(request: GraphRequest): Promise<GraphResponse> {
    const { signal, clientRequestId } = request;
    let response: Dispatcher.ResponseData;
    try {
      response = await this.pool.request({
        origin: this.origin,
        method: request.method,
        path: `${this.basePath}${request.path}`,
        headers: request.headers,
        body: request.body,
        signal,
        // undici's own timer may not outlive the call's deadline.
        headersTimeout: Math.min(this.options.headersTimeoutMs, Math.max(1, request.deadline - Date.now())),
        bodyTimeout: this.options.bodyTimeoutMs,
      });
    } catch (error) {
      throw classifyTransportError(error, { beforeReply: true, clientRequestId, signal });
    }
    const requestId = headerValue(response.headers, 'request-id');
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw classifyTransportError(error, { beforeReply: false, clientRequestId, requestId, signal });
    }
    return { status: response.statusCode, headers: response.headers, text, requestId };
  }
}

/**
 * A failed exchange: undici's timeouts are `timeout`; a fired signal (the caller left, or the deadline policy's
 * timer, which turns it into `timeout`) is `aborted`; anything else is `network`, repeatable only before a reply.
 */
export function classifyTransportError(
  error: unknown,
  context: { beforeReply: boolean; clientRequestId: string; requestId?: string; signal?: AbortSignal },
): GraphError {
  const code = isRecord(error) && typeof error.code === 'string' ? error.code : undefined;
  const base = { clientRequestId: context.clientRequestId, requestId: context.requestId, cause: error };
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return timeoutError(base);
  // By name, not `instanceof Error`: the abort reason is a DOMException, which need not share this realm's Error.
  if (context.signal?.aborted || (isRecord(error) && error.name === 'AbortError') || code === 'UND_ERR_ABORTED') return abortedError(base);
  return new GraphError('The connection to Microsoft Graph failed.', { kind: 'network', beforeReply: context.beforeReply, ...base });
}
