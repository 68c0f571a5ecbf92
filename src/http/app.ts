/** The subgraph's HTTP server on plain node:http: /graphql, /healthz, /readyz, /metrics; listen, drain, close. */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { context as otelContext, propagation, ROOT_CONTEXT, SpanKind, trace, type Tracer } from '@opentelemetry/api';
import { AuthError } from '../auth/jwt';
import type { AuthGate, Caller } from '../auth/gate';
import type { Config } from '../config';
import { LocalPoolLocks } from '../coordination/local';
import type { Coordination } from '../coordination/types';
import { createContext, type EditServices } from '../graphql/context';
import { ErrorCode } from '../graphql/errors';
import { directoryCache } from '../graphql/targets';
import { idempotencyKeys } from '../graphql/idempotency';
import type { EsimPoolsApi } from '../graph/api';
import { AuditLog } from '../observability/audit';
import { messageOf, type Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { createApolloServer, type ApolloOptions } from './apollo';
import { createExplorer, isGraphQLPath, wantsPage } from './explorer';
import { nodeHttpHandler } from './graphql-handler';

/** The configuration the app reads: its sections, and GRAPH_TIMEOUT_MS, which also bounds a wait for a pool's edit lock. */
export type AppConfig = ApolloOptions['config'] &
  Pick<Config, 'maxBodyBytes' | 'idempotencyTtlS' | 'edits'> & { graph: Pick<Config['graph'], 'timeoutMs'> };

export interface AppOptions {
  config: AppConfig;
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
  /** Per-pool edit locks shared by the writes (default: in-process LocalPoolLocks, right for one replica). */
  coordination?: Pick<Coordination, 'locks'> & Partial<Pick<Coordination, 'health'>>;
  /** The audit trail of writes (default: lines on `logger`). */
  audit?: AuditLog;
  /** The assignment history (journal, outside changes, idempotency keys); unset: history off (HISTORY=off). */
  history?: EditServices['history'];
}

export type App = Awaited<ReturnType<typeof createApp>>;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const PLAIN_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>esim-pools-subgraph</title></head>
<body><h1>esim-pools-subgraph</h1><p>GraphQL endpoint: send POST requests with a JSON body to this URL.</p></body></html>`;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** An error before or around Apollo, shaped like a GraphQL response. */
const graphQLError = (code: string, message: string) => ({ errors: [{ message, extensions: { code } }] });

export async function createApp(options: AppOptions) {
  const { config, graph, logger, metrics, auth, tracer } = options;
  const apollo = createApolloServer({ config, logger, metrics, auth, tracing: tracer !== undefined });
  await apollo.start();
  const lockWaitMs = config.graph.timeoutMs;
  // One set of edit services for every request: locks serialize nothing unless they are shared.
  const edits: EditServices = {
    locks: options.coordination?.locks ?? new LocalPoolLocks(),
    audit: options.audit ?? new AuditLog(logger),
    lockWaitMs,
    targets: { mode: config.edits.targetChecks, cache: directoryCache(config.edits.targetCheckCacheSeconds) },
    bulkTimeoutMs: config.edits.bulkTimeoutMs,
    history: options.history,
    idempotency: options.history && idempotencyKeys(options.history, config.idempotencyTtlS, lockWaitMs),
    onIdempotency: metrics && ((result) => metrics.idempotencyRequests.inc({ result })),
    onKeyError: (error) => logger.error({ err: messageOf(error) }, "could not record an idempotency key's outcome (its repeat settles it)"),
    onJournalError: (error) => logger.error({ err: messageOf(error) }, 'could not complete a history entry after Graph answered (it stays UNKNOWN)'),
  };
  // What /graphql learned of a request before Apollo (its id, its authenticated caller), for the context function.
  const callers = new WeakMap<IncomingMessage, { requestId: string; caller?: Caller }>();
  const handle = nodeHttpHandler(apollo, {
    maxBodyBytes: config.maxBodyBytes,
    // The project's context for one operation; its signal fires when the caller goes away.
    context: async ({ req, res }) => {
      const { requestId, caller } = callers.get(req) ?? { requestId: 'unknown' };
      const abort = new AbortController();
      res.once('close', () => {
        if (!res.writableEnded) abort.abort();
      });
      return createContext(requestId, caller?.graph ?? graph, abort.signal, caller?.principal, edits);
    },
  });
  // What a browser gets at GET /graphql: the explorer outside production, a plain page in production (Apollo's is off).
  const landing = config.production ? plainPage : createExplorer({ logger, tokensRequired: auth?.tokensRequired ?? false }).handle;

  /** /graphql: authentication before the body is read (a refused caller costs no parsing), then Apollo. */
  async function graphql(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST' }).end();
      return;
    }
    res.setHeader('x-request-id', requestId);
    let caller: Caller | undefined;
    try {
      const checked = auth?.check(req.headers);
      caller = checked instanceof Promise ? await checked : checked;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      logger.info({ requestId, reason: error.reason, status: error.status }, 'request refused');
      const challenge = error.wwwAuthenticate;
      sendJson(res, error.status, graphQLError(error.code, error.message), challenge ? { 'www-authenticate': challenge } : {});
      return;
    }
    callers.set(req, { requestId, caller });
    if (!tracer) return handle(req, res);
    // A server span continuing the caller's W3C trace context; Graph call spans become its children.
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan('POST /graphql', { kind: SpanKind.SERVER, attributes: { 'request.id': requestId } }, parent);
    try {
      await otelContext.with(trace.setSpan(parent, span), () => handle(req, res));
      span.setAttribute('http.response.status_code', res.statusCode);
    } finally {
      span.end();
    }
  }

  let listening = false;
  /** Set once shutdown has begun: every further response asks its client to close the connection. */
  let draining = false;
  /** Requests in flight, to say at shutdown how many the end of the grace period cut off. */
  let inFlight = 0;
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    inFlight++;
    res.once('close', () => inFlight--);
    const header = req.headers['x-request-id'] ?? req.headers['request-id'];
    const sent = Array.isArray(header) ? header[0] : header;
    // The router's request id when it looks sane, else a new GUID.
    const requestId = sent !== undefined && REQUEST_ID.test(sent) ? sent : randomUUID();
    if (draining) res.setHeader('connection', 'close');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (landing(req, res, url)) return;
    let work: Promise<void>;
    switch (url.pathname) {
      case '/graphql':
      case '/graphql/':
        work = graphql(req, res, requestId);
        break;
      case '/healthz':
        return sendJson(res, 200, { status: 'ok' });
      case '/readyz': {
        // 503 before listening, once shutdown has begun, or without a token for Graph; coordination is reported only.
        const ok = listening && (options.healthy?.() ?? true);
        const coordination = options.coordination?.health?.();
        const status = ok ? 'ready' : listening ? 'no token for Microsoft Graph' : 'not ready';
        return sendJson(res, ok ? 200 : 503, { status, ...(coordination ? { coordination } : {}) });
      }
      case '/metrics':
        if (!metrics) return notFound(res);
        work = metrics.registry.metrics().then((text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
        });
        break;
      case '/':
        // The landing page lives at /graphql; production has none worth redirecting to.
        if (config.production) return notFound(res);
        res.writeHead(302, { location: '/graphql' }).end();
        return;
      default:
        return notFound(res);
    }
    work.catch((error: unknown) => {
      logger.error({ err: error, requestId }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, graphQLError(ErrorCode.InternalServerError, 'Internal server error.'), { 'x-request-id': requestId });
      else res.destroy();
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 120_000;

  let closing: Promise<{ cutOff: number }> | undefined;
  async function shutdown(graceMs: number, drainDelayMs: number): Promise<{ cutOff: number }> {
    listening = false;
    if (drainDelayMs > 0) await sleep(drainDelayMs);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections become idle as their last response is sent: close them as they do, and tell
    // clients on the responses still to come.
    draining = true;
    server.closeIdleConnections();
    const sweeper = setInterval(() => server.closeIdleConnections(), 50);
    let cutOff = 0;
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
  }

  return {
    server,
    /** Starts listening; resolves with the bound address. */
    async listen(port: number, host?: string): Promise<AddressInfo> {
      // Rejects with the listen error (EADDRINUSE, EACCES) emitted before 'listening'.
      await once(server.listen(port, host), 'listening');
      const address = server.address();
      // A TCP listen always yields an AddressInfo; a string would mean a pipe, which listen(port) never opens.
      if (address === null || typeof address === 'string') throw new Error(`expected a TCP address, got ${String(address)}`);
      listening = true;
      return address;
    },
    /** Readiness 503 at once, new connections refused after `drainDelayMs`, `graceMs` for in-flight requests; how many were cut off. */
    close(graceMs = 10_000, drainDelayMs = 0): Promise<{ cutOff: number }> {
      return (closing ??= shutdown(graceMs, drainDelayMs));
    },
  };
}

/** Production's landing page: it loads nothing. */
function plainPage(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  if (req.method !== 'GET' || !isGraphQLPath(url.pathname) || !wantsPage(req, url)) return false;
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PLAIN_PAGE);
  return true;
}

function notFound(res: ServerResponse): void {
  sendJson(res, 404, { error: 'Not found. The GraphQL endpoint is /graphql.' });
}
