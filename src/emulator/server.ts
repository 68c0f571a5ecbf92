/**
 * The Graph emulator HTTP server (node:http on loopback).
 *
 * Hot path (no faults, no latency): read body → route → JSON.stringify → one writeHead/end. The
 * fault engine is only consulted when a non-trivial FaultConfig is set.
 */
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { EmulatorStore } from './data';
import {
  DEFAULT_FAULT_SEED,
  FaultAction,
  FaultConfig,
  FaultConfigError,
  FaultDecision,
  FaultEngine,
  isNoopFaultConfig,
  parseFaultConfig,
} from './faults';
import {
  AssignReplyMode,
  BodyInfo,
  GraphCall,
  GraphEnv,
  badRequest,
  isBatchPath,
  parseBodyText,
  routeGraph,
} from './graph';
import type { BatchOrder, GraphEmulator, RecordedRequest, StartEmulatorOptions } from './types';
import {
  GraphReply,
  JSON_CONTENT_TYPE,
  RequestIds,
  defaultErrorFor,
  graphError,
  headerValue,
  isRecord,
  newGuid,
  parseQuery,
  safeDecode,
} from './util';

/** Graph's $batch limit. */
export const MAX_BATCH_REQUESTS = 20;

const BATCH_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

function copyHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in h) {
    const v = h[k];
    if (v === undefined) continue;
    out[k] = typeof v === 'string' ? v : v.join(', ');
  }
  return out;
}

