/**
 * Graph's JSON `$batch` (POST /beta/$batch): up to 20 items, each served like a plain request,
 * answered in one 200 with a `responses` array (in reverse order by default: Graph does not
 * promise request order).
 */
import { type FaultAction, type FaultDecision, type FaultEngine } from './faults';
import { faultReply, htmlReply, malformed, recordedBody } from './replies';
import { redactActivationCodes } from './secrets';
import type { BatchOrder, RecordedRequest } from './types';
import {
  type BodyInfo,
  type GraphCall,
  type GraphReply,
  JSON_CONTENT_TYPE,
  type RequestIds,
  badRequest,
  headerValue,
  isRecord,
  newGuid,
  parseBodyText,
  parseQuery,
  safeDecode,
} from './util';

/** Graph's $batch limit. */
export const MAX_BATCH_REQUESTS = 20;

const BATCH_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export interface BatchContext {
  /** The fault engine when it decides per item (`batchItems: true`); undefined otherwise. */
  itemEngine: FaultEngine | undefined;
  order: BatchOrder;
  /** Serves one item the way a plain request is served once past faults and authentication. */
  serve(call: GraphCall): GraphReply;
  /** A timer the server cancels on close(). */
  after(ms: number, fn: () => void): void;
}

interface BatchItemResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

function batchItemResponse(id: string, reply: GraphReply, extra: Record<string, string> | undefined): BatchItemResponse {
  const headers: Record<string, string> = {};
  let body: unknown;
  let hasBody = false;
  if (reply.raw !== undefined) {
    if (reply.raw.length > 0) {
      headers['content-type'] = reply.contentType ?? JSON_CONTENT_TYPE;
      body = reply.raw;
      hasBody = true;
    }
  } else if (reply.body !== undefined) {
    headers['content-type'] = JSON_CONTENT_TYPE;
    body = reply.body;
    hasBody = true;
  }
  if (reply.headers !== undefined) Object.assign(headers, reply.headers);
  if (extra !== undefined) Object.assign(headers, extra);
  return hasBody ? { id, status: reply.status, headers, body } : { id, status: reply.status, headers };
}

interface PreparedItem {
  id: string;
  call: GraphCall;
  rec: RecordedRequest;
  urlError?: string;
}

export type BatchOutcome = { reply: GraphReply; transport?: 'hang' | 'reset' };

/**
 * Runs a `$batch` POST: validates the envelope as Graph does (the whole batch is 400 when it is
 * malformed), serves each item through `ctx.serve`, and answers the responses in `ctx.order`.
 */
