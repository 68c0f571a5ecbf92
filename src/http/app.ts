/** The subgraph's HTTP server on plain node:http: /graphql, /healthz, /readyz, /metrics; listen, drain, close. */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import type { Tracer } from '@opentelemetry/api';
import type { AuthGate } from '../auth/gate';
import type { Config } from '../config';
import { LocalPoolLocks } from '../coordination/local';
import type { Coordination } from '../coordination/types';
import type { Context, EditServices } from '../graphql/context';
import { ErrorCode } from '../graphql/errors';
import { DirectoryCache, type TargetCheckMode } from '../graphql/targets';
import { idempotencyKeys } from '../graphql/idempotency';
import type { EsimPoolsApi } from '../graph/api';
import { AuditLog } from '../observability/audit';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { createApolloServer } from './apollo';
import { createGraphQLRoute, type GraphQLRoute } from './graphql-route';
import { createLandingPage, type LandingPage } from './landing';
import { sendGraphQLError, sendJson } from './reply';
import { healthz, metricsRoute, readyz } from './routes';

export interface AppOptions {
  config: Pick<Config, 'production' | 'introspection' | 'maxBodyBytes'> & Partial<Pick<Config, 'limits' | 'executor' | 'federation'>>;
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
  /** Longest wait for a pool's edit lock (default 30000: GRAPH_TIMEOUT_MS's default). */
  lockWaitMs?: number;
  /** TARGET_CHECKS (default strict), TARGET_CHECK_CACHE_S (default 30) and BULK_TIMEOUT_MS (default 60000). */
  targetChecks?: { mode: TargetCheckMode; cacheSeconds?: number };
  bulkTimeoutMs?: number;
  /** The assignment history (journal, outside changes); unset: history off (HISTORY=off). */
  history?: EditServices['history'];
  /** How long idempotency keys are kept (default 86400: IDEMPOTENCY_TTL_S's default); they need `history`. */
  idempotencyTtlS?: number;
}

export interface App {
  server: Server;
  apollo: ApolloServer<Context>;
  /** Starts listening; resolves with the bound address. */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Readiness: false before start and once shutdown has begun. */
  readonly ready: boolean;
  /**
   * Shuts down: readiness 503 at once, new connections refused after `drainDelayMs`, in-flight requests given
   * `graceMs`; resolves with how many were cut off.
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

class NodeApp implements App {
  readonly server: Server;
  private listening = false;
  /** Set once shutdown has begun: every further response asks its client to close the connection. */
  private draining = false;
  private closing?: Promise<{ cutOff: number }>;
  /** Requests in flight, to say at shutdown how many the end of the grace period cut off. */
  private inFlight = 0;

  constructor(
    readonly apollo: ApolloServer<Context>,
    private readonly landing: LandingPage,
    private readonly graphql: GraphQLRoute,
    private readonly options: AppOptions,
  ) {
    this.server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => this.route(req, res));
    this.server.headersTimeout = 20_000;
    this.server.requestTimeout = 120_000;
  }

  get ready(): boolean {
    return this.listening;
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    this.inFlight++;
    res.once('close', () => this.inFlight--);
    const requestId = requestIdOf(req);
    if (this.draining) res.setHeader('connection', 'close');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (this.landing.handle(req, res, url)) return;
    const { metrics, config } = this.options;
    let work: Promise<void>;
    switch (url.pathname) {
      case '/graphql':
      case '/graphql/':
        work = this.graphql(req, res, requestId);
        break;
      case '/healthz':
        return healthz(res);
      case '/readyz':
        return readyz(res, this.listening, this.options.healthy?.() ?? true, this.options.coordination?.health?.());
      case '/metrics':
        if (!metrics) return notFound(res);
        work = metricsRoute(res, metrics);
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
      this.options.logger.error({ err: error, requestId }, 'request failed');
      if (!res.headersSent) sendGraphQLError(res, 500, ErrorCode.InternalServerError, 'Internal server error.', requestId);
      else res.destroy();
    });
  }

  listen(port: number, host?: string): Promise<AddressInfo> {
    const server = this.server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const address = server.address();
        // A TCP listen always yields an AddressInfo; a string would mean a pipe, which listen(port) never opens.
        if (address === null || typeof address === 'string') {
          reject(new Error(`expected a TCP address, got ${String(address)}`));
          return;
        }
        this.listening = true;
        resolve(address);
      });
    });
  }

  close(graceMs = 10_000, drainDelayMs = 0): Promise<{ cutOff: number }> {
    this.closing ??= this.shutdown(graceMs, drainDelayMs);
    return this.closing;
  }

  private async shutdown(graceMs: number, drainDelayMs: number): Promise<{ cutOff: number }> {
    const server = this.server;
    this.listening = false;
    if (drainDelayMs > 0) await sleep(drainDelayMs);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections become idle as their last response is sent: close them as they do, and tell
    // clients on the responses still to come.
    this.draining = true;
    server.closeIdleConnections();
    const sweeper = setInterval(() => server.closeIdleConnections(), 50);
    let cutOff = 0;
    const timer = setTimeout(() => {
      cutOff = this.inFlight;
      server.closeAllConnections();
    }, graceMs);
    timer.unref();
    await closed;
    clearInterval(sweeper);
    clearTimeout(timer);
    await this.apollo.stop();
    return { cutOff };
  }
}

function notFound(res: ServerResponse): void {
  sendJson(res, 404, { error: 'Not found. The GraphQL endpoint is /graphql.' });
}

export async function createApp(options: AppOptions): Promise<App> {
  const { config, graph, logger, metrics, auth, tracer } = options;
  const landing = createLandingPage({ production: config.production, logger, tokensRequired: auth?.tokensRequired ?? false });
  const apollo = createApolloServer({ config, logger, metrics, auth, tracing: tracer !== undefined, landingPage: landing.plugin });
  await apollo.start();
  // One set of edit services for every request: locks serialize nothing unless they are shared.
  const edits: EditServices = {
    locks: options.coordination?.locks ?? new LocalPoolLocks(),
    audit: options.audit ?? new AuditLog(logger),
    lockWaitMs: options.lockWaitMs ?? 30_000,
    targets: { mode: options.targetChecks?.mode ?? 'strict', cache: new DirectoryCache(options.targetChecks?.cacheSeconds ?? 30) },
    bulkTimeoutMs: options.bulkTimeoutMs,
    history: options.history,
    idempotency: options.history && idempotencyKeys(options.history, options.idempotencyTtlS ?? 86_400, options.lockWaitMs ?? 30_000),
    onIdempotency: metrics && ((result) => metrics.idempotencyRequests.inc({ result })),
    onKeyError: (error) =>
      logger.error({ err: error instanceof Error ? error.message : String(error) }, "could not record an idempotency key's outcome (its repeat settles it)"),
    onJournalError: (error) =>
      logger.error({ err: error instanceof Error ? error.message : String(error) }, 'could not complete a history entry after Graph answered (it stays UNKNOWN)'),
  };
  const graphql = createGraphQLRoute({ apollo, maxBodyBytes: config.maxBodyBytes, graph, logger, auth, tracer, edits });
  return new NodeApp(apollo, landing, graphql, options);
}
