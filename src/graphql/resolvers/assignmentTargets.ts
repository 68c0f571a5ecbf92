/**
 * The assignment target interface and its implementations. The concrete type comes from `@odata.type` through
 * the explicit map in mapping.ts; unknown types become UnknownAssignmentTarget.
 */
import type {
  AllDevicesAssignmentTargetResolvers,
  AllLicensedUsersAssignmentTargetResolvers,
  ConfigurationManagerCollectionAssignmentTargetResolvers,
  DeviceAndAppManagementAssignmentTargetResolvers,
  ExclusionGroupAssignmentTargetResolvers,
  GroupAssignmentTargetResolvers,
  UnknownAssignmentTargetResolvers,
} from '../../generated/graphql';
import type { WireAssignmentTarget } from '../../graph/models';
import { targetFilterType, targetTypeName } from '../mapping';

const common = {
  odataType: (t: WireAssignmentTarget) => t['@odata.type'],
  filterId: (t: WireAssignmentTarget) => t.deviceAndAppManagementAssignmentFilterId ?? null,
  filterType: (t: WireAssignmentTarget) => targetFilterType(t),
};

function requiredId(value: string | null | undefined, what: string): string {
  if (!value) throw new Error(`Microsoft Graph returned a target without ${what}.`);
  return value;
}

export const DeviceAndAppManagementAssignmentTarget: DeviceAndAppManagementAssignmentTargetResolvers = {
  __resolveType: (target) => targetTypeName(target),
};

export const AllDevicesAssignmentTarget: AllDevicesAssignmentTargetResolvers = { ...common };
export const AllLicensedUsersAssignmentTarget: AllLicensedUsersAssignmentTargetResolvers = { ...common };
export const UnknownAssignmentTarget: UnknownAssignmentTargetResolvers = { ...common };

export const GroupAssignmentTarget: GroupAssignmentTargetResolvers = {
  ...common,
  groupId: (t) => requiredId(t.groupId, 'groupId'),
  group: (t) => ({ id: requiredId(t.groupId, 'groupId') }),
};

export const ExclusionGroupAssignmentTarget: ExclusionGroupAssignmentTargetResolvers = {
  ...common,
  groupId: (t) => requiredId(t.groupId, 'groupId'),
  group: (t) => ({ id: requiredId(t.groupId, 'groupId') }),
};

export const ConfigurationManagerCollectionAssignmentTarget: ConfigurationManagerCollectionAssignmentTargetResolvers = {
  ...common,
  collectionId: (t) => requiredId(t.collectionId, 'collectionId'),
};
