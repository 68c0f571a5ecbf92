/** Graph beta's wire models for embeddedSIMActivationCodePools (beta CSDL) and their readers; no GraphQL here. */
import { isGuid, isRecord } from './json';

/**
 * `microsoft.graph.deviceAndAppManagementAssignmentFilterType`, bound to the GraphQL enum by codegen's `enumValues`.
 * `UNKNOWN_FUTURE_VALUE` stands for any wire value this version does not know; it is never sent to Graph.
 */
export enum WireFilterType {
  NONE = 'none',
  INCLUDE = 'include',
  EXCLUDE = 'exclude',
  UNKNOWN_FUTURE_VALUE = 'unknownFutureValue',
}

/** `microsoft.graph.embeddedSIMDeviceStateValue`, bound to the GraphQL enum like WireFilterType. */
export enum WireDeviceStateValue {
  NOT_EVALUATED = 'notEvaluated',
  FAILED = 'failed',
  INSTALLING = 'installing',
  INSTALLED = 'installed',
  DELETING = 'deleting',
  ERROR = 'error',
  DELETED = 'deleted',
  REMOVED_BY_USER = 'removedByUser',
  UNKNOWN_FUTURE_VALUE = 'unknownFutureValue',
}

/** Graph's names of the enum types, as the unknown-value log line shows them. */
export const WIRE_ENUM = {
  filterType: 'microsoft.graph.deviceAndAppManagementAssignmentFilterType',
  deviceState: 'microsoft.graph.embeddedSIMDeviceStateValue',
  /** Not an enum, but open the same way: Graph adds derived target types over time. */
  targetType: 'microsoft.graph.deviceAndAppManagementAssignmentTarget',
} as const;

/** The members this version knows, by wire value (`unknownFutureValue` excluded). */
const FILTER_TYPES = new Map<string, WireFilterType>(
  Object.values(WireFilterType).flatMap((member) => (member === WireFilterType.UNKNOWN_FUTURE_VALUE ? [] : [[member, member]])),
);
const DEVICE_STATES = new Map<string, WireDeviceStateValue>(
  Object.values(WireDeviceStateValue).flatMap((member) => (member === WireDeviceStateValue.UNKNOWN_FUTURE_VALUE ? [] : [[member, member]])),
);

/** The member a wire filter type is, or undefined when unknown (Graph's own `unknownFutureValue` included). */
export function knownFilterType(value: string): WireFilterType | undefined {
  return FILTER_TYPES.get(value);
}

/** As knownFilterType, for device states. */
export function knownDeviceState(value: string): WireDeviceStateValue | undefined {
  return DEVICE_STATES.get(value);
}

export const ODATA_TYPE = {
  pool: '#microsoft.graph.embeddedSIMActivationCodePool',
  assignment: '#microsoft.graph.embeddedSIMActivationCodePoolAssignment',
  deviceState: '#microsoft.graph.embeddedSIMDeviceState',
  allDevices: '#microsoft.graph.allDevicesAssignmentTarget',
  allLicensedUsers: '#microsoft.graph.allLicensedUsersAssignmentTarget',
  group: '#microsoft.graph.groupAssignmentTarget',
  exclusionGroup: '#microsoft.graph.exclusionGroupAssignmentTarget',
  configurationManagerCollection: '#microsoft.graph.configurationManagerCollectionAssignmentTarget',
} as const;

/** `microsoft.graph.deviceAndAppManagementAssignmentTarget` and its derived types (one open shape). */
export interface WireAssignmentTarget {
  '@odata.type': string;
  deviceAndAppManagementAssignmentFilterId?: string | null;
  /** As received: a WireFilterType value, or one this version does not know (graphql/mapping.ts maps it). */
  deviceAndAppManagementAssignmentFilterType?: string | null;
  /** groupAssignmentTarget, exclusionGroupAssignmentTarget */
  groupId?: string | null;
  /** configurationManagerCollectionAssignmentTarget */
  collectionId?: string | null;
}

/** `microsoft.graph.embeddedSIMActivationCodePoolAssignment` */
export interface WireAssignment {
  '@odata.type'?: string;
  id: string;
  target: WireAssignmentTarget;
}

/** The body of a new assignment sent to the assign action (`id` optional: Graph makes one). */
export interface WireAssignmentInput {
  '@odata.type': typeof ODATA_TYPE.assignment;
  id?: string;
  target: WireAssignmentTarget;
}

/** `microsoft.graph.embeddedSIMActivationCodePool` (activationCodes is write-only and never read). */
export interface WirePool {
  '@odata.type'?: string;
  id: string;
  displayName: string;
  activationCodeCount: number;
  createdDateTime: string;
  modifiedDateTime: string;
}

