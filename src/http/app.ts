/**
 * Apollo Server 5 on plain node:http (no framework on the hot path): POST/GET /graphql, /healthz, /readyz.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type GraphQLRequestListener, type HTTPGraphQLRequest } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { context as otelContext, propagation, ROOT_CONTEXT, SpanKind, trace, type Tracer } from '@opentelemetry/api';
import type { GraphQLFormattedError } from 'graphql';
import { isAuthError } from '../auth/errors';
import type { AuthGate, Caller } from '../auth/gate';
import { DEFAULT_LIMITS, operationLimits } from '../graphql/limits';
import { permissionsPlugin } from '../auth/permissions';
import type { Config } from '../config';
import { createContext, type Context, type EditServices } from '../graphql/context';
import { ErrorCode, toGraphQLError } from '../graphql/errors';
import { EXAMPLE_DOCUMENT, EXAMPLE_VARIABLES } from '../graphql/examples';
import type { EsimPoolsApi } from '../graph/api';
import type { Logger } from '../observability/logger';
// issue 11 (safe assignment edits): per-pool locks and the audit trail for the context.
import { LocalPoolLocks } from '../coordination/local';
import type { Coordination } from '../coordination/types';
import { AuditLog } from '../observability/audit';
import type { Metrics } from '../observability/metrics';
import { buildSchema } from '../graphql/schema';

export interface AppOptions {
  config: Pick<Config, 'production' | 'introspection' | 'maxBodyBytes'> & Partial<Pick<Config, 'limits'>>;
  /** The Graph API the resolvers call. */
  graph: EsimPoolsApi;
  logger: Logger;
  /** Inbound authentication (router secret, bearer token, per-user Graph client); unset: open (emulator mode). */
  auth?: AuthGate;
  /** Prometheus metrics, served on GET /metrics. */
  metrics?: Metrics;
  /** Extra readiness condition (e.g. the credential can get a token). */
  healthy?: () => boolean;
  /** OpenTelemetry tracer: a server span per GraphQL request, parent of the Graph call spans. */
  tracer?: Tracer;
  // --- issue 11 (safe assignment edits) ---
  /** Per-pool edit locks shared by the writes (default: in-process LocalPoolLocks, right for one replica). */
  coordination?: Pick<Coordination, 'locks'>;
  /** The audit trail of writes (default: lines on `logger`). */
  audit?: AuditLog;
  /** Longest wait for a pool's edit lock (default 30000: GRAPH_TIMEOUT_MS's default). */
  lockWaitMs?: number;
  // --- end issue 11 ---
}

export interface App {
  server: Server;
  apollo: ApolloServer<Context>;
  /** Starts listening; resolves with the bound address. */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Readiness: false before start and once shutdown has begun. */
  readonly ready: boolean;
  /**
   * Shuts down: readiness goes 503 at once; after `drainDelayMs` (time for the load balancer to notice) new
   * connections are refused and idle ones closed; in-flight requests get `graceMs` to finish. Resolves with how
   * many were still in flight when the grace period ended (issue 10: logged at shutdown).
   */
  close(graceMs?: number, drainDelayMs?: number): Promise<{ cutOff: number }>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: the router's `x-request-id` (or `request-id`) when it looks sane, else a new GUID. */
function requestIdOf(req: IncomingMessage): string {
  const header = req.headers['x-request-id'] ?? req.headers['request-id'];
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && REQUEST_ID.test(value) ? value : randomUUID();
}

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

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function graphQLErrorReply(res: ServerResponse, status: number, code: string, message: string, requestId: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] }, { 'x-request-id': requestId });
}

/**
 * What Apollo's default cache-control plugin answered for this schema, without its per-field work: the schema has
 * no `@cacheControl` hints, so every answer was `Cache-Control: no-store`. The plugin still hooked every field of
 * every response (a policy object and closures per field) and, by hooking fields at all, made Apollo wrap every
 * resolver. One listener object for every request.
 */
const noStoreListener: GraphQLRequestListener<Context> = {
  async willSendResponse({ response }) {
    if (!response.http.headers.has('cache-control')) response.http.headers.set('cache-control', 'no-store');
  },
};
const noStore: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return noStoreListener;
  },
};

