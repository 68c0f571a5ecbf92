/**
 * Graph beta resource handlers for deviceManagement/embeddedSIMActivationCodePools. Transport
 * independent: used for plain HTTP requests and for $batch items alike.
 */
import {
  ASSIGNMENT_TYPE,
  AssignmentWire,
  EmulatorStore,
  FILTER_TYPES,
  FilterType,
  PoolRecord,
  TARGET_TYPES,
  TargetWire,
} from './data';
import { GUID_RE, GraphReply, RequestIds, graphError, isRecord, newGuid, safeDecode } from './util';

export type AssignReplyMode = 'value' | 'empty200' | 'noContent204';

/** A parsed request body. */
export type BodyInfo =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'invalid'; text: string };

export interface GraphCall {
  /** Upper-case HTTP method. */
  method: string;
  /** Raw (still percent-encoded) pathname, e.g. /beta/deviceManagement/embeddedSIMActivationCodePools/abc%2F */
  pathname: string;
  query: Record<string, string>;
  body: BodyInfo;
  ids: RequestIds;
}

export interface GraphEnv {
  store: EmulatorStore;
  /** Emulator origin, e.g. http://127.0.0.1:4001 */
  baseUrl: string;
  assignReply: AssignReplyMode;
}

export function parseBodyText(text: string | undefined): BodyInfo {
  if (text === undefined || text.length === 0) return { kind: 'none' };
  try {
    const value: unknown = JSON.parse(text);
    return { kind: 'json', value };
  } catch {
    return { kind: 'invalid', text };
  }
}

const POOLS_PATH = '/beta/deviceManagement/embeddedSIMActivationCodePools';
const MAX_TOP = 999;
const DEFAULT_TOP = 100;

// ---------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------

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

function methodNotAllowed(method: string, allow: string, ids: RequestIds): GraphReply {
  return graphError(
    405,
    'MethodNotAllowed',
    `The HTTP method '${method}' is not allowed for the requested resource. Allowed: ${allow}.`,
    ids,
    { allow },
  );
}

export function badRequest(message: string, ids: RequestIds): GraphReply {
  return graphError(400, 'BadRequest', message, ids);
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
  if (s1 !== 'devicemanagement') return notFoundSegment(seg[1], ids);
  if (seg.length === 2) return notFoundSegment(seg[1], ids);
  if (seg[2].toLowerCase() !== 'embeddedsimactivationcodepools') return notFoundSegment(seg[2], ids);

  if (seg.length === 3) {
    if (call.method !== 'GET') return methodNotAllowed(call.method, 'GET', ids);
    return listPools(call, env);
  }

  const id = seg[3];
  if (seg.length === 4) {
    if (call.method !== 'GET') return methodNotAllowed(call.method, 'GET', ids);
    const rec = findPool(id, env);
    if (rec === undefined) return poolNotFound(id, ids);
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
      return {
        status: 200,
        body: {
          '@odata.context': `${env.baseUrl}/beta/$metadata#deviceManagement/embeddedSIMActivationCodePools('${rec.pool.id}')/assignments`,
          value: rec.assignments,
        },
      };
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
      return assign(call, env, rec);
    }
    return notFoundSegment(seg[4], ids);
  }
  return notFoundSegment(seg[5], ids);
}

function findPool(id: string, env: GraphEnv): PoolRecord | undefined {
  if (!GUID_RE.test(id)) return undefined;
  return env.store.get(id);
}

// ---------------------------------------------------------------------------------------------
// Paging
// ---------------------------------------------------------------------------------------------

const TOKEN_PREFIX = 'esim1|';

export function makeSkipToken(scope: string, offset: number): string {
  return Buffer.from(`${TOKEN_PREFIX}${scope}|${offset}`, 'utf8').toString('base64url');
}

