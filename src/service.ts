/** Wires configuration, the Graph client and the server together; `index.ts` runs it as a process. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import { z } from 'zod';
import { createAuthGate } from './auth/gate';
import { NoUserCredential } from './identity/obo';
import { INTUNE_READ_LIMIT, type Config } from './config';
import { GraphClient } from './graph/client';
import { WIRE_ENUM } from './graph/models';
import type { CredentialSource, TokenEvent } from './graph/pipeline/token';
import { appCredentialFactory, EmulatorCredential } from './identity/credential';
import { messageOf, type Logger } from './observability/logger';
import { coordinationMetrics, Metrics } from './observability/metrics';
import { createApp } from './http/app';
import { createCoordination } from './coordination';
import type { Coordination } from './coordination/types';
import { openHistory, type OpenedHistory } from './history';
import { HISTORY_RULES } from './graphql/history/rules';

/** package.json's version, read at run time: the file sits outside the compiled tree. */
const SERVICE_VERSION = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'))).version;

/** OpenTelemetry tracing to an OTLP endpoint; the SDK is loaded only here, so a process without tracing never loads it. */
async function startTracing(url: string, serviceName: string) {
  const { NodeTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'service.version': SERVICE_VERSION }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  provider.register();
  return { tracer: trace.getTracer('esim-pools-subgraph', SERVICE_VERSION), shutdown: () => provider.shutdown() };
}

/** Longest a replica waits for its first Redis connection before it listens (the startup probe allows 30 s). */
const REDIS_STARTUP_WAIT_MS = 5_000;

/** Time the steps after the HTTP server (connections, tracing flush) get once the grace period is over. */
const STOP_MARGIN_MS = 5_000;

/** A start-up failure the operator fixes in the environment: the message names the variable (no stack). */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** Turns a listen failure into a StartupError naming the variable that picks the port. */
async function listening<T>(listen: () => Promise<T>, variable: string, port: number): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (code === 'EADDRINUSE') {
      throw new StartupError(`${variable}: port ${port} is already in use (another process listens on it); set ${variable} to a free port, or 0 for any free port`);
    }
    if (code === 'EACCES') throw new StartupError(`${variable}: not allowed to listen on port ${port} (ports below 1024 need privileges); set ${variable} to another port`);
    throw error;
  }
}

/** The Graph emulator's package: a development workspace, loaded only in emulator mode (the image leaves it out). */
export const EMULATOR_PACKAGE = '@esim-pools/graph-emulator';

/** What the service uses of EMULATOR_PACKAGE; test/process/embedded-emulator.test.ts checks the package against it. */
export interface EmulatorPackage {
  embeddedEmulatorOptions: (env: NodeJS.ProcessEnv, port: number) => object;
  startGraphEmulator: (options: object) => Promise<{ url: string; close(): Promise<void> }>;
}

/** Loads EMULATOR_PACKAGE by name (so that building the service needs none of it); absent, a StartupError. */
async function loadEmulator(): Promise<EmulatorPackage> {
  try {
    return (await import(EMULATOR_PACKAGE)) as EmulatorPackage;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'MODULE_NOT_FOUND') {
      throw new StartupError(
        `GRAPH_AUTH_MODE: emulator needs the Graph emulator (${EMULATOR_PACKAGE}, a development workspace this installation lacks, e.g. the production image); set GRAPH_BASE_URL to a running emulator, or use app or obo`,
      );
    }
    throw error;
  }
}

