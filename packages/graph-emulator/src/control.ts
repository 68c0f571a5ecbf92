/**
 * The control API under `/_emulator/*` (no auth, never recorded, never faulted): what tests and
 * the CLI's users drive the emulator with over HTTP. Each setting is one GET/PUT endpoint.
 */
import { type AssignReplyMode } from './assign';
import { type FaultConfig, FaultConfigError, parseFaultConfig } from './faults';
import type { WriteReplyMode } from './pools';
import type { BatchOrder, RecordedRequest } from './types';
import { type TargetAccess, parseTargetAccess } from './directory';
import { type WriteLimit, parseWriteLimit } from './write-window';
import { type QuirksConfig, parseQuirks } from './quirks';
import { type BodyInfo, type GraphReply, type RequestIds, graphError, isRecord, parseBodyText, parseQuery } from './util';

/** What the control API needs of the server. */
export interface ControlTarget {
  readonly url: string;
  requestCount(): number;
  /** Log entries from the absolute index `since` on. */
  requestsSince(since: number): RecordedRequest[];
  clearRequests(): void;
  reset(): void;
  getFaults(): FaultConfig | undefined;
  setFaults(cfg: FaultConfig | undefined): void;
  getLatency(): number;
  setLatency(ms: number): void;
  getAssignReply(): AssignReplyMode;
  setAssignReply(mode: AssignReplyMode): void;
  getBatchOrder(): BatchOrder;
  setBatchOrder(order: BatchOrder): void;
  getWriteReply(): WriteReplyMode;
  setWriteReply(mode: WriteReplyMode): void;
  getWriteLimit(): WriteLimit | undefined;
  setWriteLimit(limit: WriteLimit | undefined): void;
  getQuirks(): QuirksConfig | undefined;
  setQuirks(cfg: QuirksConfig | undefined): void;
  getTargetAccess(): TargetAccess;
  setTargetAccess(access: Partial<TargetAccess> | undefined): void;
  putGroup(id: string, displayName?: string): void;
  deleteGroup(id: string): boolean;
  putAssignmentFilter(id: string, options?: { platform?: string; displayName?: string }): void;
  deleteAssignmentFilter(id: string): boolean;
}

/** A GET/PUT setting: `put` validates (RangeError/FaultConfigError → 400) and applies; the reply is `get()`. */
interface Setting {
  get(t: ControlTarget): unknown;
  put(t: ControlTarget, value: unknown): void;
}

const SETTINGS: Record<string, Setting> = {
  faults: {
    get: (t) => ({ faults: t.getFaults() ?? null }),
    put: (t, v) => t.setFaults(parseFaultConfig(v)),
  },
  latency: {
    get: (t) => ({ ms: t.getLatency() }),
    put: (t, v) => {
      if (!isRecord(v) || typeof v.ms !== 'number') throw new RangeError('Expected {"ms": <number >= 0>}.');
      t.setLatency(v.ms);
    },
  },
  'assign-reply': {
    get: (t) => ({ mode: t.getAssignReply() }),
    put: (t, v) => {
      if (!isRecord(v) || (v.mode !== 'value' && v.mode !== 'empty200' && v.mode !== 'noContent204')) {
        throw new RangeError('Expected {"mode": "value" | "empty200" | "noContent204"}.');
      }
      t.setAssignReply(v.mode);
    },
  },
  'batch-order': {
    get: (t) => ({ order: t.getBatchOrder() }),
    put: (t, v) => {
      if (!isRecord(v) || (v.order !== 'reverse' && v.order !== 'request')) throw new RangeError('Expected {"order": "reverse" | "request"}.');
      t.setBatchOrder(v.order);
    },
  },
  'write-reply': {
    get: (t) => ({ mode: t.getWriteReply() }),
    put: (t, v) => {
      if (!isRecord(v) || (v.mode !== 'entity' && v.mode !== 'noContent')) throw new RangeError('Expected {"mode": "entity" | "noContent"}.');
      t.setWriteReply(v.mode);
    },
  },
  'write-limit': {
    get: (t) => ({ writeLimit: t.getWriteLimit() ?? null }),
    put: (t, v) => t.setWriteLimit(parseWriteLimit(v)),
  },
  quirks: {
    get: (t) => ({ quirks: t.getQuirks() ?? null }),
    put: (t, v) => t.setQuirks(parseQuirks(v)),
  },
  'target-access': {
    get: (t) => ({ targetAccess: t.getTargetAccess() }),
    put: (t, v) => t.setTargetAccess(parseTargetAccess(v, t.getTargetAccess())),
  },
};

