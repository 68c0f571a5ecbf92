/** Graph beta's wire models for embeddedSIMActivationCodePools (beta CSDL) and their readers; no GraphQL here. */
import type { PageItem } from './api';
import { isGraphError } from './errors';
import { isGuid, isRecord } from './json';

/** Bound to the GraphQL enum by codegen's `enumValues`; `UNKNOWN_FUTURE_VALUE` (any value not known) is never sent. */
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

/** The member a wire value is, or undefined when unknown (Graph's own `unknownFutureValue` included). */
function knownMembers<E extends string>(members: E[]): (value: string) => E | undefined {
  const known = new Map<string, E>(members.filter((member) => member !== 'unknownFutureValue').map((member) => [member, member]));
  return (value) => known.get(value);
}

export const knownFilterType = knownMembers(Object.values(WireFilterType));
export const knownDeviceState = knownMembers(Object.values(WireDeviceStateValue));

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

export interface UnknownValueEvent {
  /** Graph's type, e.g. `microsoft.graph.embeddedSIMDeviceStateValue`. */
  type: string;
  /** The value as received (at most 100 characters). */
  value: string;
}

/** The derived types of deviceAndAppManagementAssignmentTarget this version knows. */
const TARGET_TYPES: ReadonlySet<string> = new Set(
  Object.values(ODATA_TYPE).filter((type) => type.endsWith('AssignmentTarget')),
);
/** Distinct values remembered: a Graph that sends junk in every reply must not grow this set without end. */
const MAX_REMEMBERED = 256;
const MAX_VALUE_LENGTH = 100;

/** Reports each value Graph sent that this version does not know (enum member, target type), once per type and value. */
export class UnknownValues {
  private readonly seen = new Set<string>();

  constructor(private readonly report?: (event: UnknownValueEvent) => void) {}

  /** Notices the unknown target types and filter types of a set of assignments; returns the set. */
  assignments(list: WireAssignment[]): WireAssignment[] {
    if (this.report === undefined) return list;
    for (const { target } of list) {
      const type = target['@odata.type'];
      if (!TARGET_TYPES.has(type)) this.notice(WIRE_ENUM.targetType, type);
      const filterType = target.deviceAndAppManagementAssignmentFilterType;
      if (filterType != null && knownFilterType(filterType) === undefined) this.notice(WIRE_ENUM.filterType, filterType);
    }
    return list;
  }

  /** Notices the unknown states of a page of device states; returns the page's items. */
  deviceStates(items: PageItem<WireDeviceState>[]): PageItem<WireDeviceState>[] {
    if (this.report === undefined) return items;
    for (const item of items) {
      if (!isGraphError(item) && knownDeviceState(item.state) === undefined) this.notice(WIRE_ENUM.deviceState, item.state);
    }
    return items;
  }

  private notice(type: string, received: string): void {
    const value = received.slice(0, MAX_VALUE_LENGTH);
    const key = `${type}\u0000${value}`;
    if (this.seen.has(key) || this.seen.size >= MAX_REMEMBERED) return;
    this.seen.add(key);
    this.report?.({ type, value });
  }
}

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

/** A value read as a wire model, or the problem: the property's name, never its value. */
export type WireRead<T> = { ok: true; value: T } | { ok: false; problem: string };
export type WireReader<T> = (value: unknown) => WireRead<T>;

const ok = <T>(value: T): WireRead<T> => ({ ok: true, value });
const bad = (problem: string): { ok: false; problem: string } => ({ ok: false, problem });

/** A count Graph sent: a whole number from 0 to Edm.Int32's largest value (GraphQL Int's too, `totalCount`). */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 2 ** 31 - 1;
}
/** `YYYY-MM-DDTHH:MM[:SS[.f{1,7}]](Z|±HH:MM)`, as Graph writes an `Edm.DateTimeOffset`; `test` allocates nothing. */
const DATE_TIME = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,7})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** An `Edm.DateTimeOffset` whose date exists in the proleptic Gregorian calendar (Date.parse alone takes 2026-02-30). */
export function isIsoDateTime(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE_TIME.test(value)) return false;
  const year = digit(value, 0) * 1000 + digit(value, 1) * 100 + digit(value, 2) * 10 + digit(value, 3);
  const month = digit(value, 5) * 10 + digit(value, 6);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return digit(value, 8) * 10 + digit(value, 9) <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}

function digit(value: string, at: number): number {
  return value.charCodeAt(at) - 0x30;
}

/** `@odata.type` with its leading `#`: OData readers take the name with or without it, and so does this one. */
function canonicalODataType(type: string): string {
  return type.startsWith('#') ? type : `#${type}`;
}

/** Copies the optional string properties present (absent stays absent), or names the first bad one. */
function copyOptionalStrings<T extends object>(from: Record<string, unknown>, to: T, names: readonly (keyof T & string)[]): string | undefined {
  for (const name of names) {
    const value = from[name];
    if (value !== undefined && value !== null && typeof value !== 'string') return `${name} is not a string or null`;
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
  if (!isCount(activationCodeCount)) return bad('activationCodeCount is not a count (an Edm.Int32 of 0 or more)');
  if (!isIsoDateTime(createdDateTime)) return bad('createdDateTime is not an ISO 8601 date-time');
  if (!isIsoDateTime(modifiedDateTime)) return bad('modifiedDateTime is not an ISO 8601 date-time');
  const pool: WirePool = { id, displayName, activationCodeCount, createdDateTime, modifiedDateTime };
  if (type !== undefined) pool['@odata.type'] = type;
  return ok(pool);
}

/** The target keeps every property it came with (an unknown type survives an edit); its `@odata.type` gets its `#`. */
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
export type WirePoolChanges = Partial<Pick<WirePool, 'displayName'>>;