/** The token of `Authorization: Bearer <token>`, or undefined when absent/empty/another scheme. */
export function bearerToken(auth: string | undefined): string | undefined {
  if (auth === undefined || auth.length < 8) return undefined;
  if (auth.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const t = auth.slice(7).trim();
  return t.length > 0 ? t : undefined;
}

function recordedBody(body: BodyInfo): unknown {
  switch (body.kind) {
    case 'none':
      return undefined;
    case 'json':
      return body.value;
    default:
      return body.text;
  }
}

function unauthorized(authHeader: string | undefined, ids: RequestIds): GraphReply {
  const empty = authHeader === undefined || authHeader.trim().length === 0 || /^bearer\s*$/i.test(authHeader.trim());
  const message = empty
    ? 'Access token is empty.'
    : 'Access token validation failure. The Authorization header must use the Bearer scheme.';
  return graphError(401, 'InvalidAuthenticationToken', message, ids, { 'www-authenticate': WWW_AUTHENTICATE });
}

function faultReply(a: { status: number; retryAfter?: number }, ids: RequestIds): GraphReply {
  const [code, message] = defaultErrorFor(a.status);
  const headers = a.retryAfter !== undefined ? { 'retry-after': String(a.retryAfter) } : undefined;
  return graphError(a.status, code, message, ids, headers);
}

const HTML_TITLES: Record<number, string> = {
  500: '500 - Internal server error.',
  502: '502 - Web server received an invalid response while acting as a gateway or proxy server.',
  503: '503 - Service Unavailable',
  504: '504 - Gateway Timeout',
};

function htmlReply(status: number): GraphReply {
  const title = HTML_TITLES[status] ?? `${status} - Server Error`;
  return {
    status,
    contentType: 'text/html; charset=utf-8',
    raw:
      '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\r\n' +
      `<html xmlns="http://www.w3.org/1999/xhtml"><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/><title>${title}</title></head>` +
      `<body><div id="header"><h1>Server Error</h1></div><div id="content"><div class="content-container"><fieldset><h2>${title}</h2>` +
      '<h3>There is a problem with the resource you are looking for, and it cannot be displayed.</h3></fieldset></div></div></body></html>\r\n',
  };
}

function serialise(reply: GraphReply): string {
  if (reply.raw !== undefined) return reply.raw;
  if (reply.body !== undefined) return JSON.stringify(reply.body);
  return '';
}

/** The truncated-JSON reply of the malformedJson fault (never valid JSON). */
function malformed(reply: GraphReply): GraphReply {
  const full = serialise(reply);
  const raw = full.length >= 2 ? full.slice(0, Math.floor(full.length / 2)) : '{"value":[';
  return { status: 200, raw, contentType: JSON_CONTENT_TYPE };
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

type BatchOutcome = { reply: GraphReply; transport?: 'hang' | 'reset' };

function formatHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

class EmulatorServer implements GraphEmulator {
  url = '';
  port = 0;
  private readonly server: Server;
  private readonly opts: StartEmulatorOptions;
  private readonly requireAuth: boolean;
  private readonly faultSeed: number;
  private readonly maxRecorded: number;
  private readonly trimChunk: number;
  private readonly env: GraphEnv;
  private log: RecordedRequest[] = [];
  private dropped = 0;
  private latencyMs = 0;
  private engine: FaultEngine | undefined;
  private faultConfig: FaultConfig | undefined;
  private batchOrder: BatchOrder = 'reverse';
  private readonly timers = new Set<NodeJS.Timeout>();
  private closePromise: Promise<void> | undefined;

  constructor(opts: StartEmulatorOptions) {
    this.opts = opts;
    this.requireAuth = opts.requireAuth !== false;
    this.faultSeed = opts.faultSeed ?? DEFAULT_FAULT_SEED;
    this.maxRecorded = opts.maxRecordedRequests ?? Number.POSITIVE_INFINITY;
    this.trimChunk = Number.isFinite(this.maxRecorded) ? Math.max(1, Math.floor(this.maxRecorded / 10)) : 0;
    this.env = { store: new EmulatorStore(opts.seed !== false, opts.extraPools ?? 0), baseUrl: '', assignReply: 'value' };
    this.applyStartSettings();
    const handler = (req: IncomingMessage, res: ServerResponse): void => this.onRequest(req, res);
    this.server = opts.tls
      ? createHttpsServer({ noDelay: true, cert: opts.tls.cert, key: opts.tls.key }, handler)
      : createServer({ noDelay: true }, handler);
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const addr: AddressInfo | string | null = this.server.address();
        if (addr === null || typeof addr === 'string') {
          reject(new Error(`unexpected server address ${String(addr)}`));
          return;
        }
        this.port = addr.port;
        this.url = `${this.opts.tls ? 'https' : 'http'}://${formatHost(host)}:${addr.port}`;
        this.env.baseUrl = this.url;
        resolve();
      });
    });
  }

  // ------------------------------------------------------------------ public API

  get requests(): RecordedRequest[] {
    return this.log;
  }

  requestCount(filter?: (r: RecordedRequest) => boolean): number {
    if (filter === undefined) return this.dropped + this.log.length;
    let n = 0;
    for (const r of this.log) if (filter(r)) n++;
    return n;
  }

  clearRequests(): void {
    this.log = [];
    this.dropped = 0;
  }

  reset(): void {
    this.env.store = new EmulatorStore(this.opts.seed !== false, this.opts.extraPools ?? 0);
    this.clearRequests();
    this.applyStartSettings();
  }

  setLatency(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be a finite number >= 0, got ${String(ms)}`);
    this.latencyMs = ms;
  }

  setFaults(cfg: FaultConfig | undefined): void {
    const parsed = parseFaultConfig(cfg);
    this.faultConfig = parsed;
    this.engine = parsed !== undefined && !isNoopFaultConfig(parsed) ? new FaultEngine(parsed, this.faultSeed) : undefined;
  }

  setAssignReply(mode: AssignReplyMode): void {
    if (mode !== 'value' && mode !== 'empty200' && mode !== 'noContent204') throw new RangeError(`unknown assign reply mode '${String(mode)}'`);
    this.env.assignReply = mode;
  }

  setBatchOrder(order: BatchOrder): void {
    if (order !== 'reverse' && order !== 'request') throw new RangeError(`unknown batch order '${String(order)}'`);
    this.batchOrder = order;
  }

  setRawAssignments(poolId: string, assignments: unknown[]): void {
    const rec = this.env.store.get(poolId);
    if (rec === undefined) throw new Error(`Graph emulator: no pool with id '${poolId}'`);
    if (!Array.isArray(assignments)) throw new TypeError('assignments must be an array');
    rec.assignments = structuredClone(assignments);
  }

  getAssignments(poolId: string): unknown[] | undefined {
    const rec = this.env.store.get(poolId);
    return rec === undefined ? undefined : structuredClone(rec.assignments);
  }

  close(): Promise<void> {
    if (this.closePromise !== undefined) return this.closePromise;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.closePromise = new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closePromise;
  }

  // ------------------------------------------------------------------ internals

  private applyStartSettings(): void {
    this.setLatency(this.opts.latencyMs ?? 0);
    this.setFaults(this.opts.faults);
    this.env.assignReply = 'value';
    this.setBatchOrder(this.opts.batchOrder ?? 'reverse');
  }

  private record(rec: RecordedRequest): void {
    this.log.push(rec);
    if (this.log.length > this.maxRecorded + this.trimChunk) {
      const drop = this.log.length - this.maxRecorded;
      this.log.splice(0, drop);
      this.dropped += drop;
    }
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    let chunks: Buffer[] | undefined;
    req.on('data', (c: Buffer) => {
      if (chunks === undefined) chunks = [c];
      else chunks.push(c);
    });
    req.on('end', () => {
      const text =
        chunks === undefined ? undefined : (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8');
      if (url.startsWith('/_emulator')) this.handleControl(req, res, url, text);
      else this.handleGraph(req, res, url, text);
    });
    req.on('error', () => {
      /* the client went away; nothing to answer */
    });
  }

  private handleGraph(req: IncomingMessage, res: ServerResponse, url: string, text: string | undefined): void {
    const method = (req.method ?? 'GET').toUpperCase();
    const qi = url.indexOf('?');
    const pathname = qi < 0 ? url : url.slice(0, qi);
    const query = qi < 0 ? {} : parseQuery(url.slice(qi + 1));
    const body = parseBodyText(text);
    const headers = copyHeaders(req.headers);
    const authHeader = headers.authorization;
    const token = bearerToken(authHeader);
    const crid = headers['client-request-id'];
    const ids: RequestIds = {
      requestId: newGuid(),
      clientRequestId: crid !== undefined && crid.length > 0 ? crid : newGuid(),
    };
    const path = safeDecode(pathname) ?? pathname;
    const rec: RecordedRequest = { method, rawPath: url, path, query, headers, body: recordedBody(body), status: 0 };
    if (token !== undefined) rec.bearerToken = token;
    this.record(rec);

    const call: GraphCall = { method, pathname, query, body, ids };
    const batch = isBatchPath(path);
    const engine = this.engine;
    const decision = engine !== undefined && !(batch && engine.batchItems) ? engine.decide(path, Date.now()) : undefined;
    const delay = decision === undefined ? this.latencyMs : this.latencyMs + decision.latencyMs;
    if (delay > 0) this.after(delay, () => this.process(res, rec, call, authHeader, token, batch, decision));
    else this.process(res, rec, call, authHeader, token, batch, decision);
  }

  private process(
    res: ServerResponse,
    rec: RecordedRequest,
    call: GraphCall,
    authHeader: string | undefined,
    token: string | undefined,
    batch: boolean,
    decision: FaultDecision | undefined,
  ): void {
    if (res.destroyed) return;
    const ids = call.ids;
    if (decision !== undefined) {
      const a = decision.action;
      if (a.kind === 'hang') return; // never answer
      if (a.kind === 'status') return this.send(res, rec, ids, faultReply(a, ids), decision.headers);
      if (a.kind === 'html') return this.send(res, rec, ids, htmlReply(a.status), decision.headers);
    }
    let reply: GraphReply;
    if (this.requireAuth && token === undefined) {
      reply = unauthorized(authHeader, ids);
    } else if (batch) {
      if (call.method !== 'POST') {
        reply = graphError(405, 'MethodNotAllowed', `The HTTP method '${call.method}' is not allowed for $batch. Allowed: POST.`, ids, { allow: 'POST' });
      } else {
        const out = this.runBatch(call, rec, token);
        if (out instanceof Promise) {
          void out.then((o) => this.finishBatch(res, rec, ids, o, decision));
        } else {
          this.finishBatch(res, rec, ids, out, decision);
        }
        return;
      }
    } else {
      reply = routeGraph(call, this.env);
    }
    this.deliver(res, rec, ids, reply, decision);
  }

  private finishBatch(res: ServerResponse, rec: RecordedRequest, ids: RequestIds, o: BatchOutcome, decision: FaultDecision | undefined): void {
    if (res.destroyed || o.transport === 'hang') return;
    if (o.transport === 'reset') return this.sendReset(res, rec, ids, o.reply, decision?.headers);
    this.deliver(res, rec, ids, o.reply, decision);
  }

  private deliver(res: ServerResponse, rec: RecordedRequest, ids: RequestIds, reply: GraphReply, decision: FaultDecision | undefined): void {
    if (decision === undefined) return this.send(res, rec, ids, reply, undefined);
    const kind = decision.action.kind;
    if (kind === 'reset') return this.sendReset(res, rec, ids, reply, decision.headers);
    if (kind === 'malformed') return this.send(res, rec, ids, malformed(reply), decision.headers);
    this.send(res, rec, ids, reply, decision.headers);
  }

  private render(
    ids: RequestIds,
    reply: GraphReply,
    extra: Record<string, string> | undefined,
  ): { headers: Record<string, string | number>; payload: string | undefined } {
    const headers: Record<string, string | number> = {
      'request-id': ids.requestId,
      'client-request-id': ids.clientRequestId,
    };
    let payload: string | undefined;
    if (reply.raw !== undefined) {
      payload = reply.raw;
      headers['content-type'] = reply.contentType ?? JSON_CONTENT_TYPE;
    } else if (reply.body !== undefined) {
      payload = JSON.stringify(reply.body);
      headers['content-type'] = JSON_CONTENT_TYPE;
      headers['odata-version'] = '4.0';
    }
    if (payload !== undefined) headers['content-length'] = Buffer.byteLength(payload);
    else if (reply.status !== 204 && reply.status !== 304) headers['content-length'] = 0;
    if (reply.headers !== undefined) Object.assign(headers, reply.headers);
    if (extra !== undefined) Object.assign(headers, extra);
    return { headers, payload };
  }

  private send(res: ServerResponse, rec: RecordedRequest | undefined, ids: RequestIds, reply: GraphReply, extra: Record<string, string> | undefined): void {
    if (res.destroyed) return;
    const { headers, payload } = this.render(ids, reply, extra);
    if (rec !== undefined) rec.status = reply.status;
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  /** Writes the headers and about half of the body, then resets the TCP connection. */
  private sendReset(res: ServerResponse, rec: RecordedRequest, ids: RequestIds, reply: GraphReply, extra: Record<string, string> | undefined): void {
    if (res.destroyed) return;
    const { headers, payload } = this.render(ids, reply, extra);
    rec.status = reply.status;
    res.writeHead(reply.status, headers);
    const kill = (): void => {
      const s = res.socket;
      if (s === null || s.destroyed) return;
      if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
      else s.destroy();
    };
    const part = payload !== undefined && payload.length > 1 ? payload.slice(0, Math.floor(payload.length / 2)) : undefined;
    // Give the client a moment to read the partial reply before the RST arrives.
    const later = (): void => this.after(15, kill);
    if (part !== undefined) res.write(part, later);
    else {
      res.flushHeaders();
      later();
    }
  }

  // ------------------------------------------------------------------ $batch

  private runBatch(call: GraphCall, rec: RecordedRequest, token: string | undefined): BatchOutcome | Promise<BatchOutcome> {
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
        body: recordedBody(body),
        status: 0,
      };
      if (token !== undefined) itemRec.bearerToken = token;
      const item: PreparedItem = { id, call: { method, pathname, query, body, ids: itemIds }, rec: itemRec };
      if (urlError !== undefined) item.urlError = urlError;
      items.push(item);
    }
    rec.batchItems = items.map((it) => it.rec);

    const engine = this.engine !== undefined && this.engine.batchItems ? this.engine : undefined;
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
      else reply = routeGraph(it.call, this.env);
      if (action !== undefined) {
        if (action.kind === 'malformed') reply = malformed(reply);
        else if (action.kind === 'hang') transport = 'hang';
        else if (action.kind === 'reset' && transport === undefined) transport = 'reset';
      }
      if (action === undefined || action.kind !== 'hang') it.rec.status = reply.status;
      responses[i] = batchItemResponse(it.id, reply, d?.headers);
    };
    const finish = (): BatchOutcome => {
      const ordered = this.batchOrder === 'reverse' ? responses.slice().reverse() : responses;
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
          this.after(ms, () => {
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

  // ------------------------------------------------------------------ control endpoints (/_emulator/*)

  private handleControl(req: IncomingMessage, res: ServerResponse, url: string, text: string | undefined): void {
    const method = (req.method ?? 'GET').toUpperCase();
    const qi = url.indexOf('?');
    const path = qi < 0 ? url : url.slice(0, qi);
    const query = qi < 0 ? {} : parseQuery(url.slice(qi + 1));
    const crid = req.headers['client-request-id'];
    const ids: RequestIds = { requestId: newGuid(), clientRequestId: typeof crid === 'string' && crid.length > 0 ? crid : newGuid() };
    let reply: GraphReply;
    try {
      reply = this.control(method, path.endsWith('/') && path.length > 1 ? path.slice(0, -1) : path, query, parseBodyText(text), ids);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      reply = graphError(err instanceof FaultConfigError || err instanceof RangeError ? 400 : 500, 'BadRequest', message, ids);
    }
    this.send(res, undefined, ids, reply, undefined);
  }

  private control(method: string, path: string, query: Record<string, string>, body: BodyInfo, ids: RequestIds): GraphReply {
    const ok = (value: unknown): GraphReply => ({ status: 200, body: value });
    const notAllowed = (allow: string): GraphReply =>
      graphError(405, 'MethodNotAllowed', `The HTTP method '${method}' is not allowed on ${path}. Allowed: ${allow}.`, ids, { allow });
    const jsonBody = (): unknown => {
      if (body.kind === 'invalid') throw new RangeError('The request body is not valid JSON.');
      return body.kind === 'json' ? body.value : undefined;
    };
    switch (path) {
      case '/_emulator/health':
        if (method !== 'GET') return notAllowed('GET');
        return ok({ status: 'ok', url: this.url, requests: this.requestCount() });
      case '/_emulator/requests': {
        if (method === 'DELETE') {
          this.clearRequests();
          return ok({ ok: true });
        }
        if (method !== 'GET') return notAllowed('GET, DELETE');
        const sinceText = query.since;
        let since = 0;
        if (sinceText !== undefined) {
          if (!/^[0-9]{1,15}$/.test(sinceText)) throw new RangeError(`'since' must be a non-negative integer, got '${sinceText}'.`);
          since = Number(sinceText);
        }
        return ok(this.log.slice(Math.max(0, since - this.dropped)));
      }
      case '/_emulator/count':
        if (method !== 'GET') return notAllowed('GET');
        return ok({ count: this.requestCount() });
      case '/_emulator/reset':
        if (method !== 'POST') return notAllowed('POST');
        this.reset();
        return ok({ ok: true });
      case '/_emulator/faults':
        if (method === 'GET') return ok({ faults: this.faultConfig ?? null });
        if (method !== 'PUT' && method !== 'POST') return notAllowed('GET, PUT');
        this.setFaults(parseFaultConfig(jsonBody()));
        return ok({ faults: this.faultConfig ?? null });
      case '/_emulator/latency': {
        if (method === 'GET') return ok({ ms: this.latencyMs });
        if (method !== 'PUT' && method !== 'POST') return notAllowed('GET, PUT');
        const v = jsonBody();
        if (!isRecord(v) || typeof v.ms !== 'number') throw new RangeError('Expected {"ms": <number >= 0>}.');
        this.setLatency(v.ms);
        return ok({ ms: this.latencyMs });
      }
      case '/_emulator/assign-reply': {
        if (method === 'GET') return ok({ mode: this.env.assignReply });
        if (method !== 'PUT' && method !== 'POST') return notAllowed('GET, PUT');
        const v = jsonBody();
        if (!isRecord(v) || (v.mode !== 'value' && v.mode !== 'empty200' && v.mode !== 'noContent204')) {
          throw new RangeError('Expected {"mode": "value" | "empty200" | "noContent204"}.');
        }
        this.setAssignReply(v.mode);
        return ok({ mode: this.env.assignReply });
      }
      case '/_emulator/batch-order': {
        if (method === 'GET') return ok({ order: this.batchOrder });
        if (method !== 'PUT' && method !== 'POST') return notAllowed('GET, PUT');
        const v = jsonBody();
        if (!isRecord(v) || (v.order !== 'reverse' && v.order !== 'request')) throw new RangeError('Expected {"order": "reverse" | "request"}.');
        this.setBatchOrder(v.order);
        return ok({ order: this.batchOrder });
      }
      default:
        return graphError(404, 'UnknownError', `Unknown emulator control endpoint '${path}'.`, ids);
    }
  }
}

function checkOptions(opts: StartEmulatorOptions): void {
  const p = opts.port;
  if (p !== undefined && (!Number.isInteger(p) || p < 0 || p > 65535)) throw new RangeError(`port must be an integer 0..65535, got ${String(p)}`);
  const l = opts.latencyMs;
  if (l !== undefined && (!Number.isFinite(l) || l < 0)) throw new RangeError(`latencyMs must be a finite number >= 0, got ${String(l)}`);
  const m = opts.maxRecordedRequests;
  if (m !== undefined && !(m === Number.POSITIVE_INFINITY || (Number.isInteger(m) && m >= 1))) {
    throw new RangeError(`maxRecordedRequests must be a positive integer, got ${String(m)}`);
  }
  const s = opts.faultSeed;
  if (s !== undefined && !Number.isInteger(s)) throw new RangeError(`faultSeed must be an integer, got ${String(s)}`);
}

/** Starts a Graph emulator on loopback (random port by default). */
export async function startGraphEmulator(opts: StartEmulatorOptions = {}): Promise<GraphEmulator> {
  checkOptions(opts);
  const emu = new EmulatorServer(opts); // validates opts.faults (throws FaultConfigError)
  await emu.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  return emu;
}
