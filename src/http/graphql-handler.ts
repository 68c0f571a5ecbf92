/**
 * An Apollo Server integration for node:http, shaped like Apollo's own, with nothing of this project in it. Written
 * here because Apollo's only node:http integration, the standalone server, owns its server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type ContextFunction, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';
import { BodyError, checkCharset, isJson, parseJsonBody, parseMediaType, readBody } from './body';
import { sendJson } from './reply';

export interface NodeHttpContextArgument {
  req: IncomingMessage;
  res: ServerResponse;
}

export interface NodeHttpHandlerOptions<TContext extends BaseContext> {
  /** The operation's context, from the request (called by Apollo once the request is known to be an operation). */
  context?: ContextFunction<[NodeHttpContextArgument], TContext>;
  /** Largest request body in bytes, as sent and once decoded (default 1 MiB). */
  maxBodyBytes?: number;
}

/** Answers one request with Apollo; rejects only on an unexpected failure (the caller answers 500). */
export type NodeHttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const DEFAULT_MAX_BODY_BYTES = 2 ** 20;

/** A refusal before Apollo, shaped like a GraphQL response (as Apollo's own are). */
function refuse(res: ServerResponse, error: BodyError): void {
  // The rest of a refused body is not read: the connection cannot carry another request.
  if (error.status === 413 || error.status === 415) res.setHeader('connection', 'close');
  sendJson(res, error.status, { errors: [{ message: error.message, extensions: { code: error.code } }] });
}

async function writeResponse(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.setHeader('content-length', Buffer.byteLength(response.body.string));
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** The request body as Apollo takes it: parsed JSON for a JSON media type, else nothing. */
async function requestBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const mediaType = parseMediaType(req.headers['content-type']);
  const json = isJson(mediaType);
  if (json && mediaType) checkCharset(mediaType);
  const body = await readBody(req, limit);
  return json ? parseJsonBody(body) : undefined;
}

export function nodeHttpHandler(server: ApolloServer<BaseContext>, options?: NodeHttpHandlerOptions<BaseContext>): NodeHttpHandler;
export function nodeHttpHandler<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: NodeHttpHandlerOptions<TContext> & Required<Pick<NodeHttpHandlerOptions<TContext>, 'context'>>,
): NodeHttpHandler;
export function nodeHttpHandler<TContext extends BaseContext>(server: ApolloServer<TContext>, options?: NodeHttpHandlerOptions<TContext>): NodeHttpHandler {
  // Without a context function TContext is BaseContext (the first overload): an empty object is one.
  const context = options?.context ?? (async () => ({}) as TContext);
  const limit = options?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async (req, res) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown;
    if (method !== 'GET' && method !== 'HEAD') {
      try {
        body = await requestBody(req, limit);
      } catch (error) {
        if (!(error instanceof BodyError)) throw error;
        refuse(res, error);
        return;
      }
    }
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const httpGraphQLRequest: HTTPGraphQLRequest = { method, headers, search: query < 0 ? '' : url.slice(query), body };
    const response = await server.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: () => context({ req, res }) });
    await writeResponse(res, response);
  };
}
