/** The Apollo Server behind /graphql: its options, its plugins, and unexpected errors masked with correlation ids. */
import { randomUUID } from 'node:crypto';
import { ApolloServer, type ApolloServerPlugin, type GraphQLRequestListener } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { trace } from '@opentelemetry/api';
import type { GraphQLFormattedError } from 'graphql';
import type { AuthGate } from '../auth/gate';
import { permissionsPlugin } from '../auth/permissions';
import type { Config } from '../config';
import { documentCachePolicy, requestCacheHint } from '../graphql/cache-policy';
import type { Context } from '../graphql/context';
import { ErrorCode, toGraphQLError } from '../graphql/errors';
import { compiledExecution } from '../graphql/executor';
import { activationCodeSecrecy } from '../graphql/lifecycle/secrecy';
import { operationLimits } from '../graphql/limits';
import { perOperation } from '../graphql/selection';
import { buildSchema } from '../graphql/schema';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { boundedDocumentStore, boundedQueryCache } from './caches';
import { invalidationPlugin } from './invalidation';

/** This subgraph's name in the supergraph (supergraph.yaml), which the router's cache tags are scoped by. */
const SUBGRAPH_NAME = 'esim-pools';

/** What a field without a hint of its own or an inherited one allows (Apollo's `defaultMaxAge`): not cacheable. */
const DEFAULT_MAX_AGE = 0;

export interface ApolloOptions {
  config: Pick<Config, 'production' | 'introspection' | 'limits' | 'executor' | 'federation'>;
  logger: Logger;
  metrics?: Metrics;
  /** Inbound authentication: its permission names and whether every request carries a principal. */
  auth?: Pick<AuthGate, 'permissions' | 'tokensRequired' | 'routerTrusted'>;
  /** Whether requests run inside a server span (tracing on): then the span gets the operation's name. */
  tracing?: boolean;
  /** Parsed documents kept (default: boundedDocumentStore()'s bounds). */
  documentStore?: ReturnType<typeof boundedDocumentStore>;
}

/** An Apollo Server for this subgraph, not started. */
export function createApolloServer({ config, logger, metrics, auth, tracing = false, documentStore }: ApolloOptions): ApolloServer<Context> {
  // Router-scale limits only when the gate checks the router's secret on every request (nothing is trusted otherwise).
  const limits = operationLimits(config.limits, config.production, auth?.routerTrusted ?? false);
  const { cacheMaxAgeS, privateScope, invalidation } = config.federation;
  const schema = buildSchema({ maxAgeS: cacheMaxAgeS, privateScope });
  return new ApolloServer<Context>({
    // graphql-jit for the operations it compiles, graphql-js for the rest (src/graphql/executor.ts); or graphql-js only.
    ...(config.executor === 'jit' ? { gateway: compiledExecution(schema).gateway } : { schema }),
    // Keyed by what callers send: bounded by entries and by the bytes they really hold (caches.ts).
    documentStore: documentStore ?? boundedDocumentStore(),
    cache: boundedQueryCache(),
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
      // app.ts serves the landing page.
      ApolloServerPluginLandingPageDisabled(),
      operationLogPlugin(logger, metrics, tracing),
      // Disabled: Apollo adds its own per-field plugin unless one is named; documentCacheControl runs it where needed.
      ApolloServerPluginCacheControlDisabled(),
      cacheMaxAgeS === 0 ? noStorePlugin : documentCacheControl(),
      ...(invalidation ? [invalidationPlugin({ ...invalidation, subgraph: SUBGRAPH_NAME, logger, metrics })] : []),
      ...limits.plugins,
      // graphql-js's own coercion messages would quote an activation code's value.
      activationCodeSecrecy(),
      ...(auth ? [permissionsPlugin(auth.permissions, auth.tokensRequired)] : []),
    ],
  });
}

/** Errors as clients see them; anything unexpected is INTERNAL_SERVER_ERROR with a correlation id, also logged. */
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

/** CACHE_MAX_AGE_S=0: every answer `Cache-Control: no-store`, without Apollo's per-field cache-control work. */
const noStoreListener: GraphQLRequestListener<Context> = {
  async willSendResponse({ response }) {
    if (!response.http.headers.has('cache-control')) response.http.headers.set('cache-control', 'no-store');
  },
};
const noStorePlugin: ApolloServerPlugin<Context> = { requestDidStart: async () => noStoreListener };

/**
 * Each reply's `Cache-Control` from the schema's hints: Apollo's cache-control plugin with the policy worked out once
 * per document (graphql/cache-policy.ts, docs/federation.md), its per-field hooks run only where the data decides.
 */
function documentCacheControl(): ApolloServerPlugin<Context> {
  const apollo = ApolloServerPluginCacheControl({ defaultMaxAge: DEFAULT_MAX_AGE, calculateHttpHeaders: true });
  const policyOf = perOperation((schema, document, operationName) => documentCachePolicy(schema, document, operationName, DEFAULT_MAX_AGE));
  return {
    serverWillStart: async (service) => apollo.serverWillStart?.(service),
    async requestDidStart(requestContext) {
      const perField = await apollo.requestDidStart?.(requestContext);
      return {
        async executionDidStart(context) {
          const { schema, document, operationName, request, overallCachePolicy } = context;
          const hint = requestCacheHint(policyOf(schema, document, operationName), schema, request.variables ?? {}, DEFAULT_MAX_AGE);
          if (hint === undefined) return perField?.executionDidStart?.(context);
          overallCachePolicy.restrict(hint);
          return undefined;
        },
        willSendResponse: async (context) => perField?.willSendResponse?.(context),
      };
    },
  };
}

/** One log line, one metrics sample and the span's name (when `tracing`) per operation, once its outcome is known. */
function operationLogPlugin(logger: Logger, metrics: Metrics | undefined, tracing: boolean): ApolloServerPlugin<Context> {
  return {
    async requestDidStart(requestContext) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ response, operationName, operation, contextValue, errors }) {
          const body = response.body;
          const hasErrors = (errors?.length ?? 0) > 0 || (body.kind === 'single' && (body.singleResult.errors?.length ?? 0) > 0);
          const name = operationName ?? requestContext.request.operationName ?? null;
          const type = operation?.operation;
          const outcome = hasErrors ? 'error' : 'ok';
          const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
          metrics?.recordOperation(name, type ?? 'unknown', outcome, durationMs / 1000);
          if (tracing) {
            const span = trace.getActiveSpan();
            span?.setAttribute('graphql.operation.type', type ?? 'unknown');
            if (name) span?.setAttribute('graphql.operation.name', name);
            span?.updateName(`${type ?? 'graphql'} ${name ?? 'anonymous'}`);
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
}
