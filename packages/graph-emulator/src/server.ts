/**
 * The Graph emulator HTTP server (node:http on loopback): lifecycle, settings, the request log and
 * the way from a received request to a written reply (faults, latency, auth, $batch, delivery).
 * The resource routes are in routes.ts, `$batch` in batch.ts, the control API in control.ts.
 *
 * Hot path (no faults, no latency): read body → route → JSON.stringify → one writeHead/end. The
 * fault engine is only consulted when a non-trivial FaultConfig is set.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { AssignReplyMode } from './assign';
import { type BatchOutcome, runBatch } from './batch';
import { type ControlTarget, controlReply } from './control';
import { EmulatorStore } from './data';
import { OPEN_ACCESS, type TargetAccess, parseTargetAccess } from './directory';
import { DEFAULT_FAULT_SEED, type FaultConfig, type FaultDecision, FaultEngine, isNoopFaultConfig, parseFaultConfig } from './faults';
import { bearerToken, copyHeaders, faultReply, htmlReply, malformed, recordedBody, unauthorized, writePartThenReset, writeReply } from './replies';
import { type QuirksConfig, ReplyQuirks, parseQuirks } from './quirks';
import { RequestLog } from './request-log';
import { redactActivationCodes } from './secrets';
import type { WriteReplyMode } from './pools';
import { WRITE_METHODS, type WriteLimit, WriteWindow, parseWriteLimit } from './write-window';
import { type GraphEnv, isBatchPath, routeGraph } from './routes';
import type { ActivationCode } from './data';
import type { BatchOrder, GraphEmulator, RecordedRequest, StartEmulatorOptions } from './types';
import {
  type GraphCall,
  type GraphReply,
  type RequestIds,
  graphError,
  newGuid,
  parseBodyText,
  parseQuery,
  safeDecode,
} from './util';

export { MAX_BATCH_REQUESTS } from './batch';

function formatHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function requestIds(clientRequestId: string | string[] | undefined): RequestIds {
  return {
    requestId: newGuid(),
    clientRequestId: typeof clientRequestId === 'string' && clientRequestId.length > 0 ? clientRequestId : newGuid(),
  };
}

class EmulatorServer implements GraphEmulator, ControlTarget {
  url = '';
  port = 0;
  private readonly server: Server;
  private readonly opts: StartEmulatorOptions;
  private readonly requireAuth: boolean;
  private readonly faultSeed: number;
  private readonly env: GraphEnv;
  private readonly log: RequestLog;
  private latencyMs = 0;
  private engine: FaultEngine | undefined;
  private faultConfig: FaultConfig | undefined;
  private batchOrder: BatchOrder = 'reverse';
  private writeWindow: WriteWindow | undefined;
  private quirks: ReplyQuirks | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closePromise: Promise<void> | undefined;

  constructor(opts: StartEmulatorOptions) {
    this.opts = opts;
    this.requireAuth = opts.requireAuth !== false;
    this.faultSeed = opts.faultSeed ?? DEFAULT_FAULT_SEED;
    this.log = new RequestLog(opts.maxRecordedRequests ?? Number.POSITIVE_INFINITY);
    this.env = { store: new EmulatorStore(opts.seed !== false, opts.extraPools ?? 0), baseUrl: '', assignReply: 'value', writeReply: 'entity', skipTokens: 'opaque', targetAccess: { ...OPEN_ACCESS } };
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
    return this.log.list;
  }

  requestCount(filter?: (r: RecordedRequest) => boolean): number {
    return this.log.count(filter);
  }

  requestsSince(since: number): RecordedRequest[] {
    return this.log.since(since);
  }

  clearRequests(): void {
    this.log.clear();
  }

  reset(): void {
    this.env.store = new EmulatorStore(this.opts.seed !== false, this.opts.extraPools ?? 0);
    this.clearRequests();
    this.applyStartSettings();
  }

  getLatency(): number {
    return this.latencyMs;
  }

  setLatency(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be a finite number >= 0, got ${String(ms)}`);
    this.latencyMs = ms;
  }

  getFaults(): FaultConfig | undefined {
    return this.faultConfig;
  }

  setFaults(cfg: FaultConfig | undefined): void {
    const parsed = parseFaultConfig(cfg);
    this.faultConfig = parsed;
    this.engine = parsed !== undefined && !isNoopFaultConfig(parsed) ? new FaultEngine(parsed, this.faultSeed) : undefined;
  }

  getAssignReply(): AssignReplyMode {
    return this.env.assignReply;
  }

  setAssignReply(mode: AssignReplyMode): void {
    if (mode !== 'value' && mode !== 'empty200' && mode !== 'noContent204') throw new RangeError(`unknown assign reply mode '${String(mode)}'`);
    this.env.assignReply = mode;
  }

  getBatchOrder(): BatchOrder {
    return this.batchOrder;
  }

  setBatchOrder(order: BatchOrder): void {
    if (order !== 'reverse' && order !== 'request') throw new RangeError(`unknown batch order '${String(order)}'`);
    this.batchOrder = order;
  }

  getWriteReply(): WriteReplyMode {
    return this.env.writeReply;
  }

  setWriteReply(mode: WriteReplyMode): void {
    if (mode !== 'entity' && mode !== 'noContent') throw new RangeError(`unknown write reply mode '${String(mode)}'`);
    this.env.writeReply = mode;
  }

  getWriteLimit(): WriteLimit | undefined {
    return this.writeWindow?.config;
  }

  setWriteLimit(limit: WriteLimit | undefined): void {
    const parsed = parseWriteLimit(limit);
    this.writeWindow = parsed === undefined ? undefined : new WriteWindow(parsed);
  }

  getQuirks(): QuirksConfig | undefined {
    return this.quirks?.config;
  }

  setQuirks(cfg: QuirksConfig | undefined): void {
    const parsed = parseQuirks(cfg);
    this.quirks = parsed === undefined ? undefined : new ReplyQuirks(parsed);
    this.env.skipTokens = this.quirks?.skipTokens ?? 'opaque';
  }

  getTargetAccess(): TargetAccess {
    return { ...this.env.targetAccess };
  }

  setTargetAccess(access: Partial<TargetAccess> | undefined): void {
    this.env.targetAccess = access === undefined ? { ...OPEN_ACCESS } : parseTargetAccess(access, this.env.targetAccess);
  }

  putGroup(id: string, displayName?: string): void {
    this.env.store.directory.putGroup(id, displayName);
  }

  deleteGroup(id: string): boolean {
    return this.env.store.directory.deleteGroup(id);
  }

  putAssignmentFilter(id: string, options: { platform?: string; displayName?: string } = {}): void {
    this.env.store.directory.putFilter(id, options.displayName, options.platform);
  }

  deleteAssignmentFilter(id: string): boolean {
    return this.env.store.directory.deleteFilter(id);
  }

  getActivationCodes(poolId: string): ActivationCode[] | undefined {
    const rec = this.env.store.get(poolId);
    return rec === undefined ? undefined : structuredClone(rec.activationCodes);
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
    this.setWriteReply(this.opts.writeReply ?? 'entity');
    this.setWriteLimit(this.opts.writeLimit);
    this.setQuirks(this.opts.quirks);
    this.setBatchOrder(this.opts.batchOrder ?? 'reverse');
    this.env.targetAccess = parseTargetAccess(this.opts.targetAccess ?? null);
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
      const method = (req.method ?? 'GET').toUpperCase();
      if (url.startsWith('/_emulator')) {
        const ids = requestIds(req.headers['client-request-id']);
        this.send(res, undefined, ids, controlReply(method, url, text, ids, this), undefined);
      } else this.handleGraph(req, res, method, url, text);
    });
    req.on('error', () => {
      /* the client went away; nothing to answer */
    });
  }

  private handleGraph(req: IncomingMessage, res: ServerResponse, method: string, url: string, text: string | undefined): void {
    const qi = url.indexOf('?');
    const pathname = qi < 0 ? url : url.slice(0, qi);
    const query = qi < 0 ? {} : parseQuery(url.slice(qi + 1));
    const body = parseBodyText(text);
    const headers = copyHeaders(req.headers);
    const authHeader = headers.authorization;
    const token = bearerToken(authHeader);
    const ids = requestIds(headers['client-request-id']);
    const path = safeDecode(pathname) ?? pathname;
    const rec: RecordedRequest = { method, rawPath: url, path, query, headers, body: redactActivationCodes(recordedBody(body)), status: 0 };
    if (token !== undefined) rec.bearerToken = token;
    this.log.record(rec);

    const call: GraphCall = { method, pathname, query, body, ids };
    const batch = isBatchPath(path);
    const engine = this.engine;
    const decision = engine !== undefined && !(batch && engine.batchItems) ? engine.decide(path, Date.now()) : undefined;
    const delay = decision === undefined ? this.latencyMs : this.latencyMs + decision.latencyMs;
    if (delay > 0) this.after(delay, () => this.process(res, rec, call, authHeader, token, batch, decision));
    else this.process(res, rec, call, authHeader, token, batch, decision);
  }

  /** One Graph call past faults and authentication: what a plain request and a $batch item share. */
  private serve(call: GraphCall): GraphReply {
    const window = this.writeWindow;
    if (window !== undefined && WRITE_METHODS.has(call.method)) {
      const wait = window.admit(Date.now());
      if (wait !== undefined) {
        const { limit, windowSeconds } = window.config;
        return graphError(
          429,
          'TooManyRequests',
          `Too many requests: the tenant's write limit (${limit} POST/PUT/PATCH/DELETE per ${windowSeconds} s) is used up. Retry after ${wait} s.`,
          call.ids,
          { 'retry-after': String(wait) },
        );
      }
    }
    const reply = routeGraph(call, this.env);
    return this.quirks === undefined ? reply : this.quirks.apply(call, reply);
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
        const out = runBatch(call, rec, token, {
          itemEngine: this.engine !== undefined && this.engine.batchItems ? this.engine : undefined,
          order: this.batchOrder,
          serve: (c) => this.serve(c),
          after: (ms, fn) => this.after(ms, fn),
        });
        if (out instanceof Promise) {
          void out.then((o) => this.finishBatch(res, rec, ids, o, decision));
        } else {
          this.finishBatch(res, rec, ids, out, decision);
        }
        return;
      }
    } else {
      reply = this.serve(call);
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

  private send(res: ServerResponse, rec: RecordedRequest | undefined, ids: RequestIds, reply: GraphReply, extra: Record<string, string> | undefined): void {
    if (res.destroyed) return;
    if (rec !== undefined) rec.status = reply.status;
    writeReply(res, ids, reply, extra);
  }

  private sendReset(res: ServerResponse, rec: RecordedRequest, ids: RequestIds, reply: GraphReply, extra: Record<string, string> | undefined): void {
    if (res.destroyed) return;
    rec.status = reply.status;
    writePartThenReset(res, ids, reply, extra, (ms, fn) => this.after(ms, fn));
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
