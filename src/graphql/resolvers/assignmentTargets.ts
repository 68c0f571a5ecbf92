/**
 * The assignment target interface and its implementations, typed by mapping.ts; a null `groupId` or `collectionId`
 * is served as it is.
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

export const DeviceAndAppManagementAssignmentTarget: DeviceAndAppManagementAssignmentTargetResolvers = {
  __resolveType: (target) => targetTypeName(target),
};

export const AllDevicesAssignmentTarget: AllDevicesAssignmentTargetResolvers = { ...common };
export const AllLicensedUsersAssignmentTarget: AllLicensedUsersAssignmentTargetResolvers = { ...common };
export const UnknownAssignmentTarget: UnknownAssignmentTargetResolvers = { ...common };

/** A group target's group and its id; an empty id is no id. */
const group = {
  groupId: (t: WireAssignmentTarget) => t.groupId || null,
  group: (t: WireAssignmentTarget) => (t.groupId ? { id: t.groupId } : null),
};

export const GroupAssignmentTarget: GroupAssignmentTargetResolvers = { ...common, ...group };
export const ExclusionGroupAssignmentTarget: ExclusionGroupAssignmentTargetResolvers = { ...common, ...group };

export const ConfigurationManagerCollectionAssignmentTarget: ConfigurationManagerCollectionAssignmentTargetResolvers = {
  ...common,
  collectionId: (t) => t.collectionId || null,
};