/** `microsoft.graph.embeddedSIMDeviceState` */
export interface WireDeviceState {
  '@odata.type'?: string;
  id: string;
  deviceName?: string | null;
  userName?: string | null;
  /** As received: a WireDeviceStateValue value, or one this version does not know (graphql/mapping.ts maps it). */
  state: string;
  stateDetails?: string | null;
  universalIntegratedCircuitCardIdentifier?: string | null;
  lastSyncDateTime?: string | null;
  createdDateTime: string;
  modifiedDateTime: string;
}

/** An OData collection page. */
export interface WirePage<T> {
  value: T[];
  '@odata.nextLink'?: string;
}


/** A value read as a wire model, or the problem: the property's name, never its value. */
export type WireRead<T> = { ok: true; value: T } | { ok: false; problem: string };
export type WireReader<T> = (value: unknown) => WireRead<T>;

const ok = <T>(value: T): WireRead<T> => ({ ok: true, value });
const bad = (problem: string): { ok: false; problem: string } => ({ ok: false, problem });

const INT32_MAX = 2 ** 31 - 1;
/**
 * An `Edm.DateTimeOffset` as Graph writes it, `YYYY-MM-DDTHH:MM[:SS[.f{1,7}]](Z|±HH:MM)`, with a date that exists
 * in the proleptic Gregorian calendar (Date.parse alone takes 2026-02-30). Reads character codes: no allocation.
 */
export function isIsoDateTime(value: unknown): value is string {
  if (typeof value !== 'string' || value.length < 17) return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0) return false;
  if (value.charCodeAt(4) !== DASH || value.charCodeAt(7) !== DASH || value.charCodeAt(10) !== T || value.charCodeAt(13) !== COLON) return false;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour >= 24 || minute >= 60) return false;
  let at = 16;
  if (value.charCodeAt(at) === COLON) {
    const second = digits(value, at + 1, 2);
    if (second < 0 || second >= 60) return false;
    at += 3;
    if (value.charCodeAt(at) === DOT) {
      let end = at + 1;
      while (end < value.length && end - at <= 7 && isDigit(value.charCodeAt(end))) end++;
      if (end === at + 1 || (end < value.length && isDigit(value.charCodeAt(end)))) return false;
      at = end;
    }
  }
  const zone = value.charCodeAt(at);
  if (zone === Z) return at + 1 === value.length;
  if (zone !== PLUS && zone !== DASH) return false;
  if (at + 6 !== value.length || value.charCodeAt(at + 3) !== COLON) return false;
  const zoneHours = digits(value, at + 1, 2);
  const zoneMinutes = digits(value, at + 4, 2);
  return zoneHours >= 0 && zoneHours < 24 && zoneMinutes >= 0 && zoneMinutes < 60;
}

const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const PLUS = 0x2b;
const T = 0x54;
const Z = 0x5a;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** The number written by `length` ASCII digits at `from`, or -1 if any of them is not a digit (or missing). */
function digits(value: string, from: number, length: number): number {
  let n = 0;
  for (let i = from; i < from + length; i++) {
    const code = value.charCodeAt(i);
    if (!isDigit(code)) return -1;
    n = n * 10 + (code - 0x30);
  }
  return n;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1];
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** `@odata.type` with its leading `#`: OData readers take the name with or without it, and so does this one. */
export function canonicalODataType(type: string): string {
  return type.startsWith('#') ? type : `#${type}`;
}

/** An optional `Edm.String` property: absent, null or a string. */
function optionalString(record: Record<string, unknown>, name: string): string | null | undefined | false {
  const value = record[name];
  if (value === undefined || value === null || typeof value === 'string') return value;
  return false;
}

