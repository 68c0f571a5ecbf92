/**
 * Odd data on demand ("quirks"): Graph's data as it really comes, not as the CSDL promises it.
 * Tests make the emulator serve, for one method + path, a reply whose JSON is changed: a property
 * set to an odd value (a null groupId, an enum member this version does not know, an id that is
 * not the one asked for, `..` as an id, a non-integer count, a bad date), a property removed,
 * `@odata.type` without its `#`, or a whole scripted reply. And Intune-style skiptokens (text with
 * spaces and quotes) instead of the opaque default.
 *
 * Rules change what is served, never the stored data; they apply to plain requests and to $batch
 * items alike (after the route answered, before faults that corrupt the transport).
 */
import type { SkipTokenStyle } from './paging';
import { splitPath } from './routes';
import { type GraphCall, type GraphReply, graphError, isRecord } from './util';

export interface ReplyRule {
  /** Upper-case HTTP method, or '*' for any. Default 'GET'. */
  method?: string;
  /**
   * Decoded path under `/beta` (the prefix is optional), matched per segment, case-insensitively,
   * ignoring the query and a trailing slash; a `*` segment matches any one segment (so a `*` in
   * place of the pool id matches that route for every pool). The `$batch` envelope is never
   * matched; its items are, by their own method and url.
   */
  path: string;
  /** Apply to the first N matching replies only (default: every one). */
  times?: number;
  /** JSON Pointer (RFC 6901) → value, set in the served JSON body (2xx JSON replies only). */
  set?: Record<string, unknown>;
  /** JSON Pointers removed from the served body (2xx JSON replies only). */
  remove?: string[];
  /** Drop the leading `#` of every `@odata.type` in the served body (2xx JSON replies only). */
  stripTypeHash?: boolean;
  /** Answer this instead of what the route answered (any status; body: JSON, absent → none). */
  reply?: { status: number; body?: unknown; headers?: Record<string, string> };
}

export interface QuirksConfig {
  replies?: ReplyRule[];
  /** 'opaque' (default) or 'quoted' (Intune-style text with spaces and quotes, percent-encoded). */
  skipTokens?: SkipTokenStyle;
}

function fail(message: string): never {
  throw new RangeError(message);
}

function checkPointer(p: unknown, where: string): string {
  if (typeof p !== 'string' || (p.length > 0 && !p.startsWith('/'))) fail(`${where} must be a JSON Pointer ('' or starting with '/'), got ${JSON.stringify(p)}`);
  return p;
}

