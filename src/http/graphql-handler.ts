/**
 * POST/GET /graphql on node:http: authentication before the body is read, the body limit, JSON parsing, the
 * request's context, a server span, and Apollo's answer written back (CSRF prevention and error masking are Apollo
 * options, see apollo.ts; the landing page is answered before this handler, see landing.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';
import { context as otelContext, propagation, ROOT_CONTEXT, SpanKind, trace, type Tracer } from '@opentelemetry/api';
import { isAuthError } from '../auth/errors';
import type { AuthGate, Caller } from '../auth/gate';
import { createContext, type Context, type EditServices } from '../graphql/context';
import type { EsimPoolsApi } from '../graph/api';
import type { Logger } from '../observability/logger';
import { sendGraphQLError } from './reply';

export interface GraphQLHandlerOptions {
  apollo: ApolloServer<Context>;
  maxBodyBytes: number;
  /** The shared Graph API; a caller may bring its own (on-behalf-of). */
  graph: EsimPoolsApi;
  logger: Logger;
  auth?: AuthGate;
  tracer?: Tracer;
  /** Locks, audit and lock deadline of assignment writes, shared by every request. */
  edits: EditServices;
}

export type GraphQLHandler = (req: IncomingMessage, res: ServerResponse, url: URL, requestId: string) => Promise<void>;

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError());
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The request body as Apollo takes it (parsed JSON, or text), or `replied` when the request was answered here. */
async function requestBody(req: IncomingMessage, res: ServerResponse, headers: HeaderMap, limit: number, requestId: string): Promise<{ body: unknown } | 'replied'> {
  let text: string;
  try {
    text = await readBody(req, limit);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    res.setHeader('connection', 'close');
    sendGraphQLError(res, 413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`, requestId);
    return 'replied';
  }
  const contentType = headers.get('content-type') ?? '';
  if (!contentType.startsWith('application/json') && !contentType.includes('+json')) return { body: text };
  try {
    return { body: text.length === 0 ? undefined : JSON.parse(text) };
  } catch {
    sendGraphQLError(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON.', requestId);
    return 'replied';
  }
}

/** The caller, or `replied` when the gate turned the request away (answered here with its status). */
async function authenticate(auth: AuthGate, req: IncomingMessage, res: ServerResponse, logger: Logger, requestId: string): Promise<Caller | 'replied'> {
  try {
    const checked = auth.check(req.headers);
    return checked instanceof Promise ? await checked : checked;
  } catch (error) {
    if (!isAuthError(error)) throw error;
    logger.info({ requestId, reason: error.reason, status: error.status }, 'request refused');
    const wwwAuthenticate = error.wwwAuthenticate;
    sendGraphQLError(res, error.status, error.code, error.message, requestId, wwwAuthenticate ? { 'www-authenticate': wwwAuthenticate } : {});
    return 'replied';
  }
}

async function writeResponse(res: ServerResponse, response: HTTPGraphQLResponse, requestId: string): Promise<void> {
  const headers: Record<string, string> = { 'x-request-id': requestId };
  for (const [name, value] of response.headers) headers[name] = value;
  if (response.body.kind === 'complete') {
    headers['content-length'] = String(Buffer.byteLength(response.body.string));
    res.writeHead(response.status ?? 200, headers);
    res.end(response.body.string);
    return;
  }
  res.writeHead(response.status ?? 200, headers);
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** Runs `execute` in a server span continuing the caller's W3C trace context; Graph call spans become its children. */
async function traced(tracer: Tracer, req: IncomingMessage, requestId: string, execute: () => Promise<HTTPGraphQLResponse>): Promise<HTTPGraphQLResponse> {
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const span = tracer.startSpan('POST /graphql', { kind: SpanKind.SERVER, attributes: { 'request.id': requestId } }, parent);
  try {
    const response = await otelContext.with(trace.setSpan(parent, span), execute);
    span.setAttribute('http.response.status_code', response.status ?? 200);
    return response;
  } finally {
    span.end();
  }
}

export function createGraphQLHandler(options: GraphQLHandlerOptions): GraphQLHandler {
  const { apollo, graph, logger, auth, tracer, edits } = options;
  return async (req, res, url, requestId) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST' }).end();
      return;
    }
    // Authentication before the body is read: a refused caller costs no parsing, no Apollo, no Graph call.
    let caller: Caller | undefined;
    if (auth) {
      const checked = await authenticate(auth, req, res, logger, requestId);
      if (checked === 'replied') return;
      caller = checked;
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown;
    if (method === 'POST') {
      const read = await requestBody(req, res, headers, options.maxBodyBytes, requestId);
      if (read === 'replied') return;
      body = read.body;
    }
    // A caller that goes away aborts its Graph calls.
    const abort = new AbortController();
    const onClose = (): void => {
      if (!res.writableEnded) abort.abort();
    };
    res.once('close', onClose);
    const httpGraphQLRequest: HTTPGraphQLRequest = { method, headers, search: url.search, body };
    const execute = () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest,
        context: async () => createContext(requestId, caller?.graph ?? graph, abort.signal, caller?.principal, edits),
      });
    const response = tracer ? await traced(tracer, req, requestId, execute) : await execute();
    await writeResponse(res, response, requestId);
    res.off('close', onClose);
  };
}