const PRODUCTION_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>esim-pools-subgraph</title></head>
<body><h1>esim-pools-subgraph</h1><p>GraphQL endpoint: send POST requests with a JSON body to this URL.</p></body></html>`;

export async function createApp(options: AppOptions): Promise<App> {
  const { config, graph, logger, metrics } = options;
  // issue 11: one set of edit services for every request (the locks must be shared to serialize anything).
  const edits: EditServices = {
    locks: options.coordination?.locks ?? new LocalPoolLocks(),
    audit: options.audit ?? new AuditLog(logger),
    lockWaitMs: options.lockWaitMs ?? 30_000,
  };
  const isReady = (): boolean => ready && (options.healthy?.() ?? true);
  let ready = false;
  let closing: Promise<{ cutOff: number }> | undefined;
  let draining = false;
  // issue 10 (shutdown): requests in flight, to say how many the end of the grace period cut off.
  let inFlight = 0;

  const operationLog: ApolloServerPlugin<Context> = {
    async requestDidStart(requestContext) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ response, operationName, operation, contextValue, errors }) {
          const body = response.body;
          const hasErrors = (errors?.length ?? 0) > 0 || (body.kind === 'single' && (body.singleResult.errors?.length ?? 0) > 0);
          const name = operationName ?? requestContext.request.operationName ?? null;
          const outcome = hasErrors ? 'error' : 'ok';
          const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
          metrics?.recordOperation(name, operation?.operation ?? 'unknown', outcome, durationMs / 1000);
          if (options.tracer) {
            const span = trace.getActiveSpan();
            span?.setAttribute('graphql.operation.type', operation?.operation ?? 'unknown');
            if (name) span?.setAttribute('graphql.operation.name', name);
            span?.updateName(`${operation?.operation ?? 'graphql'} ${name ?? 'anonymous'}`);
          }
          const caller = contextValue.principal;
          logger.info(
            { requestId: contextValue.requestId, operationName: name, outcome, durationMs, callerOid: caller?.oid, callerAppId: caller?.appId },
            'graphql operation',
          );
        },
      };
    },
  };

  const auth = options.auth;
  const limits = operationLimits(config.limits ?? DEFAULT_LIMITS, config.production);
  const apollo = new ApolloServer<Context>({
    schema: buildSchema(),
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    introspection: config.introspection,
    csrfPrevention: true,
    // index.ts owns SIGTERM/SIGINT (drain, grace period, exit 0); Apollo's own handler would race it.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: config.production,
    logger: logger.child({ component: 'apollo' }),
    formatError: (formatted, error) => formatError(formatted, error, logger),
    plugins: [
      config.production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({
            embed: { endpointIsEditable: false },
            document: EXAMPLE_DOCUMENT,
            variables: EXAMPLE_VARIABLES,
            includeCookies: false,
          }),
      operationLog,
      ApolloServerPluginCacheControlDisabled(),
      noStore,
      ...limits.plugins,
      ...(auth ? [permissionsPlugin(auth.permissions, auth.tokensRequired)] : []),
    ],
  });
  await apollo.start();

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST' }).end();
      return;
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    if (method === 'GET' && config.production && !url.searchParams.has('query') && (req.headers.accept ?? '').includes('text/html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PRODUCTION_PAGE);
      return;
    }
    // Authentication before the body is read: a refused caller costs no parsing, no Apollo, no Graph call.
    // The Sandbox page itself (development only: GET, HTML, no operation in the URL) is static and open.
    const sandboxPage =
      method === 'GET' &&
      !config.production &&
      !url.searchParams.has('query') &&
      !url.searchParams.has('extensions') &&
      (req.headers.accept ?? '').includes('text/html');
    let caller: Caller | undefined;
    if (auth && !sandboxPage) {
      try {
        const checked = auth.check(req.headers);
        caller = checked instanceof Promise ? await checked : checked;
      } catch (error) {
        if (!isAuthError(error)) throw error;
        logger.info({ requestId, reason: error.reason, status: error.status }, 'request refused');
        const wwwAuthenticate = error.wwwAuthenticate;
        sendJson(res, error.status, { errors: [{ message: error.message, extensions: { code: error.code } }] }, {
          'x-request-id': requestId,
          ...(wwwAuthenticate ? { 'www-authenticate': wwwAuthenticate } : {}),
        });
        return;
      }
    }
    let body: unknown;
    if (method === 'POST') {
      let text: string;
      try {
        text = await readBody(req, config.maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          res.setHeader('connection', 'close');
          graphQLErrorReply(res, 413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${config.maxBodyBytes} bytes.`, requestId);
          return;
        }
        throw error;
      }
      const contentType = headers.get('content-type') ?? '';
      if (contentType.startsWith('application/json') || contentType.includes('+json')) {
        try {
          body = text.length === 0 ? undefined : JSON.parse(text);
        } catch {
          graphQLErrorReply(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON.', requestId);
          return;
        }
      } else {
        body = text;
      }
    }
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
    let response: Awaited<ReturnType<typeof execute>>;
    if (options.tracer) {
      // A server span continuing the caller's W3C trace context; Graph call spans become its children.
      const parent = propagation.extract(ROOT_CONTEXT, req.headers);
      const span = options.tracer.startSpan('POST /graphql', { kind: SpanKind.SERVER, attributes: { 'request.id': requestId } }, parent);
      try {
        response = await otelContext.with(trace.setSpan(parent, span), execute);
        span.setAttribute('http.response.status_code', response.status ?? 200);
      } finally {
        span.end();
      }
    } else {
      response = await execute();
    }
    const outHeaders: Record<string, string> = { 'x-request-id': requestId };
    for (const [name, value] of response.headers) outHeaders[name] = value;
    if (response.body.kind === 'complete') {
      outHeaders['content-length'] = String(Buffer.byteLength(response.body.string));
      res.writeHead(response.status ?? 200, outHeaders);
      res.end(response.body.string);
    } else {
      res.writeHead(response.status ?? 200, outHeaders);
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    }
    res.off('close', onClose);
  }

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    inFlight++; // issue 10 (shutdown)
    res.once('close', () => inFlight--);
    const requestId = requestIdOf(req);
    if (draining) res.setHeader('connection', 'close');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = url.pathname;
    let work: Promise<void>;
    if (route === '/graphql' || route === '/graphql/') {
      work = handleGraphQL(req, res, url, requestId);
    } else if (route === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return;
    } else if (route === '/readyz') {
      const ok = isReady();
      sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : ready ? 'no token for Microsoft Graph' : 'not ready' });
      return;
    } else if (route === '/metrics' && metrics) {
      work = metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
      });
    } else if (route === '/' && !config.production) {
      res.writeHead(302, { location: '/graphql' }).end();
      return;
    } else {
      sendJson(res, 404, { error: 'Not found. The GraphQL endpoint is /graphql.' });
      return;
    }
    work.catch((error: unknown) => {
      logger.error({ err: error, requestId }, 'request failed');
      if (!res.headersSent) graphQLErrorReply(res, 500, ErrorCode.InternalServerError, 'Internal server error.', requestId);
      else res.destroy();
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 120_000;

  return {
    server,
    apollo,
    get ready() {
      return ready;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          ready = true;
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close(graceMs = 10_000, drainDelayMs = 0) {
      closing ??= (async () => {
        ready = false;
        if (drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, drainDelayMs));
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Keep-alive connections become idle as their last response is sent: close them as they do, and tell
        // clients on the responses still to come.
        draining = true;
        server.closeIdleConnections();
        const sweeper = setInterval(() => server.closeIdleConnections(), 50);
        let cutOff = 0; // issue 10 (shutdown)
        const timer = setTimeout(() => {
          cutOff = inFlight;
          server.closeAllConnections();
        }, graceMs);
        timer.unref();
        await closed;
        clearInterval(sweeper);
        clearTimeout(timer);
        await apollo.stop();
        return { cutOff };
      })();
      return closing;
    },
  };
}

/**
 * Errors as clients see them: Graph failures mapped by toGraphQLError; known GraphQL errors as they are;
 * anything unexpected masked as INTERNAL_SERVER_ERROR with a correlation id that is also logged.
 */
function formatError(formatted: GraphQLFormattedError, error: unknown, logger: Logger): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const mapped = toGraphQLError(original);
  if (mapped && mapped !== original) {
    return { message: mapped.message, locations: formatted.locations, path: formatted.path, extensions: { ...mapped.extensions } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && code !== ErrorCode.InternalServerError) return formatted;
  const correlationId = randomUUID();
  logger.error({ err: original, correlationId, path: formatted.path }, 'unexpected error');
  return {
    message: `Internal server error (correlation id ${correlationId}).`,
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.InternalServerError, correlationId },
  };
}