function parseRule(r: unknown, where: string): ReplyRule {
  if (!isRecord(r)) fail(`${where} must be an object`);
  const allowed = ['method', 'path', 'times', 'set', 'remove', 'stripTypeHash', 'reply'];
  for (const k of Object.keys(r)) if (!allowed.includes(k)) fail(`${where}: unknown property '${k}' (allowed: ${allowed.join(', ')})`);
  if (typeof r.path !== 'string' || !r.path.startsWith('/')) fail(`${where}.path must be a path starting with '/'`);
  const rule: ReplyRule = { path: r.path };
  if (r.method !== undefined) {
    if (typeof r.method !== 'string' || !/^([A-Za-z]+|\*)$/.test(r.method)) fail(`${where}.method must be an HTTP method or '*'`);
    rule.method = r.method.toUpperCase();
  }
  if (r.times !== undefined) {
    if (typeof r.times !== 'number' || !Number.isInteger(r.times) || r.times < 1) fail(`${where}.times must be a positive integer`);
    rule.times = r.times;
  }
  if (r.set !== undefined) {
    if (!isRecord(r.set)) fail(`${where}.set must be an object of JSON Pointer → value`);
    for (const p of Object.keys(r.set)) {
      checkPointer(p, `${where}.set key`);
      if (p === '') fail(`${where}.set cannot replace the whole body (use "reply")`);
    }
    rule.set = r.set;
  }
  if (r.remove !== undefined) {
    if (!Array.isArray(r.remove)) fail(`${where}.remove must be an array of JSON Pointers`);
    rule.remove = r.remove.map((p: unknown, i) => {
      const ptr = checkPointer(p, `${where}.remove[${i}]`);
      if (ptr === '') fail(`${where}.remove[${i}] cannot remove the whole body`);
      return ptr;
    });
  }
  if (r.stripTypeHash !== undefined) {
    if (typeof r.stripTypeHash !== 'boolean') fail(`${where}.stripTypeHash must be a boolean`);
    rule.stripTypeHash = r.stripTypeHash;
  }
  if (r.reply !== undefined) {
    const rp = r.reply;
    if (!isRecord(rp)) fail(`${where}.reply must be {"status": n, "body"?: json, "headers"?: {…}}`);
    for (const k of Object.keys(rp)) if (!['status', 'body', 'headers'].includes(k)) fail(`${where}.reply: unknown property '${k}'`);
    if (typeof rp.status !== 'number' || !Number.isInteger(rp.status) || rp.status < 200 || rp.status > 599) fail(`${where}.reply.status must be an integer 200..599`);
    const reply: NonNullable<ReplyRule['reply']> = { status: rp.status };
    if (rp.body !== undefined) reply.body = rp.body;
    if (rp.headers !== undefined) {
      if (!isRecord(rp.headers)) fail(`${where}.reply.headers must be an object of strings`);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(rp.headers)) {
        if (typeof v !== 'string') fail(`${where}.reply.headers.${k} must be a string`);
        headers[k.toLowerCase()] = v;
      }
      reply.headers = headers;
    }
    rule.reply = reply;
  }
  if (rule.reply === undefined && rule.set === undefined && rule.remove === undefined && rule.stripTypeHash !== true) {
    fail(`${where} changes nothing: give "set", "remove", "stripTypeHash" or "reply"`);
  }
  return rule;
}

/** Validates an untrusted quirks configuration (`null`/`undefined` → none). Throws RangeError naming the property. */
export function parseQuirks(input: unknown, where = 'quirks'): QuirksConfig | undefined {
  if (input === null || input === undefined) return undefined;
  if (!isRecord(input)) fail(`${where} must be a JSON object or null`);
  for (const k of Object.keys(input)) if (k !== 'replies' && k !== 'skipTokens') fail(`${where}: unknown property '${k}' (allowed: replies, skipTokens)`);
  const out: QuirksConfig = {};
  if (input.replies !== undefined) {
    if (!Array.isArray(input.replies)) fail(`${where}.replies must be an array of rules`);
    out.replies = input.replies.map((r: unknown, i) => parseRule(r, `${where}.replies[${i}]`));
  }
  if (input.skipTokens !== undefined) {
    if (input.skipTokens !== 'opaque' && input.skipTokens !== 'quoted') fail(`${where}.skipTokens must be 'opaque' or 'quoted'`);
    out.skipTokens = input.skipTokens;
  }
  return out;
}

function segmentsOf(path: string): string[] {
  const parsed = splitPath(path);
  const segs = parsed.ok ? parsed.segments.map((s) => s.toLowerCase()) : [];
  return segs[0] === 'beta' ? segs.slice(1) : segs;
}

function tokens(pointer: string): string[] {
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The container that holds the pointer's last token, and that token; undefined when a step is missing. */
function parentOf(root: unknown, pointer: string): { parent: Record<string, unknown> | unknown[]; key: string } | undefined {
  const path = tokens(pointer);
  let node: unknown = root;
  for (let i = 0; i < path.length - 1; i++) {
    if (Array.isArray(node)) node = /^(0|[1-9][0-9]*)$/.test(path[i]) ? node[Number(path[i])] : undefined;
    else if (isRecord(node)) node = node[path[i]];
    else return undefined;
  }
  if (Array.isArray(node) || isRecord(node)) return { parent: node, key: path[path.length - 1] };
  return undefined;
}

function stripHashes(node: unknown): void {
  if (Array.isArray(node)) for (const v of node) stripHashes(v);
  else if (isRecord(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '@odata.type' && typeof v === 'string' && v.startsWith('#')) node[k] = v.slice(1);
      else stripHashes(v);
    }
  }
}