export async function startService(config: Config, logger: Logger) {
  const otlp = config.tracing.endpoint;
  const tracing = otlp ? await startTracing(otlp, config.tracing.serviceName) : undefined;
  if (tracing) logger.info({ endpoint: otlp }, 'OpenTelemetry tracing on');
  let emulator: Awaited<ReturnType<EmulatorPackage['startGraphEmulator']>> | undefined;
  let baseUrl = config.graph.baseUrl;
  let credential: CredentialSource;
  if (config.graph.authMode === 'emulator') {
    if (!config.graph.baseUrlOverridden) {
      const { port } = config.emulator;
      const { startGraphEmulator, embeddedEmulatorOptions } = await loadEmulator();
      emulator = await listening(() => startGraphEmulator(embeddedEmulatorOptions(process.env, port)), 'EMULATOR_PORT', port);
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
    // A factory: after Graph rejected a token, the next one comes through a new instance (an empty MSAL cache).
    const app = appCredentialFactory(config.azure);
    credential = app.create;
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

  if (config.edits.targetChecks === 'off') {
    logger.warn(
      { targetChecks: 'off' },
      '*** TARGET_CHECKS=off: writes do NOT check that the groups and assignment filters they send exist; assignments to deleted groups are accepted silently by Graph. ***',
    );
  } else {
    logger.info({ targetChecks: config.edits.targetChecks, targetCheckCacheSeconds: config.edits.targetCheckCacheSeconds }, 'target checks of writes');
  }

  const metrics = new Metrics(() => graph.load);
  // Intune's budgets and the per-pool edit locks: in process for one replica, shared through Redis (REDIS_URL) by
  // all of them, in which case GRAPH_WRITE_LIMIT / GRAPH_READ_LIMIT are the whole app's limits (docs/scale-out.md).
  const shared: Coordination = await createCoordination(
    config.coordination,
    { writes: config.graph.writeBudget, reads: config.graph.readBudget },
    { logger, onEvent: coordinationMetrics(metrics.registry, () => shared.health()) },
  );
  if (config.coordination.redis) {
    logger.info(
      { redisUrl: config.coordination.redis.displayUrl, writeLimit: config.graph.writeBudget.limit, readLimit: config.graph.readBudget.limit },
      'budgets and pool locks shared through Redis (limits for the whole app)',
    );
    // Listening before the first connection would refuse the first writes (COORDINATION_UNAVAILABLE). A Redis that is
    // down at start-up does not stop the replica: it serves reads, and writes as soon as Redis answers.
    if (!(await shared.connected(REDIS_STARTUP_WAIT_MS))) {
      logger.warn(
        { redisUrl: config.coordination.redis.displayUrl, reason: shared.health().reason, waitedMs: REDIS_STARTUP_WAIT_MS },
        'Redis did not answer at start-up: serving reads; writes and pool locks are refused until it does',
      );
    }
  }
  const graph = new GraphClient(baseUrl, credential, {
    // The section's scope, timeouts, connections, retries and bulkhead, under the client's option names.
    ...config.graph,
    budgets: { writes: shared.writes, reads: shared.reads },
    onCall: (event) => {
      metrics.recordGraphCall(event);
      logger.info(event, 'graph call');
    },
    // Once per type and value (the client remembers): Graph moved on, and an upgrade would show more.
    onUnknownValue: ({ type, value }) =>
      logger.warn(
        { graphType: type, value, servedAs: type === WIRE_ENUM.targetType ? 'UnknownAssignmentTarget' : 'UNKNOWN_FUTURE_VALUE' },
        'Microsoft Graph sent a value this version does not know',
      ),
    onTokenAcquired: () => metrics.tokenAcquisitions.inc(),
    // Only the application's own credential recovers by itself: in obo mode the base client has no user (and
    // emulator tokens cannot fail). An unready pod gets no traffic, so recovery cannot wait for the next call.
    tokenRecovery: config.graph.authMode === 'app' ? { initialDelayMs: 1_000, maxDelayMs: 30_000 } : undefined,
    onTokenEvent: (event) => logTokenEvent(logger, event),
    tracer: tracing?.tracer,
  });

  let history: OpenedHistory | undefined;
  if (config.history.enabled) {
    const where = config.history.store.kind === 'postgres' ? config.history.store.displayUrl : config.history.store.path;
    try {
      history = await openHistory(config.history, {
        rules: HISTORY_RULES,
        graph,
        // The sweep's share is of Intune's own limit when the client-side budget is off (GRAPH_READ_LIMIT=0).
        readBudget: { limit: config.graph.readBudget.limit || INTUNE_READ_LIMIT, windowMs: config.graph.readBudget.windowMs },
        hooks: {
          onOutsideChange: (source) => metrics.historyOutsideChanges.inc({ source }),
          onBackgroundError: (error) => logger.warn({ reason: messageOf(error) }, 'could not compare a read with the assignment history'),
          onSweep: (result, seconds) => {
            metrics.historySweepDuration.observe(seconds);
            logger.info({ ...result, seconds }, 'assignment history sweep done');
          },
          onLag: (seconds) => metrics.historySweepLag.set(seconds),
          onError: (error) => logger.warn({ reason: messageOf(error) }, 'assignment history sweep failed'),
          onRetention: (deleted) => deleted > 0 && logger.info({ deleted, retentionDays: config.history.enabled ? config.history.retentionDays : 0 }, 'old assignment history entries deleted'),
          onRetentionError: (error) => logger.warn({ reason: messageOf(error) }, 'assignment history retention failed'),
        },
      });
    } catch (error) {
      await graph.close();
      await shared.close();
      throw new StartupError(`${config.history.store.kind === 'postgres' ? 'DATABASE_URL' : 'HISTORY_PATH'}: the assignment history store ${where} cannot be opened: ${messageOf(error)}`);
    }
    logger.info(
      { store: config.history.store.kind, where, migrated: history.migrated, sweepIntervalS: config.history.sweepIntervalS, sweepReadShare: config.history.sweepReadShare },
      'assignment history on',
    );
  } else {
    logger.warn('*** HISTORY=off: assignment history is OFF: writes are not journaled, history and restore answer HISTORY_UNAVAILABLE. ***');
  }

  const auth = createAuthGate(config, { graph, logger });
  const app = await createApp({
    config,
    graph,
    logger,
    metrics,
    auth,
    healthy: () => graph.tokenHealthy,
    tracer: tracing?.tracer,
    coordination: shared,
    history: history?.history,
  });
  const address = await listening(() => app.listen(config.port, config.host), 'PORT', config.port);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}/graphql`;
  return {
    url,
    /**
     * Drains the HTTP server (readiness off, `drainDelayMs`, then `graceMs` for in-flight requests), then closes the
     * rest. Bounded: after drainDelayMs + graceMs + STOP_MARGIN_MS it resolves anyway, naming in `unfinished` the steps
     * that had not finished; `cutOff`: the requests still in flight when the grace period ended.
     */
    async stop(graceMs = 10_000, drainDelayMs = 0): Promise<{ cutOff: number; unfinished: string[] }> {
      let cutOff = 0;
      const steps: Array<[string, () => unknown]> = [
        ['http server', async () => ({ cutOff } = await app.close(graceMs, drainDelayMs))],
        // After in-flight requests: they may still hold a pool lock or wait for a budget slot.
        ['coordination', () => shared.close()],
        // After in-flight requests: their journal entries are completed by then.
        ['history', () => history?.close()],
        ['inbound authentication', () => auth?.close()],
        ['graph client', () => graph.close()],
        ['graph emulator', () => emulator?.close()],
        ['tracing', () => tracing?.shutdown()],
      ];
      const unfinished = new Set(steps.map(([name]) => name));
      const run = (async () => {
        for (const [name, step] of steps) {
          await step();
          unfinished.delete(name);
        }
      })();
      // An unref'd deadline: it never holds the process open once everything else has closed.
      await Promise.race([run, sleep(drainDelayMs + graceMs + STOP_MARGIN_MS, undefined, { ref: false })]);
      return { cutOff, unfinished: [...unfinished] };
    },
  };
}

/** Token events as log lines: never a token, nor Entra's message (it can name the tenant and client). */
function logTokenEvent(logger: Logger, event: TokenEvent): void {
  switch (event.type) {
    case 'acquisition-failed':
      logger.warn(
        { reason: event.reason, background: event.background, retryInMs: event.retryInMs },
        event.background ? 'could not refresh the token for Microsoft Graph' : 'could not get a token for Microsoft Graph',
      );
      return;
    case 'recovered':
      logger.info('token for Microsoft Graph acquired again');
      return;
    case 'rejected-by-graph':
      logger.warn({ claimsChallenge: event.claimsChallenge }, 'Microsoft Graph rejected the access token (401): it is replaced');
  }
}
