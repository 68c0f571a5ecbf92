/**
 * The pool lifecycle: create (POST on the collection), update (PATCH) and delete (DELETE), with
 * the validation Graph documents for embeddedSIMActivationCode. Activation codes are credentials:
 * they are stored (so `activationCodeCount` is right) but no reply ever carries them, and no
 * error message quotes one (messages name the index and the property, never the value).
 */
import { ACTIVATION_CODE_TYPE, type ActivationCode, type EmulatorStore, POOL_TYPE, type PoolRecord, type PoolWire } from './data';
import { nextModified } from './assign';
import { type BodyInfo, type GraphCall, type GraphReply, badRequest, isODataType, isRecord, newGuid } from './util';

/** How create and update answer on success: Graph documents "2XX" for both (201/200 with the entity, or 204). */
export type WriteReplyMode = 'entity' | 'noContent';

// Patterns from the LongDescription annotations of microsoft.graph.embeddedSIMActivationCode (beta CSDL).
const ICCID = /^[0-9]{19}[0-9]?$/;
const MATCHING_ID = /^[a-zA-Z0-9-]*$/;
const SMDP_ADDRESS = /^([a-zA-Z0-9]+(-[a-zA-Z0-9]+)*\.)+[a-zA-Z]{2,}$/;
const CODE_PROPS = new Set(['integratedCircuitCardIdentifier', 'matchingIdentifier', 'smdpPlusServerAddress']);
/** Generated service side: accepted in a body (Graph's own examples send them) and ignored. */
const SERVICE_SIDE = new Set(['id', 'createdDateTime', 'modifiedDateTime', 'activationCodeCount']);

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function unknownProperty(where: string, prop: string, type: string): string {
  return `${where}The property '${prop}' does not exist on type '${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`;
}

/** One property of a code, checked against its pattern. The message names the place and the pattern, never the value. */
function codeField(item: Record<string, unknown>, where: string, name: string, pattern: RegExp): Parsed<string> {
  const v = item[name];
  if (typeof v !== 'string') return { ok: false, message: `${where}.${name}: is required and must be a string.` };
  if (!pattern.test(v)) return { ok: false, message: `${where}.${name}: the value does not match the regular expression '${pattern.source}'.` };
  return { ok: true, value: v };
}

function parseCodes(list: unknown): Parsed<ActivationCode[]> {
  if (!Array.isArray(list)) return { ok: false, message: "activationCodes: must be a collection of microsoft.graph.embeddedSIMActivationCode (it cannot be null)." };
  const out: ActivationCode[] = [];
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i];
    const where = `activationCodes[${i}]`;
    if (!isRecord(item)) return { ok: false, message: `${where}: an embeddedSIMActivationCode must be a JSON object.` };
    for (const k of Object.keys(item)) {
      if (k === '@odata.type') {
        if (!isODataType(item[k], ACTIVATION_CODE_TYPE)) return { ok: false, message: `${where}: the @odata.type is not compatible with 'microsoft.graph.embeddedSIMActivationCode'.` };
      } else if (!k.startsWith('@') && !CODE_PROPS.has(k)) {
        return { ok: false, message: unknownProperty(`${where}: `, k, 'microsoft.graph.embeddedSIMActivationCode') };
      }
    }
    const iccid = codeField(item, where, 'integratedCircuitCardIdentifier', ICCID);
    if (!iccid.ok) return iccid;
    const matching = codeField(item, where, 'matchingIdentifier', MATCHING_ID);
    if (!matching.ok) return matching;
    const address = codeField(item, where, 'smdpPlusServerAddress', SMDP_ADDRESS);
    if (!address.ok) return address;
    out.push({ integratedCircuitCardIdentifier: iccid.value, matchingIdentifier: matching.value, smdpPlusServerAddress: address.value });
  }
  return { ok: true, value: out };
}

interface PoolChanges {
  displayName?: string;
  activationCodes?: ActivationCode[];
}

