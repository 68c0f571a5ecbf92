/**
 * After a write and before its answer, asks Apollo Router's response cache to drop the `pool-{id}` and `pools` tags;
 * bounded by a timeout, and a failure never fails the write (docs/federation.md, "Invalidation").
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { request } from 'undici';
import type { Config } from '../config';
import type { Context } from '../graphql/context';
import type { EsimPoolsApi } from '../graph/api';
import { isRecord } from '../graph/json';
import { messageOf, type Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';

/** The router's endpoint, shared key (sent as `Authorization`) and timeout; this subgraph's name in the supergraph. */
type InvalidationOptions = NonNullable<Config['federation']['invalidation']> & { subgraph: string; logger: Logger; metrics?: Metrics };

/** The router's invalidation request body for these pools (Apollo Router's `cache_tag` kind). */
export function invalidationBody(poolIds: Iterable<string>, subgraph: string): Array<{ kind: 'cache_tag'; subgraphs: string[]; cache_tag: string }> {
  const tags = new Set<string>(['pools']);
  // The entity's tag carries Graph's id (lower case); a root field's the id as the client wrote it.
  for (const id of poolIds) for (const form of [id, id.toLowerCase()]) tags.add(`pool-${form}`);
  return [...tags].map((tag) => ({ kind: 'cache_tag', subgraphs: [subgraph], cache_tag: tag }));
}

const WRITES = new Set<PropertyKey>(['assign', 'updatePool', 'deletePool']);

/** The writes of one operation: the pools written to, and whether anything was (a create whose reply was lost). */
type Written = { pools: Set<string>; any: boolean };

/** `graph` that notes every pool a write is attempted on (a failed call may still have written). */
function recordingWrites(graph: EsimPoolsApi, written: Written): EsimPoolsApi {
  return new Proxy(graph, {
    get(target, property): unknown {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (WRITES.has(property)) {
        return (poolId: string, ...rest: unknown[]): unknown => {
          written.any = true;
          written.pools.add(poolId);
          return value.call(target, poolId, ...rest);
        };
      }
      if (property === 'createPool') {
        return async (...args: unknown[]): Promise<unknown> => {
          // The pools list changes even when the reply is lost.
          written.any = true;
          const created: unknown = await value.apply(target, args);
          if (isRecord(created) && typeof created.id === 'string') written.pools.add(created.id);
          return created;
        };
      }
      return value.bind(target);
    },
  });
}

/** Sends the invalidation; resolves whatever happens (logged and counted). */
export async function invalidate(poolIds: readonly string[], options: InvalidationOptions, requestId: string): Promise<void> {
  const { url, secret, timeoutMs, subgraph, logger, metrics } = options;
  try {
    const reply = await request(url, {
      method: 'POST',
      headers: { authorization: secret, 'content-type': 'application/json', accept: 'application/json', 'x-request-id': requestId },
      body: JSON.stringify(invalidationBody(poolIds, subgraph)),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await reply.body.dump();
    if (reply.statusCode < 200 || reply.statusCode >= 300) throw new Error(`the router answered HTTP ${reply.statusCode}`);
    metrics?.routerInvalidations.inc({ outcome: 'ok' });
  } catch (error) {
    metrics?.routerInvalidations.inc({ outcome: 'failed' });
    // The URL is configuration, not a secret; the shared key is never logged.
    logger.warn({ requestId, poolIds, url, reason: messageOf(error) }, 'router cache invalidation failed');
  }
}

/** Notes the pools each operation writes to, and invalidates them at the router before the answer goes out. */
export function invalidationPlugin(options: InvalidationOptions): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const written: Written = { pools: new Set(), any: false };
      contextValue.graph = recordingWrites(contextValue.graph, written);
      return {
        async willSendResponse() {
          if (!written.any) return;
          await invalidate([...written.pools], options, contextValue.requestId);
        },
      };
    },
  };
}
