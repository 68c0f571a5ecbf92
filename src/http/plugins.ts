/** The Apollo plugins of this server that are not about limits, permissions or the landing page. */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { trace } from '@opentelemetry/api';
import { OperationTypeNode } from 'graphql';
import type { Context } from '../graphql/context';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';

/**
 * Every answer `Cache-Control: no-store`, without Apollo's cache-control plugin and its per-field work (a policy
 * object and closures per field, and by hooking fields at all the graphql-js path instead of graphql-jit): what
 * CACHE_MAX_AGE_S=0 asks for. One listener object serves every request.
 */
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

/** A mutation's answer is never cached, whatever its payload's types say (Apollo's plugin then skips field work). */
const mutationNoStore: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, overallCachePolicy }) {
        if (operation?.operation === OperationTypeNode.MUTATION) overallCachePolicy.restrict({ maxAge: 0 });
      },
    };
  },
};

/**
 * Each reply's `Cache-Control` from the schema's `@cacheControl` hints (Apollo's cache-control plugin; the hints
 * carry CACHE_MAX_AGE_S and, in on-behalf-of mode, `PRIVATE`: cache-hints.ts): `max-age=N, public|private` for a
 * query whose every field allows it, `no-store` for mutations, errors, and whatever has no hint (`_service`,
 * introspection). `_entities` takes the hints of the entity types it returns (@apollo/subgraph does that).
 */
export function cacheControlPlugins(maxAgeS: number): ApolloServerPlugin<Context>[] {
  if (maxAgeS === 0) return [ApolloServerPluginCacheControlDisabled(), noStorePlugin];
  return [mutationNoStore, ApolloServerPluginCacheControl({ defaultMaxAge: 0, calculateHttpHeaders: true })];
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