/** Copies the optional string properties that are present (absent stays absent), or names the first bad one. */
function copyOptionalStrings<T extends object>(from: Record<string, unknown>, to: T, names: readonly (keyof T & string)[]): string | undefined {
  for (const name of names) {
    const value = optionalString(from, name);
    if (value === false) return `${name} is not a string or null`;
    if (value !== undefined) Object.assign(to, { [name]: value });
  }
  return undefined;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** `@odata.type`, when present: a non-empty string, returned with its `#`. */
function odataTypeOf(record: Record<string, unknown>): string | undefined | false {
  const type = record['@odata.type'];
  if (type === undefined) return undefined;
  return nonEmptyString(type) ? canonicalODataType(type) : false;
}

/** `embeddedSIMActivationCodePool`; its id must be a GUID, since it becomes a path segment of reads under the pool. */
export function readPool(value: unknown): WireRead<WirePool> {
  if (!isRecord(value)) return bad('the pool is not an object');
  const type = odataTypeOf(value);
  if (type === false) return bad('@odata.type is not a type name');
  const { id, displayName, activationCodeCount, createdDateTime, modifiedDateTime } = value;
  if (typeof id !== 'string' || !isGuid(id)) return bad('id is not a GUID');
  if (typeof displayName !== 'string') return bad('displayName is not a string');
  if (typeof activationCodeCount !== 'number' || !Number.isInteger(activationCodeCount) || activationCodeCount < 0 || activationCodeCount > INT32_MAX) {
    return bad('activationCodeCount is not a count (an Edm.Int32 of 0 or more)');
  }
  if (!isIsoDateTime(createdDateTime)) return bad('createdDateTime is not an ISO 8601 date-time');
  if (!isIsoDateTime(modifiedDateTime)) return bad('modifiedDateTime is not an ISO 8601 date-time');
  const pool: WirePool = { id, displayName, activationCodeCount, createdDateTime, modifiedDateTime };
  if (type !== undefined) pool['@odata.type'] = type;
  return ok(pool);
}

/**
 * `embeddedSIMActivationCodePoolAssignment`. The target keeps every property it came with (an unknown target type
 * survives an edit that sends it back); its `@odata.type` always gets its `#`.
 */
export function readAssignment(value: unknown): WireRead<WireAssignment> {
  if (!isRecord(value)) return bad('the assignment is not an object');
  const type = odataTypeOf(value);
  if (type === false) return bad('@odata.type is not a type name');
  if (!nonEmptyString(value.id)) return bad('id is not a non-empty string');
  const raw = value.target;
  if (!isRecord(raw)) return bad('target is not an object');
  const targetType = raw['@odata.type'];
  if (!nonEmptyString(targetType)) return bad("target's @odata.type is not a type name");
  const target: WireAssignmentTarget = { ...raw, '@odata.type': canonicalODataType(targetType) };
  const problem = copyOptionalStrings(raw, target, ['deviceAndAppManagementAssignmentFilterId', 'deviceAndAppManagementAssignmentFilterType', 'groupId', 'collectionId']);
  if (problem !== undefined) return bad(`target's ${problem}`);
  const assignment: WireAssignment = { id: value.id, target };
  if (type !== undefined) assignment['@odata.type'] = type;
  return ok(assignment);
}

/** `embeddedSIMDeviceState`: a `state` value this version does not know is kept as received (mapping.ts maps it). */
export function readDeviceState(value: unknown): WireRead<WireDeviceState> {
  if (!isRecord(value)) return bad('the device state is not an object');
  const type = odataTypeOf(value);
  if (type === false) return bad('@odata.type is not a type name');
  const { id, state, createdDateTime, modifiedDateTime, lastSyncDateTime } = value;
  if (!nonEmptyString(id)) return bad('id is not a non-empty string');
  if (!nonEmptyString(state)) return bad('state is not an enum value');
  if (!isIsoDateTime(createdDateTime)) return bad('createdDateTime is not an ISO 8601 date-time');
  if (!isIsoDateTime(modifiedDateTime)) return bad('modifiedDateTime is not an ISO 8601 date-time');
  if (lastSyncDateTime != null && !isIsoDateTime(lastSyncDateTime)) return bad('lastSyncDateTime is not an ISO 8601 date-time or null');
  const deviceState: WireDeviceState = { id, state, createdDateTime, modifiedDateTime };
  if (lastSyncDateTime !== undefined) deviceState.lastSyncDateTime = lastSyncDateTime;
  if (type !== undefined) deviceState['@odata.type'] = type;
  const problem = copyOptionalStrings(value, deviceState, ['deviceName', 'userName', 'stateDetails', 'universalIntegratedCircuitCardIdentifier']);
  return problem === undefined ? ok(deviceState) : bad(problem);
}

/** `microsoft.graph.embeddedSIMActivationCode`: a credential; Graph never returns it, this client only sends it. */
export interface WireActivationCode {
  integratedCircuitCardIdentifier: string;
  matchingIdentifier: string;
  smdpPlusServerAddress: string;
}

/** The body of a create: `POST …/embeddedSIMActivationCodePools`. */
export interface WirePoolCreate {
  '@odata.type': typeof ODATA_TYPE.pool;
  displayName: string;
  activationCodes: WireActivationCode[];
}

/** The body of an update: `PATCH …/embeddedSIMActivationCodePools/{id}` with only the properties to change. */
export interface WirePoolChanges {
  displayName?: string;
}
