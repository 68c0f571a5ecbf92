/** The Apollo plugins of this server that are not about limits, permissions or the landing page. */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import type { Context } from '../graphql/context';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';

/**
 * What Apollo's default cache-control plugin answered for this schema, without its per-field work: the schema has
 * no `@cacheControl` hints, so every answer is `Cache-Control: no-store`. That plugin hooks every field of every
 * response (a policy object and closures per field) and, by hooking fields at all, makes Apollo wrap every
 * resolver. One listener object serves every request.
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
