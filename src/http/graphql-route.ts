/**
 * /graphql for this project around graphql-handler.ts: authentication before the body is read, the request's id,
 * a server span, and the project's context.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer, ContextFunction } from '@apollo/server';
import { context as otelContext, propagation, ROOT_CONTEXT, SpanKind, trace, type Tracer } from '@opentelemetry/api';
import { isAuthError } from '../auth/errors';
import type { AuthGate, Caller } from '../auth/gate';
import { createContext, type Context, type EditServices } from '../graphql/context';
import type { EsimPoolsApi } from '../graph/api';
import type { Logger } from '../observability/logger';
import { nodeHttpHandler, type NodeHttpContextArgument } from './graphql-handler';
import { sendGraphQLError } from './reply';

export interface GraphQLRouteOptions {
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

export type GraphQLRoute = (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>;

/** What the route learned of a request before Apollo, for the context function. */
interface RequestState {
  requestId: string;
  caller?: Caller;
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

/** Runs `handle` in a server span continuing the caller's W3C trace context; Graph call spans become its children. */
async function traced(tracer: Tracer, req: IncomingMessage, res: ServerResponse, requestId: string, handle: () => Promise<void>): Promise<void> {
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const span = tracer.startSpan('POST /graphql', { kind: SpanKind.SERVER, attributes: { 'request.id': requestId } }, parent);
  try {
    await otelContext.with(trace.setSpan(parent, span), handle);
    span.setAttribute('http.response.status_code', res.statusCode);
  } finally {
    span.end();
  }
}

/** The project's context for one operation; its signal fires when the caller goes away. */
export function projectContext(
  graph: EsimPoolsApi,
  edits: EditServices,
  stateOf: (req: IncomingMessage) => RequestState,
): ContextFunction<[NodeHttpContextArgument], Context> {
  return async ({ req, res }) => {
    const { requestId, caller } = stateOf(req);
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableEnded) abort.abort();
    });
    return createContext(requestId, caller?.graph ?? graph, abort.signal, caller?.principal, edits);
  };
}

export function createGraphQLRoute(options: GraphQLRouteOptions): GraphQLRoute {
  const { apollo, graph, logger, auth, tracer, edits } = options;
  const states = new WeakMap<IncomingMessage, RequestState>();
  const stateOf = (req: IncomingMessage): RequestState => states.get(req) ?? { requestId: 'unknown' };
  const handle = nodeHttpHandler(apollo, { context: projectContext(graph, edits, stateOf), maxBodyBytes: options.maxBodyBytes });
  return async (req, res, requestId) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST' }).end();
      return;
    }
    res.setHeader('x-request-id', requestId);
    // Authentication before the body is read: a refused caller costs no parsing, no Apollo, no Graph call.
    let caller: Caller | undefined;
    if (auth) {
      const checked = await authenticate(auth, req, res, logger, requestId);
      if (checked === 'replied') return;
      caller = checked;
    }
    states.set(req, { requestId, caller });
    if (tracer) await traced(tracer, req, res, requestId, () => handle(req, res));
    else await handle(req, res);
  };
}
