/** Graph JSON batching for reads: ≤ 20 GETs per `POST /$batch`, items answered 429/503/504 retried (retryPolicy.ts's rules). */
import { setTimeout as sleep } from 'node:timers/promises';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import type { BatchItemResult, CallOptions } from './api';
import { abortedError, GraphError, graphErrorFromReply, toGraphError } from './errors';
import { isRecord, tryParseJson } from './json';
import { invalidResponse, type Reply } from './odata';
import { isSuccess, type GraphReply, type RequestSpec } from './pipeline/request';
import type { PipelineParts } from './pipeline/pipeline';
import { decideRetry } from './pipeline/policies/retryPolicy';

/** Graph's limit of requests in one JSON batch. */
export const GRAPH_BATCH_LIMIT = 20;

/** The retry rules, the deadline (of all rounds of a batched read together), and one call through the pipeline. */
export interface BatchContext extends Pick<PipelineParts, 'retry' | 'timeoutMs'> {
  /** A 2xx reply, or a GraphError. */
  send: (spec: RequestSpec, options?: CallOptions) => Promise<GraphReply>;
}

/** GETs through `$batch` in key order, ≤ 20 per request: a key whose path is a GraphError is never sent; 404 is null. */
export async function batchRead<K, T>(
  context: BatchContext,
  keys: readonly K[],
  pathOf: (key: K, index: number) => string | GraphError,
  pathTemplate: string,
  parse: (reply: Reply, key: K) => T,
  options?: CallOptions,
): Promise<BatchItemResult<T>[]> {
  const paths = keys.map(pathOf);
  const results: BatchItemResult<T>[] = paths.map((path) => (typeof path === 'string' ? null : path));
  const sent = paths.flatMap((path, index) => (typeof path === 'string' ? [{ index, path }] : []));
  const chunks: BatchRequest[][] = [];
  for (let i = 0; i < sent.length; i += GRAPH_BATCH_LIMIT) chunks.push(sent.slice(i, i + GRAPH_BATCH_LIMIT));
  const deadline = Date.now() + context.timeoutMs;
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending = chunk;
      for (let round = 0; pending.length > 0; round++) {
        let items: Map<string, GraphReply>;
        try {
          items = await sendBatch(context, pending, pathTemplate, options);
        } catch (error) {
          for (const { index } of pending) results[index] = toGraphError(error);
          return;
        }
        const again: BatchRequest[] = [];
        let waitMs = 0;
        for (const request of pending) {
          const { index } = request;
          const item = items.get(String(index));
          if (item === undefined) {
            results[index] = new GraphError('Microsoft Graph left an item out of a batch reply.', { kind: 'invalid-response' });
            continue;
          }
          const verdict = isSuccess(item.status) ? undefined : decideRetry(context.retry, { retryCount: round, status: item.status, headers: item.headers }, deadline);
          if (verdict?.retry) {
            again.push(request);
            waitMs = Math.max(waitMs, verdict.waitMs);
          } else {
            results[index] = itemResult(item, verdict?.retryAfterSeconds, parse, keys[index]);
          }
        }
        if (again.length === 0) return;
        try {
          await sleep(waitMs, undefined, { signal: options?.signal });
        } catch (error) {
          throw options?.signal?.aborted ? abortedError({ cause: error }) : error;
        }
        pending = again;
      }
    }),
  );
  return results;
}

/** A key's GET in a batch: its index among the keys (its id in the batch) and its path. */
interface BatchRequest {
  index: number;
  path: string;
}

async function sendBatch(
  context: BatchContext,
  requests: BatchRequest[],
  pathTemplate: string,
  options?: CallOptions,
): Promise<Map<string, GraphReply>> {
  const body = JSON.stringify({ requests: requests.map(({ index, path }) => ({ id: String(index), method: 'GET', url: path })) });
  const reply = await context.send(
    // GETs only: one read slot per item, no write (the envelope is a POST, but Graph counts the items).
    { method: 'POST', path: '/$batch', pathTemplate: `/$batch(${pathTemplate})`, body, cost: { writes: 0, reads: requests.length } },
    options,
  );
  const parsed = tryParseJson(reply.text);
  const responses = isRecord(parsed) && Array.isArray(parsed.responses) ? parsed.responses : undefined;
  if (!responses) throw invalidResponse(reply, 'a $batch reply without `responses`');
  const byId = new Map<string, GraphReply>();
  for (const item of responses) {
    if (!isRecord(item) || typeof item.id !== 'string' || typeof item.status !== 'number') {
      throw invalidResponse(reply, 'a malformed $batch item');
    }
    const headers = createHttpHeaders(isRecord(item.headers) ? stringEntries(item.headers) : {});
    const itemBody: unknown = item.body === null ? undefined : item.body;
    byId.set(item.id, {
      status: item.status,
      headers,
      json: itemBody,
      // Only error replies need the text (graphErrorFromReply); successful items are read from `json`.
      get text() {
        return itemBody === undefined ? '' : JSON.stringify(itemBody);
      },
      requestId: headers.get('request-id') ?? reply.requestId,
    });
  }
  return byId;
}

/** A batch item's string headers (HttpHeaders' names are case-insensitive: Graph writes e.g. Retry-After). */
function stringEntries(record: Record<string, unknown>): Record<string, string> {
  const strings = Object.entries(record).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return Object.fromEntries(strings);
}

/** A batch item as the operation's result: its error (`retryAfterSeconds`: when its retries ran out), null for 404, or its value. */
function itemResult<K, T>(reply: GraphReply, retryAfterSeconds: number | undefined, parse: (reply: Reply, key: K) => T, key: K): BatchItemResult<T> {
  if (reply.status === 404) return null;
  if (!isSuccess(reply.status)) return graphErrorFromReply(reply.status, reply.text, { requestId: reply.requestId, retryAfterSeconds });
  try {
    return parse(reply, key);
  } catch (error) {
    return toGraphError(error);
  }
}