/** Returns the offset encoded in an emulator-made token for this scope, or undefined if invalid. */
export function readSkipToken(token: string, scope: string): number | undefined {
  if (token.length === 0 || token.length > 512 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const expectedPrefix = `${TOKEN_PREFIX}${scope}|`;
  if (!text.startsWith(expectedPrefix)) return undefined;
  const rest = text.slice(expectedPrefix.length);
  if (!/^(0|[1-9][0-9]{0,8})$/.test(rest)) return undefined;
  const offset = Number(rest);
  // Canonical form only (rejects tokens that merely decode to the same text).
  if (makeSkipToken(scope, offset) !== token) return undefined;
  return offset;
}

function queryOption(q: Record<string, string>, name: string): string | undefined {
  // On the beta endpoint the `$` prefix of system query options is optional.
  const v = q['$' + name];
  return v !== undefined ? v : q[name];
}

function page<T>(call: GraphCall, items: readonly T[], scope: string, selfPath: string, context: string, env: GraphEnv): GraphReply {
  const ids = call.ids;
  const topText = queryOption(call.query, 'top');
  let top = DEFAULT_TOP;
  if (topText !== undefined) {
    if (!/^[0-9]{1,4}$/.test(topText) || Number(topText) < 1 || Number(topText) > MAX_TOP) {
      return badRequest(`Invalid value '${topText}' for the $top query option. $top must be an integer between 1 and ${MAX_TOP}.`, ids);
    }
    top = Number(topText);
  }
  let offset = 0;
  const tokenText = queryOption(call.query, 'skiptoken');
  if (tokenText !== undefined) {
    const o = readSkipToken(tokenText, scope);
    if (o === undefined) return badRequest(`Invalid $skiptoken value '${tokenText}'.`, ids);
    offset = o;
  }
  const end = Math.min(items.length, offset + top);
  const body: Record<string, unknown> = {
    '@odata.context': context,
    value: offset < items.length ? items.slice(offset, end) : [],
  };
  if (end < items.length) {
    body['@odata.nextLink'] = `${env.baseUrl}${selfPath}?$top=${top}&$skiptoken=${makeSkipToken(scope, end)}`;
  }
  return { status: 200, body };
}

function listPools(call: GraphCall, env: GraphEnv): GraphReply {
  return page(
    call,
    env.store.poolList,
    'pools',
    POOLS_PATH,
    `${env.baseUrl}/beta/$metadata#deviceManagement/embeddedSIMActivationCodePools`,
    env,
  );
}

function listDeviceStates(call: GraphCall, env: GraphEnv, rec: PoolRecord): GraphReply {
  const id = rec.pool.id;
  return page(
    call,
    rec.deviceStates,
    `ds/${id.toLowerCase()}`,
    `${POOLS_PATH}/${id}/deviceStates`,
    `${env.baseUrl}/beta/$metadata#deviceManagement/embeddedSIMActivationCodePools('${id}')/deviceStates`,
    env,
  );
}

// ---------------------------------------------------------------------------------------------
// assign
// ---------------------------------------------------------------------------------------------

const TARGET_PROPS: Record<string, readonly string[]> = {
  [TARGET_TYPES.allDevices]: [],
  [TARGET_TYPES.allLicensedUsers]: [],
  [TARGET_TYPES.group]: ['groupId'],
  [TARGET_TYPES.exclusionGroup]: ['groupId'],
  [TARGET_TYPES.configurationManagerCollection]: ['collectionId'],
};
const BASE_TARGET_PROPS = ['deviceAndAppManagementAssignmentFilterId', 'deviceAndAppManagementAssignmentFilterType'];

function typeName(odataType: string): string {
  return odataType.startsWith('#') ? odataType.slice(1) : odataType;
}

function unknownProperty(prop: string, type: string): string {
  return `The property '${prop}' does not exist on type '${typeName(type)}'. Make sure to only use property names that are defined by the type or mark the type as open type.`;
}

/** Validates and normalises an assign payload. Returns the new wire set or an error message. */
export function validateAssignPayload(body: BodyInfo): { ok: true; value: AssignmentWire[] } | { ok: false; message: string } {
  if (body.kind === 'none') return { ok: false, message: 'Empty Payload. JSON content expected.' };
  if (body.kind === 'invalid') return { ok: false, message: 'Invalid JSON. The request body could not be parsed as JSON.' };
  const payload = body.value;
  if (!isRecord(payload)) return { ok: false, message: 'The request body must be a JSON object with an "assignments" array.' };
  for (const k of Object.keys(payload)) {
    if (k !== 'assignments' && !k.startsWith('@')) {
      return { ok: false, message: `The parameter '${k}' in the request payload is not a valid parameter for the operation 'assign'.` };
    }
  }
  const list = payload.assignments;
  if (!Array.isArray(list)) {
    return { ok: false, message: "The parameter 'assignments' is missing or is not a collection of embeddedSIMActivationCodePoolAssignment." };
  }
  const out: AssignmentWire[] = [];
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i];
    const where = `assignments[${i}]`;
    if (!isRecord(item)) return { ok: false, message: `${where}: an embeddedSIMActivationCodePoolAssignment must be a JSON object.` };
    for (const k of Object.keys(item)) {
      if (k !== 'id' && k !== 'target' && !k.startsWith('@')) return { ok: false, message: `${where}: ${unknownProperty(k, ASSIGNMENT_TYPE)}` };
    }
    const at = item['@odata.type'];
    if (at !== undefined && at !== ASSIGNMENT_TYPE) {
      return { ok: false, message: `${where}: the @odata.type '${String(at)}' is not compatible with 'microsoft.graph.embeddedSIMActivationCodePoolAssignment'.` };
    }
    let id: string;
    if (item.id === undefined || item.id === null) id = newGuid();
    else if (typeof item.id === 'string' && item.id.length > 0) id = item.id;
    else return { ok: false, message: `${where}: 'id' must be a non-empty string.` };

    const t = item.target;
    if (t === undefined || t === null) return { ok: false, message: `${where}: the property 'target' is required and cannot be null.` };
    if (!isRecord(t)) return { ok: false, message: `${where}: 'target' must be a JSON object.` };
    const tt = t['@odata.type'];
    if (tt === undefined || tt === null) {
      return { ok: false, message: `${where}.target: an @odata.type is required; 'microsoft.graph.deviceAndAppManagementAssignmentTarget' is abstract.` };
    }
    if (typeof tt !== 'string' || !Object.prototype.hasOwnProperty.call(TARGET_PROPS, tt)) {
      return {
        ok: false,
        message: `${where}.target: A type named '${typeName(String(tt))}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.`,
      };
    }
    const own = TARGET_PROPS[tt];
    for (const k of Object.keys(t)) {
      if (!k.startsWith('@') && !BASE_TARGET_PROPS.includes(k) && !own.includes(k)) {
        return { ok: false, message: `${where}.target: ${unknownProperty(k, tt)}` };
      }
    }
    const ft = t.deviceAndAppManagementAssignmentFilterType;
    let filterType: FilterType = 'none';
    if (ft !== undefined && ft !== null) {
      const found = FILTER_TYPES.find((f) => f === ft);
      if (found === undefined) {
        return {
          ok: false,
          message: `${where}.target: the value '${String(ft)}' is not valid for enum type 'microsoft.graph.deviceAndAppManagementAssignmentFilterType' (none|include|exclude).`,
        };
      }
      filterType = found;
    }
    const fid = t.deviceAndAppManagementAssignmentFilterId;
    let filterId: string | null = null;
    if (fid !== undefined && fid !== null) {
      if (typeof fid !== 'string') return { ok: false, message: `${where}.target: 'deviceAndAppManagementAssignmentFilterId' must be a string or null.` };
      filterId = fid;
    }
    const target: TargetWire = {
      '@odata.type': tt,
      deviceAndAppManagementAssignmentFilterId: filterId,
      deviceAndAppManagementAssignmentFilterType: filterType,
    };
    if (tt === TARGET_TYPES.group || tt === TARGET_TYPES.exclusionGroup) {
      const g = t.groupId;
      if (typeof g !== 'string' || g.length === 0) return { ok: false, message: `${where}.target: 'groupId' is required for '${typeName(tt)}'.` };
      target.groupId = g;
    } else if (tt === TARGET_TYPES.configurationManagerCollection) {
      const c = t.collectionId;
      if (typeof c !== 'string' || c.length === 0) return { ok: false, message: `${where}.target: 'collectionId' is required for '${typeName(tt)}'.` };
      target.collectionId = c;
    }
    out.push({ '@odata.type': ASSIGNMENT_TYPE, id, target });
  }
  return { ok: true, value: out };
}

function assign(call: GraphCall, env: GraphEnv, rec: PoolRecord): GraphReply {
  const result = validateAssignPayload(call.body);
  if (!result.ok) return badRequest(result.message, call.ids);
  rec.assignments = result.value;
  rec.pool.modifiedDateTime = nextModified(rec.pool.modifiedDateTime);
  switch (env.assignReply) {
    case 'noContent204':
      return { status: 204 };
    case 'empty200':
      return { status: 200, raw: '' };
    default:
      return {
        status: 200,
        body: {
          '@odata.context': `${env.baseUrl}/beta/$metadata#Collection(microsoft.graph.embeddedSIMActivationCodePoolAssignment)`,
          value: result.value,
        },
      };
  }
}

/** Now, but strictly later than the previous value (so every assign visibly bumps it). */
function nextModified(previous: string): string {
  const prev = Date.parse(previous);
  const now = Date.now();
  return new Date(Number.isFinite(prev) && now <= prev ? prev + 1 : now).toISOString();
}
