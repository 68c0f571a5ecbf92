/** The Apollo Server behind /graphql: its options, its plugins, and unexpected errors masked with correlation ids. */
import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLFormattedError } from 'graphql';
import type { AuthGate } from '../auth/gate';
import { permissionsPlugin } from '../auth/permissions';
import type { Config } from '../config';
import type { Context } from '../graphql/context';
import { ErrorCode, toGraphQLError } from '../graphql/errors';
import { DEFAULT_LIMITS, operationLimits } from '../graphql/limits';
import { activationCodeSecrecy } from '../graphql/lifecycle/secrecy';
import { compiledExecution } from '../graphql/executor';
import { buildSchema } from '../graphql/schema';
import { FEDERATION_DEFAULTS } from '../config/defaults';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { boundedDocumentStore, boundedQueryCache } from './caches';
import { invalidationPlugin } from './invalidation';
import { cacheControlPlugins, operationLogPlugin } from './plugins';

export type ApolloConfig = Pick<Config, 'production' | 'introspection'> & Partial<Pick<Config, 'limits' | 'executor' | 'federation'>>;

/** This subgraph's name in the supergraph (supergraph.yaml), which the router's cache tags are scoped by. */
export const SUBGRAPH_NAME = 'esim-pools';

export interface ApolloOptions {
  config: ApolloConfig;
  logger: Logger;
  metrics?: Metrics;
  /** Inbound authentication: its permission names and whether every request carries a principal. */
  auth?: Pick<AuthGate, 'permissions' | 'tokensRequired' | 'routerTrusted'>;
  /** Whether requests run inside a server span (tracing on). */
  tracing?: boolean;
  /** Parsed documents kept (default: boundedDocumentStore()'s bounds). */
  documentStore?: ReturnType<typeof boundedDocumentStore>;
}

/** An Apollo Server for this subgraph, not started. */
export function createApolloServer({ config, logger, metrics, auth, tracing = false, documentStore }: ApolloOptions): ApolloServer<Context> {
  // Router-scale limits only when the gate checks the router's secret on every request (nothing is trusted otherwise).
  const limits = operationLimits(config.limits ?? DEFAULT_LIMITS, config.production, auth?.routerTrusted ?? false);
  const federation = config.federation ?? { cacheMaxAgeS: FEDERATION_DEFAULTS.cacheMaxAgeS, privateScope: false };
  const schema = buildSchema({ maxAgeS: federation.cacheMaxAgeS, privateScope: federation.privateScope });
  const invalidation = federation.invalidation;
  return new ApolloServer<Context>({
    // graphql-jit for the operations it compiles, graphql-js for the rest (src/graphql/executor.ts); or graphql-js only.
    ...((config.executor ?? 'jit') === 'jit' ? { gateway: compiledExecution(schema).gateway } : { schema }),
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
      // The landing page is served by app.ts.
      ApolloServerPluginLandingPageDisabled(),
      operationLogPlugin({ logger, metrics, tracing }),
      ...cacheControlPlugins(federation.cacheMaxAgeS),
      ...(invalidation ? [invalidationPlugin({ ...invalidation, subgraph: SUBGRAPH_NAME, logger, metrics })] : []),
      ...limits.plugins,
      // graphql-js's own coercion messages would quote an activation code's value.
      activationCodeSecrecy(),
      ...(auth ? [permissionsPlugin(auth.permissions, auth.tokensRequired)] : []),
    ],
  });
}

/** Errors as clients see them; anything unexpected is INTERNAL_SERVER_ERROR with a correlation id, also logged. */
export function formatError(formatted: GraphQLFormattedError, error: unknown, logger: Logger): GraphQLFormattedError {
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