/** `PUT|DELETE /_emulator/groups/{id}` and `/_emulator/assignment-filters/{id}`: create or delete one. */
function directoryControl(method: string, kind: string, id: string, body: BodyInfo, ids: RequestIds, t: ControlTarget): GraphReply {
  const value = body.kind === 'json' && isRecord(body.value) ? body.value : {};
  if (body.kind === 'invalid') throw new RangeError('The request body is not valid JSON.');
  const text = (name: string): string | undefined => {
    const v = value[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.length === 0) throw new RangeError(`${name} must be a non-empty string.`);
    return v;
  };
  if (method === 'DELETE') {
    const deleted = kind === 'groups' ? t.deleteGroup(id) : t.deleteAssignmentFilter(id);
    return deleted ? { status: 200, body: { deleted: id } } : graphError(404, 'ResourceNotFound', `No ${kind === 'groups' ? 'group' : 'assignment filter'} '${id}'.`, ids);
  }
  if (method !== 'PUT') return graphError(405, 'MethodNotAllowed', `The HTTP method '${method}' is not allowed here. Allowed: PUT, DELETE.`, ids, { allow: 'PUT, DELETE' });
  if (kind === 'groups') t.putGroup(id, text('displayName'));
  else t.putAssignmentFilter(id, { platform: text('platform'), displayName: text('displayName') });
  return { status: 200, body: { put: id } };
}

const PREFIX = '/_emulator/';

/** Answers one control request. `url` is the raw request target (path + query). */
export function controlReply(method: string, url: string, text: string | undefined, ids: RequestIds, target: ControlTarget): GraphReply {
  const qi = url.indexOf('?');
  let path = qi < 0 ? url : url.slice(0, qi);
  if (path.endsWith('/') && path.length > 1) path = path.slice(0, -1);
  const query = qi < 0 ? {} : parseQuery(url.slice(qi + 1));
  try {
    return control(method, path, query, parseBodyText(text), ids, target);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return graphError(err instanceof FaultConfigError || err instanceof RangeError ? 400 : 500, 'BadRequest', message, ids);
  }
}

function control(method: string, path: string, query: Record<string, string>, body: BodyInfo, ids: RequestIds, t: ControlTarget): GraphReply {
  const ok = (value: unknown): GraphReply => ({ status: 200, body: value });
  const notAllowed = (allow: string): GraphReply =>
    graphError(405, 'MethodNotAllowed', `The HTTP method '${method}' is not allowed on ${path}. Allowed: ${allow}.`, ids, { allow });
  const name = path.startsWith(PREFIX) ? path.slice(PREFIX.length) : '';
  switch (name) {
    case 'health':
      if (method !== 'GET') return notAllowed('GET');
      return ok({ status: 'ok', url: t.url, requests: t.requestCount() });
    case 'requests': {
      if (method === 'DELETE') {
        t.clearRequests();
        return ok({ ok: true });
      }
      if (method !== 'GET') return notAllowed('GET, DELETE');
      const sinceText = query.since;
      let since = 0;
      if (sinceText !== undefined) {
        if (!/^[0-9]{1,15}$/.test(sinceText)) throw new RangeError(`'since' must be a non-negative integer, got '${sinceText}'.`);
        since = Number(sinceText);
      }
      return ok(t.requestsSince(since));
    }
    case 'count':
      if (method !== 'GET') return notAllowed('GET');
      return ok({ count: t.requestCount() });
    case 'reset':
      if (method !== 'POST') return notAllowed('POST');
      t.reset();
      return ok({ ok: true });
    default:
      break;
  }
  const directory = /^(groups|assignment-filters)\/([^/]+)$/.exec(name);
  if (directory !== null) return directoryControl(method, directory[1], directory[2], body, ids, t);
  const setting = Object.prototype.hasOwnProperty.call(SETTINGS, name) ? SETTINGS[name] : undefined;
  if (setting === undefined) return graphError(404, 'UnknownError', `Unknown emulator control endpoint '${path}'.`, ids);
  if (method === 'GET') return ok(setting.get(t));
  if (method !== 'PUT' && method !== 'POST') return notAllowed('GET, PUT');
  if (body.kind === 'invalid') throw new RangeError('The request body is not valid JSON.');
  setting.put(t, body.kind === 'json' ? body.value : undefined);
  return ok(setting.get(t));
}
