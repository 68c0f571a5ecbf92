/**
 * Wires configuration, the Graph client and the server together. `index.ts` runs it as a process; tests call
 * `startService` directly.
 */
import type { TokenCredential } from '@azure/core-auth';
import { createAuthGate } from './auth/gate';
import { NoUserCredential } from './identity/obo';
import type { Config } from './config';
import { embeddedEmulatorOptions, startGraphEmulator, type GraphEmulator } from './emulator';
import { GraphClient } from './graph/client';
import { createAppCredential, EmulatorCredential } from './identity/credential';
import type { Logger } from './observability/logger';
import { Metrics } from './observability/metrics';
import { createApp, type App } from './http/app';
import { startTracing } from './observability/tracing';
import { createCoordination } from './coordination';
import type { Coordination } from './coordination/types';
import { coordinationMetrics } from './observability/coordination-metrics';

const SERVICE_VERSION: string = (require('../package.json') as { version: string }).version;

export interface Service {
  app: App;
  url: string;
  graph: GraphClient;
  metrics: Metrics;
  coordination: Coordination;
  emulator?: GraphEmulator;
  stop(graceMs?: number, drainDelayMs?: number): Promise<void>;
}

export async function startService(config: Config, logger: Logger): Promise<Service> {
  const otlp = config.tracing.endpoint;
  const tracing = otlp ? startTracing(otlp, config.tracing.serviceName, SERVICE_VERSION) : undefined;
  if (tracing) logger.info({ endpoint: otlp }, 'OpenTelemetry tracing on');
  let emulator: GraphEmulator | undefined;
  let baseUrl = config.graph.baseUrl;
  let credential: TokenCredential;
  if (config.graph.authMode === 'emulator') {
    if (!config.graph.baseUrlOverridden) {
      emulator = await startGraphEmulator(embeddedEmulatorOptions(process.env, config.emulator.port));
      baseUrl = emulator.url;
      logger.info({ emulatorUrl: emulator.url }, `embedded Graph emulator listening on ${emulator.url}`);
    }
    credential = new EmulatorCredential();
    logger.warn(
      { graphBaseUrl: baseUrl },
      '*** GRAPH_AUTH_MODE=emulator: NOT talking to Microsoft Graph. Calls go to the built-in Graph emulator with sample data. ***',
    );
  } else if (config.graph.authMode === 'obo') {
    // Each request calls Graph through its caller's own on-behalf-of client (src/identity/obo.ts), never this one.
    credential = new NoUserCredential();
    logger.info(
      { graphBaseUrl: baseUrl, cloud: config.graph.cloud, credential: config.azure.clientSecret ? 'client secret' : 'client certificate', mode: 'obo' },
      'calling Microsoft Graph on behalf of the signed-in user',
    );
  } else {
    const app = createAppCredential(config.azure);
    credential = app.credential;
    logger.info({ graphBaseUrl: baseUrl, cloud: config.graph.cloud, credential: app.kind, mode: config.graph.authMode }, 'calling Microsoft Graph');
  }
  if (config.auth.enabled) {
    logger.info(
      { audiences: config.auth.audiences, issuers: config.auth.issuers, jwksUrl: config.auth.jwksUrl, routerSecretRequired: config.auth.routerSecret !== undefined },
      'inbound authentication: bearer tokens required',
    );
  } else {
    logger.warn({ routerSecretRequired: config.auth.routerSecret !== undefined }, '*** inbound authentication is OFF (emulator mode without AUTH_AUDIENCE): anyone who can reach /graphql can call it. ***');
  }

  const metrics = new Metrics(() => graph.load);
  // Intune's budgets and the per-pool edit locks: in process for one replica, shared through Redis (REDIS_URL) by
  // all of them, in which case GRAPH_WRITE_LIMIT / GRAPH_READ_LIMIT are the whole app's limits (docs/scale-out.md).
  let coordination: Coordination | undefined;
  const onCoordinationEvent = coordinationMetrics(metrics.registry, () => coordination?.health());
  coordination = createCoordination(
    config.coordination,
    { writes: config.graph.writeBudget, reads: config.graph.readBudget },
    { logger, onEvent: onCoordinationEvent },
  );
  const shared = coordination;
  if (config.coordination.redis) {
    logger.info(
      { redisUrl: config.coordination.redis.displayUrl, writeLimit: config.graph.writeBudget.limit, readLimit: config.graph.readBudget.limit },
      'budgets and pool locks shared through Redis (limits for the whole app)',
    );
  }
  const graph = new GraphClient(baseUrl, credential, {
    scope: config.graph.scope,
    timeoutMs: config.graph.timeoutMs,
    maxConnections: config.graph.maxConnections,
    connectTimeoutMs: config.graph.connectTimeoutMs,
    retry: { maxRetries: config.graph.maxRetries },
    bulkhead: config.graph.bulkhead,
    budgets: { writes: shared.writes, reads: shared.reads },
    onCall: (event) => {
      metrics.recordGraphCall(event);
      logger.info(event, 'graph call');
    },
    onTokenAcquired: () => metrics.tokenAcquisitions.inc(),
    tracer: tracing?.tracer,
  });

  const auth = createAuthGate(config, { graph, logger });
  // Edits of one pool are serialized by its lock; a lock wait is bounded like a Graph call (GRAPH_TIMEOUT_MS).
  const app = await createApp({
    config,
    graph,
    logger,
    metrics,
    auth,
    healthy: () => graph.tokenHealthy,
    tracer: tracing?.tracer,
    coordination: shared,
    lockWaitMs: config.graph.timeoutMs,
  });
  const address = await app.listen(config.port, config.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}/graphql`;
  return {
    app,
    url,
    graph,
    metrics,
    coordination: shared,
    emulator,
    async stop(graceMs, drainDelayMs) {
      // In-flight requests first: they may still hold a pool lock or wait for a budget slot.
      await app.close(graceMs, drainDelayMs);
      await shared.close();
      auth?.close();
      await graph.close();
      await emulator?.close();
      await tracing?.shutdown();
    },
  };
}
