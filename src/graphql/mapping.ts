/** The one place where Graph wire models and GraphQL types meet; nothing else maps. */
import {
  AssignmentTargetKind,
  type BulkAssignmentEditPayload,
  type PoolEditError,
  type UncheckedTarget,
  type AssignmentTargetInput,
  type CreateEmbeddedSIMActivationCodePoolInput,
  type EmbeddedSIMActivationCodePoolAssignmentInput,
} from '../generated/graphql';
import type { PageItem } from '../graph/api';
import { isGraphError } from '../graph/errors';
import {
  knownDeviceState,
  knownFilterType,
  ODATA_TYPE,
  WireDeviceStateValue,
  WireFilterType,
  type WireAssignment,
  type WireAssignmentInput,
  type WireAssignmentTarget,
  type WireDeviceState,
  type WirePool,
  type WirePoolCreate,
} from '../graph/models';

export { HistoryKind, WriteOutcome } from '../history/types';

/** A pool known by id only (a write's payload): `assignments` from the primed loader, the rest read when selected. */
export interface PoolReference {
  id: string;
  reference: true;
}

/** What the pool type's resolvers get: a pool Graph sent, or one known by id. */
export type PoolModel = WirePool | PoolReference;

export const isPoolReference = (pool: PoolModel): pool is PoolReference => 'reference' in pool;

/** An edge as connectionFromPage builds it: its node is Graph's item, or that item's error (see the edge resolvers). */
export interface EdgeModel<T> {
  node: PageItem<T>;
  cursor: string;
}
export type PoolEdgeModel = EdgeModel<WirePool>;
export type DeviceStateEdgeModel = EdgeModel<WireDeviceState>;

/** An edge's node; a bad item is thrown, so that the node is null with the item's UPSTREAM_ERROR at its path. */
export function edgeNode<T>(edge: EdgeModel<T>): T {
  if (isGraphError(edge.node)) throw edge.node;
  return edge.node;
}

/** How an edit changes a pool's set of targets (targets as Graph holds them: removed ones as they were). */
export interface AssignmentDiff {
  added: WireAssignmentTarget[];
  updated: WireAssignmentTarget[];
  removed: WireAssignmentTarget[];
}

/** What every assignment write's resolver hands to its payload's field resolvers. */
interface WritePayloadModel {
  poolId: string;
  /** The set after the write (for a dry run or an edit that changes nothing: the current set). */
  assignments: WireAssignment[];
  /** Target checks that could not be made (TARGET_CHECKS=warn). */
  uncheckedTargets: UncheckedTarget[];
}

/** The assign payload: its receipts computed (one read before the write) only when the operation selects them. */
export interface AssignPayloadModel extends WritePayloadModel {
  diff?: AssignmentDiff;
}

/** The add/remove/restore payload. */
export interface EditPayloadModel extends WritePayloadModel, AssignmentDiff {
  dryRun: boolean;
  assignmentsVersion: string;
}

/** One pool of a bulk edit that was not edited: the code its single edit would have answered. */
export type PoolEditErrorModel = Omit<PoolEditError, '__typename' | 'retryAfterSeconds'> & { retryAfterSeconds?: number };

/** A bulk edit's answer: one result per pool in the order of poolIds. */
export type BulkEditPayloadModel = Omit<BulkAssignmentEditPayload, '__typename' | 'results'> & { results: (EditPayloadModel | PoolEditErrorModel)[] };

/** A bulk edit's pool error among its other values (results, locks, sets). */
export function isPoolEditError<T extends object>(value: T | PoolEditErrorModel): value is PoolEditErrorModel {
  return 'code' in value;
}

