/**
 * The bound `assign` action: validation of the payload as Graph's OData reader does it, and the
 * handler that replaces a pool's whole assignment set.
 */
import { ASSIGNMENT_TYPE, type AssignmentWire, FILTER_TYPES, type FilterType, type PoolRecord, TARGET_TYPES, type TargetWire } from './data';
import { type BodyInfo, type GraphCall, type GraphReply, badRequest, isODataType, isRecord, newGuid, shown } from './util';

export type AssignReplyMode = 'value' | 'empty200' | 'noContent204';

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
    if (at !== undefined && !isODataType(at, ASSIGNMENT_TYPE)) {
      return { ok: false, message: `${where}: the @odata.type '${shown(at)}' is not compatible with 'microsoft.graph.embeddedSIMActivationCodePoolAssignment'.` };
    }
    let id: string;
    if (item.id === undefined || item.id === null) id = newGuid();
    else if (typeof item.id === 'string' && item.id.length > 0) id = item.id;
    else return { ok: false, message: `${where}: 'id' must be a non-empty string.` };

    const t = item.target;
    if (t === undefined || t === null) return { ok: false, message: `${where}: the property 'target' is required and cannot be null.` };
    if (!isRecord(t)) return { ok: false, message: `${where}: 'target' must be a JSON object.` };
    const given = t['@odata.type'];
    if (given === undefined || given === null) {
      return { ok: false, message: `${where}.target: an @odata.type is required; 'microsoft.graph.deviceAndAppManagementAssignmentTarget' is abstract.` };
    }
    // OData readers accept the type name with and without '#'; what is stored (and served) has it, as Graph serialises it.
    const tt = typeof given === 'string' ? (given.startsWith('#') ? given : '#' + given) : undefined;
    if (tt === undefined || !Object.prototype.hasOwnProperty.call(TARGET_PROPS, tt)) {
      return {
        ok: false,
        message: `${where}.target: A type named '${typeName(shown(given))}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.`,
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
          message: `${where}.target: the value '${shown(ft)}' is not valid for enum type 'microsoft.graph.deviceAndAppManagementAssignmentFilterType' (none|include|exclude).`,
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

export function assign(call: GraphCall, rec: PoolRecord, mode: AssignReplyMode, baseUrl: string): GraphReply {
  const result = validateAssignPayload(call.body);
  if (!result.ok) return badRequest(result.message, call.ids);
  rec.assignments = result.value;
  rec.pool.modifiedDateTime = nextModified(rec.pool.modifiedDateTime);
  switch (mode) {
    case 'noContent204':
      return { status: 204 };
    case 'empty200':
      return { status: 200, raw: '' };
    default:
      return {
        status: 200,
        body: {
          '@odata.context': `${baseUrl}/beta/$metadata#Collection(microsoft.graph.embeddedSIMActivationCodePoolAssignment)`,
          value: result.value,
        },
      };
  }
}

/** Now, but strictly later than the previous value (so every assign visibly bumps it). */
export function nextModified(previous: string): string {
  const prev = Date.parse(previous);
  const now = Date.now();
  return new Date(Number.isFinite(prev) && now <= prev ? prev + 1 : now).toISOString();
}