export function runBatch(call: GraphCall, rec: RecordedRequest, token: string | undefined, ctx: BatchContext): BatchOutcome | Promise<BatchOutcome> {
  const ids = call.ids;
  const bad = (message: string): BatchOutcome => ({ reply: badRequest(message, ids) });
  const b = call.body;
  if (b.kind !== 'json' || !isRecord(b.value) || !Array.isArray(b.value.requests)) {
    return bad('Invalid batch payload format. The body must be a JSON object with a "requests" array.');
  }
  const list: unknown[] = b.value.requests;
  if (list.length === 0) return bad('Invalid batch payload format. The "requests" array must contain at least one request.');
  if (list.length > MAX_BATCH_REQUESTS) {
    return bad(`The number of requests in the batch (${list.length}) exceeds the limit of ${MAX_BATCH_REQUESTS}.`);
  }
  const seen = new Set<string>();
  const items: PreparedItem[] = [];
  for (let i = 0; i < list.length; i++) {
    const r = list[i];
    if (!isRecord(r)) return bad(`Invalid batch payload format. requests[${i}] must be a JSON object.`);
    const id = r.id;
    if (typeof id !== 'string' || id.length === 0) return bad(`Invalid batch payload format. requests[${i}] has no "id" (a non-empty string).`);
    if (seen.has(id)) return bad(`Invalid batch payload format. The request id '${id}' is used more than once.`);
    seen.add(id);
    const m = r.method;
    if (typeof m !== 'string' || m.length === 0) return bad(`Invalid batch payload format. Request id '${id}' has no "method".`);
    const method = m.toUpperCase();
    if (!BATCH_METHODS.has(method)) return bad(`Invalid batch payload format. Request id '${id}' has an unsupported method '${m}'.`);
    const u = r.url;
    if (typeof u !== 'string' || u.length === 0) return bad(`Invalid batch payload format. Request id '${id}' has no "url".`);
    const headers: Record<string, string> = {};
    if (r.headers !== undefined && r.headers !== null) {
      if (!isRecord(r.headers)) return bad(`Invalid batch payload format. The "headers" of request id '${id}' must be an object.`);
      for (const [k, v] of Object.entries(r.headers)) {
        if (typeof v !== 'string') return bad(`Invalid batch payload format. Header '${k}' of request id '${id}' must be a string.`);
        headers[k.toLowerCase()] = v;
      }
    }
    const rawBody: unknown = r.body;
    if (WRITE_METHODS.has(method) && (rawBody === undefined || headerValue(headers, 'content-type') === undefined)) {
      return bad(`Write request id : ${id} does not contain Content-Type header or body.`);
    }
    const body: BodyInfo =
      rawBody === undefined || rawBody === null ? { kind: 'none' } : typeof rawBody === 'string' ? parseBodyText(rawBody) : { kind: 'json', value: rawBody };

    let urlError: string | undefined;
    let rel = u;
    if (/^[a-z][a-z0-9+.-]*:/i.test(rel)) {
      urlError = `Invalid request URL '${u}': the url of a batch request must be relative to the version root, e.g. /deviceManagement/embeddedSIMActivationCodePools.`;
    }
    if (!rel.startsWith('/')) rel = '/' + rel;
    const rawPath = '/beta' + rel;
    const qi = rawPath.indexOf('?');
    const pathname = qi < 0 ? rawPath : rawPath.slice(0, qi);
    const query = qi < 0 ? {} : parseQuery(rawPath.slice(qi + 1));
    const crid = headers['client-request-id'];
    const itemIds: RequestIds = {
      requestId: newGuid(),
      clientRequestId: crid !== undefined && crid.length > 0 ? crid : ids.clientRequestId,
    };
    const itemRec: RecordedRequest = {
      method,
      rawPath,
      path: safeDecode(pathname) ?? pathname,
      query,
      headers,
      body: redactActivationCodes(recordedBody(body)),
      status: 0,
    };
    if (token !== undefined) itemRec.bearerToken = token;
    const item: PreparedItem = { id, call: { method, pathname, query, body, ids: itemIds }, rec: itemRec };
    if (urlError !== undefined) item.urlError = urlError;
    items.push(item);
  }
  rec.batchItems = items.map((it) => it.rec);

  const engine = ctx.itemEngine;
  const decisions: (FaultDecision | undefined)[] = [];
  let maxDelay = 0;
  if (engine !== undefined) {
    const now = Date.now();
    for (const it of items) {
      const d = engine.decide(it.rec.path, now);
      decisions.push(d);
      if (d !== undefined && d.latencyMs > maxDelay) maxDelay = d.latencyMs;
    }
  }

  const responses: BatchItemResponse[] = new Array<BatchItemResponse>(items.length);
  let transport: 'hang' | 'reset' | undefined;
  const runItem = (i: number): void => {
    const it = items[i];
    const d = decisions[i];
    const action: FaultAction | undefined = d?.action;
    let reply: GraphReply;
    if (action !== undefined && action.kind === 'status') reply = faultReply(action, it.call.ids);
    else if (action !== undefined && action.kind === 'html') reply = htmlReply(action.status);
    else if (it.urlError !== undefined) reply = badRequest(it.urlError, it.call.ids);
    else reply = ctx.serve(it.call);
    if (action !== undefined) {
      if (action.kind === 'malformed') reply = malformed(reply);
      else if (action.kind === 'hang') transport = 'hang';
      else if (action.kind === 'reset' && transport === undefined) transport = 'reset';
    }
    if (action === undefined || action.kind !== 'hang') it.rec.status = reply.status;
    responses[i] = batchItemResponse(it.id, reply, d?.headers);
  };
  const finish = (): BatchOutcome => {
    const ordered = ctx.order === 'reverse' ? responses.slice().reverse() : responses;
    const out: BatchOutcome = { reply: { status: 200, body: { responses: ordered } } };
    if (transport !== undefined) out.transport = transport;
    return out;
  };

  if (maxDelay === 0) {
    for (let i = 0; i < items.length; i++) runItem(i);
    return finish();
  }
  return new Promise<BatchOutcome>((resolve) => {
    let pending = items.length;
    const done = (): void => {
      if (--pending === 0) resolve(finish());
    };
    for (let i = 0; i < items.length; i++) {
      const ms = decisions[i]?.latencyMs ?? 0;
      if (ms > 0) {
        ctx.after(ms, () => {
          runItem(i);
          done();
        });
      } else {
        runItem(i);
        done();
      }
    }
  });
}