/** GraphQL input kind → Graph `@odata.type` of the target and the GraphQL type it is served as. */
const TARGET_TYPES = {
  [AssignmentTargetKind.AllDevices]: [ODATA_TYPE.allDevices, 'AllDevicesAssignmentTarget'],
  [AssignmentTargetKind.AllLicensedUsers]: [ODATA_TYPE.allLicensedUsers, 'AllLicensedUsersAssignmentTarget'],
  [AssignmentTargetKind.Group]: [ODATA_TYPE.group, 'GroupAssignmentTarget'],
  [AssignmentTargetKind.ExclusionGroup]: [ODATA_TYPE.exclusionGroup, 'ExclusionGroupAssignmentTarget'],
  [AssignmentTargetKind.ConfigurationManagerCollection]: [ODATA_TYPE.configurationManagerCollection, 'ConfigurationManagerCollectionAssignmentTarget'],
} as const;

type AssignmentTargetTypeName = (typeof TARGET_TYPES)[AssignmentTargetKind][1] | 'UnknownAssignmentTarget';

/** Graph `@odata.type` → GraphQL type; a type not listed is `UnknownAssignmentTarget`, never a guess from the name. */
const TARGET_TYPE_NAME: ReadonlyMap<string, AssignmentTargetTypeName> = new Map(Object.values(TARGET_TYPES));

/** Wire targets carry `@odata.type` with its `#` (the Graph client adds it when a reply leaves it out). */
export function targetTypeName(target: WireAssignmentTarget): AssignmentTargetTypeName {
  return TARGET_TYPE_NAME.get(target['@odata.type']) ?? 'UnknownAssignmentTarget';
}

/** The target's filter type: `none` if a reply leaves it out, UNKNOWN_FUTURE_VALUE (never an error) for a new value. */
export function targetFilterType(target: WireAssignmentTarget): WireFilterType {
  const wire = target.deviceAndAppManagementAssignmentFilterType;
  if (wire == null) return WireFilterType.NONE;
  return knownFilterType(wire) ?? WireFilterType.UNKNOWN_FUTURE_VALUE;
}

/** A device state's `state` as the GraphQL enum; UNKNOWN_FUTURE_VALUE for a value this version does not know. */
export function deviceStateValue(state: WireDeviceState): WireDeviceStateValue {
  return knownDeviceState(state.state) ?? WireDeviceStateValue.UNKNOWN_FUTURE_VALUE;
}

/** A validated GraphQL target input → Graph's target object. */
export function toWireTarget(target: AssignmentTargetInput): WireAssignmentTarget {
  const wireTarget: WireAssignmentTarget = {
    '@odata.type': TARGET_TYPES[target.kind][0],
    deviceAndAppManagementAssignmentFilterId: target.filterId ?? null,
    deviceAndAppManagementAssignmentFilterType: target.filterType ?? WireFilterType.NONE,
  };
  if (target.kind === AssignmentTargetKind.Group || target.kind === AssignmentTargetKind.ExclusionGroup) {
    wireTarget.groupId = target.groupId;
  } else if (target.kind === AssignmentTargetKind.ConfigurationManagerCollection) {
    wireTarget.collectionId = target.collectionId;
  }
  return wireTarget;
}

/** A validated GraphQL assignment input → the body item Graph's assign action takes. */
export function toWireAssignment(input: EmbeddedSIMActivationCodePoolAssignmentInput): WireAssignmentInput {
  const wire: WireAssignmentInput = { '@odata.type': ODATA_TYPE.assignment, target: toWireTarget(input.target) };
  if (input.id != null) wire.id = input.id;
  return wire;
}

/** An assignment Graph holds → the body item that keeps it: its id and target as read, optionally another filter. */
export function keptAssignment(existing: WireAssignment, filter?: Pick<WireAssignmentTarget, 'deviceAndAppManagementAssignmentFilterId' | 'deviceAndAppManagementAssignmentFilterType'>): WireAssignmentInput {
  const target = filter ? { ...existing.target, ...filter } : existing.target;
  return { '@odata.type': ODATA_TYPE.assignment, id: existing.id, target };
}

/** A validated create input → Graph's create body (the display name as validation trimmed it). */
export function toWirePoolCreate(input: CreateEmbeddedSIMActivationCodePoolInput, displayName: string): WirePoolCreate {
  return {
    '@odata.type': ODATA_TYPE.pool,
    displayName,
    // As GraphQL coerced them: the three properties of the input type, nothing else.
    activationCodes: input.activationCodes,
  };
}