/** Reads a create/update body. Unknown properties are refused, as Graph's OData reader does. */
function parseBody(body: BodyInfo): Parsed<PoolChanges> {
  if (body.kind === 'none') return { ok: false, message: 'Empty Payload. JSON content expected.' };
  if (body.kind === 'invalid') return { ok: false, message: 'Invalid JSON. The request body could not be parsed as JSON.' };
  const v = body.value;
  if (!isRecord(v)) return { ok: false, message: 'The request body must be a JSON object (a microsoft.graph.embeddedSIMActivationCodePool).' };
  const changes: PoolChanges = {};
  for (const k of Object.keys(v)) {
    if (k === '@odata.type') {
      if (!isODataType(v[k], POOL_TYPE)) return { ok: false, message: `The @odata.type is not compatible with 'microsoft.graph.embeddedSIMActivationCodePool'.` };
    } else if (k === 'displayName') {
      const name = v[k];
      if (typeof name !== 'string' || name.trim().length === 0) return { ok: false, message: "displayName: must be a non-empty string." };
      changes.displayName = name;
    } else if (k === 'activationCodes') {
      const codes = parseCodes(v[k]);
      if (!codes.ok) return codes;
      changes.activationCodes = codes.value;
    } else if (!k.startsWith('@') && !SERVICE_SIDE.has(k)) {
      return { ok: false, message: unknownProperty('', k, 'microsoft.graph.embeddedSIMActivationCodePool') };
    }
  }
  return { ok: true, value: changes };
}

function entityReply(status: number, pool: PoolWire, baseUrl: string, headers?: Record<string, string>): GraphReply {
  return {
    status,
    headers,
    body: { '@odata.context': `${baseUrl}/beta/$metadata#deviceManagement/embeddedSIMActivationCodePools/$entity`, ...pool },
  };
}

/** The part of the routes' environment the writes use (GraphEnv satisfies it). */
export interface PoolWriteEnv {
  store: EmulatorStore;
  baseUrl: string;
  writeReply: WriteReplyMode;
}

/** POST /deviceManagement/embeddedSIMActivationCodePools */
export function createPool(call: GraphCall, env: PoolWriteEnv): GraphReply {
  const parsed = parseBody(call.body);
  if (!parsed.ok) return badRequest(parsed.message, call.ids);
  const { displayName, activationCodes = [] } = parsed.value;
  if (displayName === undefined) return badRequest("displayName: is required (the property cannot be null).", call.ids);
  const now = new Date().toISOString();
  const pool: PoolWire = {
    '@odata.type': POOL_TYPE,
    id: newGuid(),
    displayName,
    activationCodeCount: activationCodes.length,
    createdDateTime: now,
    modifiedDateTime: now,
  };
  env.store.add({ pool, assignments: [], deviceStates: [], activationCodes });
  // OData: a 201 carries Location; a 204 (no representation) carries Location and OData-EntityId, so a
  // client can still learn the new id.
  const url = `${env.baseUrl}/beta/deviceManagement/embeddedSIMActivationCodePools/${pool.id}`;
  if (env.writeReply === 'noContent') return { status: 204, headers: { location: url, 'odata-entityid': url } };
  return entityReply(201, pool, env.baseUrl, { location: url });
}

/** PATCH /deviceManagement/embeddedSIMActivationCodePools/{id} */
export function updatePool(call: GraphCall, rec: PoolRecord, env: PoolWriteEnv): GraphReply {
  const parsed = parseBody(call.body);
  if (!parsed.ok) return badRequest(parsed.message, call.ids);
  const { displayName, activationCodes } = parsed.value;
  if (displayName !== undefined) rec.pool.displayName = displayName;
  if (activationCodes !== undefined) {
    rec.activationCodes = activationCodes;
    rec.pool.activationCodeCount = activationCodes.length;
  }
  rec.pool.modifiedDateTime = nextModified(rec.pool.modifiedDateTime);
  if (env.writeReply === 'noContent') return { status: 204 };
  return entityReply(200, rec.pool, env.baseUrl);
}
