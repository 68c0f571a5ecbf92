/**
 * The Graph beta resource routes for deviceManagement/embeddedSIMActivationCodePools. Transport
 * independent: used for plain HTTP requests and for $batch items alike.
 */
import { type AssignReplyMode, assign } from './assign';
import { type EmulatorStore, type PoolRecord } from './data';
import { type TargetAccess, routeFilters, routeGroups } from './directory';
import { type SkipTokenStyle, countOption, countReply, page, queryOption } from './paging';
import { type WriteReplyMode, createPool, updatePool } from './pools';
import { GUID_RE, type GraphCall, type GraphReply, type RequestIds, badRequest, graphError, methodNotAllowed, safeDecode } from './util';

export interface GraphEnv {
  store: EmulatorStore;
  /** Emulator origin, e.g. http://127.0.0.1:4001 */
  baseUrl: string;
  assignReply: AssignReplyMode;
  writeReply: WriteReplyMode;
  skipTokens: SkipTokenStyle;
  /** Which directory reads answer 403. */
  targetAccess: TargetAccess;
}

const POOLS_PATH = '/beta/deviceManagement/embeddedSIMActivationCodePools';

export type PathParse =
  | { ok: true; segments: string[] }
  | { ok: false; badSegment: string };

/**
 * Splits a raw pathname into percent-decoded segments. `%2F` stays inside its segment. A single
 * trailing slash is ignored. The leading empty segment is removed.
 */
export function splitPath(pathname: string): PathParse {
  const raw = pathname.split('/');
  // raw[0] is '' for absolute paths
  const start = raw[0] === '' ? 1 : 0;
  let end = raw.length;
  if (end - start > 1 && raw[end - 1] === '') end--;
  const segments: string[] = [];
  for (let i = start; i < end; i++) {
    const d = safeDecode(raw[i]);
    if (d === undefined) return { ok: false, badSegment: raw[i] };
    segments.push(d);
  }
  return { ok: true, segments };
}

/** True for /beta/$batch (case-insensitive, `$` possibly percent-encoded, optional trailing slash). */
export function isBatchPath(decodedPath: string): boolean {
  const p = decodedPath.endsWith('/') ? decodedPath.slice(0, -1) : decodedPath;
  return p.length === 12 && p.toLowerCase() === '/beta/$batch';
}

function notFoundSegment(segment: string, ids: RequestIds): GraphReply {
  return graphError(404, 'UnknownError', `Resource not found for the segment '${segment}'.`, ids);
}

function poolNotFound(id: string, ids: RequestIds): GraphReply {
  return graphError(404, 'ResourceNotFound', `Resource not found for the segment '${id}'. No embeddedSIMActivationCodePool with id '${id}' exists.`, ids);
}

