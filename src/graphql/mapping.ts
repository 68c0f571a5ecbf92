/**
 * The one place where Graph wire models and GraphQL types meet: input kinds → `@odata.type`, `@odata.type` →
 * GraphQL type name, filter fields, and the payload model. Resolvers call these; nothing else maps.
 */
import {
  AssignmentTargetKind,
  type AssignmentTargetInput,
  type CreateEmbeddedSIMActivationCodePoolInput,
  type EmbeddedSIMActivationCodePoolAssignmentInput,
} from '../generated/graphql';
import {
  ODATA_TYPE,
  WireFilterType,
  type WireAssignment,
  type WireAssignmentInput,
  type WireAssignmentTarget,
  type WirePoolCreate,
} from '../graph/models';

/** How an edit changes a pool's set of targets (targets as Graph holds them: removed ones as they were). */
export interface AssignmentDiff {
  added: WireAssignmentTarget[];
  updated: WireAssignmentTarget[];
  removed: WireAssignmentTarget[];
}

/** What the assign mutation's resolver hands to the payload's field resolvers. */
export interface AssignPayloadModel {
  poolId: string;
  assignments: WireAssignment[];
  /** The receipts; computed (one read before the write) only when the operation selects them. */
  diff?: AssignmentDiff;
}

/** What the add/remove mutations' resolvers hand to the payload's field resolvers. */
export interface EditPayloadModel extends AssignmentDiff {
  poolId: string;
  /** The set after the edit (for a dry run or an edit that changes nothing: the current set). */
  assignments: WireAssignment[];
  dryRun: boolean;
  assignmentsVersion: string;
}

/** GraphQL input kind → Graph `@odata.type` of the target. */
export const TARGET_ODATA_TYPE: Readonly<Record<AssignmentTargetKind, string>> = {
  [AssignmentTargetKind.AllDevices]: ODATA_TYPE.allDevices,
  [AssignmentTargetKind.AllLicensedUsers]: ODATA_TYPE.allLicensedUsers,
  [AssignmentTargetKind.Group]: ODATA_TYPE.group,
  [AssignmentTargetKind.ExclusionGroup]: ODATA_TYPE.exclusionGroup,
  [AssignmentTargetKind.ConfigurationManagerCollection]: ODATA_TYPE.configurationManagerCollection,
};

export type AssignmentTargetTypeName =
  | 'AllDevicesAssignmentTarget'
  | 'AllLicensedUsersAssignmentTarget'
  | 'GroupAssignmentTarget'
  | 'ExclusionGroupAssignmentTarget'
  | 'ConfigurationManagerCollectionAssignmentTarget'
  | 'UnknownAssignmentTarget';

/**
 * Graph `@odata.type` → GraphQL type. Explicit on purpose: Graph adds target types over time, and a type not
 * listed here becomes `UnknownAssignmentTarget` (never a crash, never a guess from the name).
 */
const TARGET_TYPE_NAME: ReadonlyMap<string, AssignmentTargetTypeName> = new Map([
  [ODATA_TYPE.allDevices, 'AllDevicesAssignmentTarget'],
  [ODATA_TYPE.allLicensedUsers, 'AllLicensedUsersAssignmentTarget'],
  [ODATA_TYPE.group, 'GroupAssignmentTarget'],
  [ODATA_TYPE.exclusionGroup, 'ExclusionGroupAssignmentTarget'],
  [ODATA_TYPE.configurationManagerCollection, 'ConfigurationManagerCollectionAssignmentTarget'],
]);

export function targetTypeName(target: WireAssignmentTarget): AssignmentTargetTypeName {
  return TARGET_TYPE_NAME.get(target['@odata.type']) ?? 'UnknownAssignmentTarget';
}

/** The target's filter type; Graph's non-nullable property, defaulted to `none` if a reply leaves it out. */
export function targetFilterType(target: WireAssignmentTarget): WireFilterType {
  return target.deviceAndAppManagementAssignmentFilterType ?? WireFilterType.NONE;
}

/** A validated GraphQL target input → Graph's target object. */
export function toWireTarget(target: AssignmentTargetInput): WireAssignmentTarget {
  const wireTarget: WireAssignmentTarget = {
    '@odata.type': TARGET_ODATA_TYPE[target.kind],
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

/**
 * An assignment Graph holds → the body item that keeps it as it is: its own id and its target object exactly as
 * read (so a target type this subgraph does not know survives an edit too), optionally with another filter.
 */
export function keptAssignment(existing: WireAssignment, filter?: Pick<WireAssignmentTarget, 'deviceAndAppManagementAssignmentFilterId' | 'deviceAndAppManagementAssignmentFilterType'>): WireAssignmentInput {
  const target = filter ? { ...existing.target, ...filter } : existing.target;
  return { '@odata.type': ODATA_TYPE.assignment, id: existing.id, target };
}

// ---- issue 12: the pool lifecycle ----

/** A validated create input → Graph's create body (the display name as validation trimmed it). */
export function toWirePoolCreate(input: CreateEmbeddedSIMActivationCodePoolInput, displayName: string): WirePoolCreate {
  return {
    '@odata.type': ODATA_TYPE.pool,
    displayName,
    // Only the three properties Graph defines, whatever else a caller's object carried.
    activationCodes: input.activationCodes.map((code) => ({
      integratedCircuitCardIdentifier: code.integratedCircuitCardIdentifier,
      matchingIdentifier: code.matchingIdentifier,
      smdpPlusServerAddress: code.smdpPlusServerAddress,
    })),
  };
}
