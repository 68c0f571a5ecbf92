/** Graph JSON batching for reads: ≤ 20 GETs per `POST /$batch`, items answered 429/503/504 retried (retryRules). */
import { setTimeout as sleep } from 'node:timers/promises';
import { createHttpHeaders, type HttpHeaders } from '@azure/core-rest-pipeline';
import type { BatchItemResult, CallOptions } from './api';
import { abortedError, GraphError, graphErrorFromReply, isGraphError, toGraphError } from './errors';
import { isRecord, tryParseJson } from './json';
import { invalidResponse, type Reply } from './odata';
import { isSuccess, type GraphReply, type RequestSpec } from './pipeline/request';
import { decideRetry, type RetryRules } from './pipeline/retryRules';

/** Graph's limit of requests in one JSON batch. */
export const GRAPH_BATCH_LIMIT = 20;

export interface BatchContext {
  /** One call through the pipeline: a 2xx reply, or a GraphError. */
  send: (spec: RequestSpec, options?: CallOptions) => Promise<GraphReply>;
  retry: RetryRules;
  /** The deadline of all rounds of a batched read together. */
  timeoutMs: number;
}

/** One item of a $batch reply; `retryAfterSeconds`: when the retries of a throttled item ran out, when to try again. */
type BatchReply = GraphReply & { retryAfterSeconds?: number };

/** GETs through `$batch` in key order: a key whose path is a GraphError is never sent; 404 is null. */
export async function batchRead<K, T>(
  context: BatchContext,
  keys: readonly K[],
  pathOf: (key: K, index: number) => string | GraphError,
  pathTemplate: string,
  parse: (reply: Reply, key: K) => T,
  options?: CallOptions,
): Promise<BatchItemResult<T>[]> {
  const results: BatchItemResult<T>[] = [];
  const sent: { index: number; path: string }[] = [];
  keys.forEach((key, index) => {
    const path = pathOf(key, index);
    if (typeof path === 'string') sent.push({ index, path });
    results.push(typeof path === 'string' ? null : path);
  });
  if (sent.length === 0) return results;
  const replies = await batchGet(context, sent.map(({ path }) => path), pathTemplate, options);
  replies.forEach((reply, k) => {
    const { index } = sent[k];
    results[index] = mapBatchItem(reply, (r) => parse(r, keys[index]));
  });
  return results;
}

/** GETs many paths through `$batch`; one reply or GraphError per path, in order. */
export async function batchGet(
  context: BatchContext,
  paths: readonly string[],
  pathTemplate: string,
  options?: CallOptions,
): Promise<(BatchReply | GraphError)[]> {
  const results = new Array<BatchReply | GraphError | undefined>(paths.length);
  const chunks: number[][] = [];
  for (let i = 0; i < paths.length; i += GRAPH_BATCH_LIMIT) {
    chunks.push(Array.from({ length: Math.min(GRAPH_BATCH_LIMIT, paths.length - i) }, (_, k) => i + k));
  }
  const deadline = Date.now() + context.timeoutMs;
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending = chunk;
      for (let round = 0; pending.length > 0; round++) {
        let items: Map<string, BatchReply>;
        try {
          items = await sendBatch(context, pending, paths, pathTemplate, options);
        } catch (error) {
          for (const index of pending) results[index] = toGraphError(error);
          return;
        }
        const again: number[] = [];
        let waitMs = 0;
        for (const index of pending) {
          const item = items.get(String(index));
          if (!item) {
            results[index] = new GraphError('Microsoft Graph left an item out of a batch reply.', { kind: 'invalid-response' });
            continue;
          }
          results[index] = item;
          if (isSuccess(item.status)) continue;
          const verdict = decideRetry(context.retry, { retryCount: round, status: item.status, headers: item.headers }, deadline);
          if (verdict.retry) {
            again.push(index);
            waitMs = Math.max(waitMs, verdict.waitMs);
          } else {
            item.retryAfterSeconds = verdict.retryAfterSeconds;
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
  return results.map((r) => r ?? new GraphError('Batch item was not answered.', { kind: 'invalid-response' }));
}

async function sendBatch(
  context: BatchContext,
  indexes: number[],
  paths: readonly string[],
  pathTemplate: string,
  options?: CallOptions,
): Promise<Map<string, BatchReply>> {
  const body = JSON.stringify({ requests: indexes.map((index) => ({ id: String(index), method: 'GET', url: paths[index] })) });
  const reply = await context.send(
    // GETs only: one read slot per item, no write (the envelope is a POST, but Graph counts the items).
    { method: 'POST', path: '/$batch', pathTemplate: `/$batch(${pathTemplate})`, body, cost: { writes: 0, reads: indexes.length } },
    options,
  );
  const parsed = tryParseJson(reply.text);
  const responses = isRecord(parsed) && Array.isArray(parsed.responses) ? parsed.responses : undefined;
  if (!responses) throw invalidResponse(reply, 'a $batch reply without `responses`');
  const byId = new Map<string, BatchReply>();
  for (const item of responses) {
    if (!isRecord(item) || typeof item.id !== 'string' || typeof item.status !== 'number') {
      throw invalidResponse(reply, 'a malformed $batch item');
    }
    const headers = itemHeaders(item.headers);
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

/** A batch item's string headers (names case-insensitive: Graph writes them in canonical case, e.g. Retry-After). */
function itemHeaders(value: unknown): HttpHeaders {
  const headers = createHttpHeaders();
  if (isRecord(value)) {
    for (const [name, v] of Object.entries(value)) if (typeof v === 'string') headers.set(name, v);
  }
  return headers;
}

/** A batch item as the operation's result: its error, null for 404, or the parsed value. */
export function mapBatchItem<T>(reply: BatchReply | GraphError, parse: (reply: Reply) => T): BatchItemResult<T> {
  if (isGraphError(reply)) return reply;
  if (reply.status === 404) return null;
  if (!isSuccess(reply.status)) {
    return graphErrorFromReply(reply.status, reply.text, { requestId: reply.requestId, retryAfterSeconds: reply.retryAfterSeconds });
  }
  try {
    return parse(reply);
  } catch (error) {
    return toGraphError(error);
  }
}