interface CompiledRule {
  rule: ReplyRule;
  segments: string[];
  used: number;
}

export class ReplyQuirks {
  private readonly rules: CompiledRule[];

  constructor(readonly config: QuirksConfig) {
    this.rules = (config.replies ?? []).map((rule) => ({ rule, segments: segmentsOf(rule.path), used: 0 }));
  }

  get skipTokens(): SkipTokenStyle {
    return this.config.skipTokens ?? 'opaque';
  }

  /** The reply to serve for `call`: the route's, changed by every matching rule in order. */
  apply(call: GraphCall, reply: GraphReply): GraphReply {
    if (this.rules.length === 0) return reply;
    let segs: string[] | undefined;
    let out = reply;
    let cloned = false;
    for (let i = 0; i < this.rules.length; i++) {
      const c = this.rules[i];
      const method = c.rule.method ?? 'GET';
      if (method !== '*' && method !== call.method) continue;
      segs ??= segmentsOf(call.pathname);
      if (!matches(c.segments, segs)) continue;
      if (c.rule.times !== undefined && c.used >= c.rule.times) continue;
      c.used++;
      const r = c.rule;
      if (r.reply !== undefined) {
        out = { status: r.reply.status, headers: r.reply.headers, body: structuredClone(r.reply.body) };
        cloned = true;
        continue;
      }
      if (out.status < 200 || out.status > 299 || out.body === undefined || out.raw !== undefined) continue;
      // The served body shares objects with the store: change a copy, never the data.
      if (!cloned) {
        out = { ...out, body: structuredClone(out.body) };
        cloned = true;
      }
      const problem = edit(out.body, r);
      if (problem !== undefined) {
        return graphError(500, 'EmulatorQuirkError', `Emulator quirk rule ${i} (${r.path}): ${problem}`, call.ids);
      }
    }
    return out;
  }
}

function matches(pattern: string[], segs: string[]): boolean {
  if (pattern.length !== segs.length) return false;
  for (let i = 0; i < pattern.length; i++) if (pattern[i] !== '*' && pattern[i] !== segs[i]) return false;
  return true;
}

/** Applies set/remove/stripTypeHash in place. A pointer that does not resolve is a loud error, not a silent no-op. */
function edit(body: unknown, r: ReplyRule): string | undefined {
  for (const [pointer, value] of Object.entries(r.set ?? {})) {
    const at = parentOf(body, pointer);
    if (at === undefined) return `the pointer '${pointer}' does not resolve in the served body`;
    if (Array.isArray(at.parent)) {
      if (!/^(0|[1-9][0-9]*)$/.test(at.key) || Number(at.key) > at.parent.length) return `the pointer '${pointer}' is not an index of the array`;
      at.parent[Number(at.key)] = structuredClone(value);
    } else at.parent[at.key] = structuredClone(value);
  }
  for (const pointer of r.remove ?? []) {
    const at = parentOf(body, pointer);
    if (at === undefined) return `the pointer '${pointer}' does not resolve in the served body`;
    if (Array.isArray(at.parent)) {
      const i = Number(at.key);
      if (!/^(0|[1-9][0-9]*)$/.test(at.key) || i >= at.parent.length) return `the pointer '${pointer}' is not an element of the array`;
      at.parent.splice(i, 1);
    } else if (!Object.prototype.hasOwnProperty.call(at.parent, at.key)) {
      return `the pointer '${pointer}' names no property of the served body`;
    } else delete at.parent[at.key];
  }
  if (r.stripTypeHash === true) stripHashes(body);
  return undefined;
}
