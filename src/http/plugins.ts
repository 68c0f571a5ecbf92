/** The Apollo plugins of this server that are not about limits, permissions or the landing page. */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { trace } from '@opentelemetry/api';
import { documentCachePolicy, requestCacheHint } from '../graphql/cache-policy';
import { perOperation } from '../graphql/per-operation';
import type { Context } from '../graphql/context';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';

/** CACHE_MAX_AGE_S=0: every answer `Cache-Control: no-store`, without Apollo's per-field cache-control work. */
const noStoreListener: GraphQLRequestListener<Context> = {
  async willSendResponse({ response }) {
    if (!response.http.headers.has('cache-control')) response.http.headers.set('cache-control', 'no-store');
  },
};

export const noStorePlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return noStoreListener;
  },
};

/**
 * Apollo's cache-control plugin with the policy worked out once per document (graphql/cache-policy.ts); its
 * per-field hooks run only where the data decides.
 */
function documentCacheControl(): ApolloServerPlugin<Context> {
  const apollo = ApolloServerPluginCacheControl({ defaultMaxAge: DEFAULT_MAX_AGE, calculateHttpHeaders: true });
  const policyOf = perOperation((schema, document, operationName) => documentCachePolicy(schema, document, operationName, DEFAULT_MAX_AGE));
  return {
    async serverWillStart(service) {
      await apollo.serverWillStart?.(service);
    },
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
        async willSendResponse(context) {
          await perField?.willSendResponse?.(context);
        },
      };
    },
  };
}

/** What a field without a hint of its own or an inherited one allows (Apollo's `defaultMaxAge`): not cacheable. */
const DEFAULT_MAX_AGE = 0;

/**
 * Each reply's `Cache-Control` from the schema's hints: `max-age=N, public|private` for a query every field of which
 * allows it, `no-store` for mutations, errors and what has no hint.
 */
export function cacheControlPlugins(maxAgeS: number): ApolloServerPlugin<Context>[] {
  if (maxAgeS === 0) return [ApolloServerPluginCacheControlDisabled(), noStorePlugin];
  // Disabled: Apollo adds its own per-field plugin unless one is named; documentCacheControl runs it where needed.
  return [ApolloServerPluginCacheControlDisabled(), documentCacheControl()];
}

export interface OperationLogOptions {
  logger: Logger;
  metrics?: Metrics;
  /** Whether a server span is active (the handler starts one when tracing is on): then it gets named. */
  tracing: boolean;
}

/** One log line, one metrics sample and the span's name per operation, once its outcome is known. */
export function operationLogPlugin({ logger, metrics, tracing }: OperationLogOptions): ApolloServerPlugin<Context> {
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