/** Dispatches one Graph call (anything except $batch, which the server handles). */
export function routeGraph(call: GraphCall, env: GraphEnv): GraphReply {
  const ids = call.ids;
  const parsed = splitPath(call.pathname);
  if (!parsed.ok) return badRequest(`Malformed percent-encoding in the URL segment '${parsed.badSegment}'.`, ids);
  const seg = parsed.segments;
  if (seg.length === 0 || seg[0] === '') return notFoundSegment('', ids);
  if (seg[0].toLowerCase() !== 'beta') return notFoundSegment(seg[0], ids);
  if (seg.length === 1) return notFoundSegment('beta', ids);
  const s1 = seg[1].toLowerCase();
  if (s1 === '$batch') return badRequest('Nested $batch requests are not supported.', ids);
  if (s1 === 'groups') return routeGroups(call, seg.slice(1), env.store.directory, env.targetAccess, env.baseUrl);
  if (s1 !== 'devicemanagement') return notFoundSegment(seg[1], ids);
  if (seg.length === 2) return notFoundSegment(seg[1], ids);
  if (seg[2].toLowerCase() === 'assignmentfilters') return routeFilters(call, seg.slice(2), env.store.directory, env.targetAccess, env.baseUrl);
  if (seg[2].toLowerCase() !== 'embeddedsimactivationcodepools') return notFoundSegment(seg[2], ids);

  if (seg.length === 3) {
    if (call.method === 'POST') return createPool(call, env);
    if (call.method !== 'GET') return methodNotAllowed(call.method, 'GET, POST', ids);
    return listPools(call, env);
  }

  const id = seg[3];
  if (seg.length === 4 && id === '$count') {
    if (call.method !== 'GET') return methodNotAllowed(call.method, 'GET', ids);
    return countReply(env.store.size);
  }
  if (seg.length === 4) {
    if (call.method !== 'GET' && call.method !== 'PATCH' && call.method !== 'DELETE') return methodNotAllowed(call.method, 'GET, PATCH, DELETE', ids);
    const rec = findPool(id, env);
    if (rec === undefined) return poolNotFound(id, ids);
    if (call.method === 'PATCH') return updatePool(call, rec, env);
    if (call.method === 'DELETE') {
      env.store.delete(rec.pool.id);
      return { status: 204 };
    }
    const body: Record<string, unknown> = {
      '@odata.context': `${env.baseUrl}/beta/$metadata#deviceManagement/embeddedSIMActivationCodePools/$entity`,
      ...rec.pool,
    };
    // `$expand=assignments`: the pool and its assignments in one reply (the only navigation the emulator expands).
    const expand = queryOption(call.query, 'expand');
    if (expand !== undefined) {
      for (const nav of expand.split(',').map((n) => n.trim())) {
        if (nav.toLowerCase() !== 'assignments') {
          return badRequest(`Parsing OData Select and Expand failed: Could not find a property named '${nav}' on type 'microsoft.graph.embeddedSIMActivationCodePool'.`, ids);
        }
      }
      body['assignments@odata.context'] =
        `${env.baseUrl}/beta/$metadata#deviceManagement/embeddedSIMActivationCodePools('${rec.pool.id}')/assignments`;
      body.assignments = rec.assignments;
    }
    return { status: 200, body };
  }

  if (seg.length === 5) {
    const nav = seg[4].toLowerCase();
    if (nav === 'assignments') {
      if (call.method !== 'GET') return methodNotAllowed(call.method, 'GET', ids);
      const rec = findPool(id, env);
      if (rec === undefined) return poolNotFound(id, ids);
      const count = countOption(call);
      if (typeof count !== 'boolean') return count;
      const body: Record<string, unknown> = {
        '@odata.context': `${env.baseUrl}/beta/$metadata#deviceManagement/embeddedSIMActivationCodePools('${rec.pool.id}')/assignments`,
      };
      if (count) body['@odata.count'] = rec.assignments.length;
      body.value = rec.assignments;
      return { status: 200, body };
    }
    if (nav === 'devicestates') {
      if (call.method !== 'GET') return methodNotAllowed(call.method, 'GET', ids);
      const rec = findPool(id, env);
      if (rec === undefined) return poolNotFound(id, ids);
      return listDeviceStates(call, env, rec);
    }
    if (nav === 'assign' || nav === 'microsoft.graph.assign') {
      if (call.method !== 'POST') return methodNotAllowed(call.method, 'POST', ids);
      const rec = findPool(id, env);
      if (rec === undefined) return poolNotFound(id, ids);
      return assign(call, rec, env.assignReply, env.baseUrl);
    }
    return notFoundSegment(seg[4], ids);
  }
  if (seg.length === 6 && seg[5] === '$count') {
    const nav = seg[4].toLowerCase();
    if (nav === 'assignments' || nav === 'devicestates') {
      if (call.method !== 'GET') return methodNotAllowed(call.method, 'GET', ids);
      const rec = findPool(id, env);
      if (rec === undefined) return poolNotFound(id, ids);
      return countReply(nav === 'assignments' ? rec.assignments.length : rec.deviceStates.length);
    }
  }
  return notFoundSegment(seg[5], ids);
}

function findPool(id: string, env: GraphEnv): PoolRecord | undefined {
  if (!GUID_RE.test(id)) return undefined;
  return env.store.get(id);
}

function listPools(call: GraphCall, env: GraphEnv): GraphReply {
  return page(call, {
    items: env.store.poolList,
    scope: 'pools',
    selfPath: POOLS_PATH,
    context: `${env.baseUrl}/beta/$metadata#deviceManagement/embeddedSIMActivationCodePools`,
    baseUrl: env.baseUrl,
    tokenStyle: env.skipTokens,
    nameOf: (p) => p.displayName,
  });
}

function listDeviceStates(call: GraphCall, env: GraphEnv, rec: PoolRecord): GraphReply {
  const id = rec.pool.id;
  return page(call, {
    items: rec.deviceStates,
    scope: `ds/${id.toLowerCase()}`,
    selfPath: `${POOLS_PATH}/${id}/deviceStates`,
    context: `${env.baseUrl}/beta/$metadata#deviceManagement/embeddedSIMActivationCodePools('${id}')/deviceStates`,
    baseUrl: env.baseUrl,
    tokenStyle: env.skipTokens,
    nameOf: (d) => d.deviceName,
  });
}

