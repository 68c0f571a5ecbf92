/** The assignment target interface and its implementations; an empty `groupId` or `collectionId` is served as null. */
import type * as G from '../../generated/graphql';
import type { WireAssignmentTarget } from '../../graph/models';
import { targetFilterType, targetTypeName } from '../mapping';

const common = {
  odataType: (t: WireAssignmentTarget) => t['@odata.type'],
  filterId: (t: WireAssignmentTarget) => t.deviceAndAppManagementAssignmentFilterId ?? null,
  filterType: (t: WireAssignmentTarget) => targetFilterType(t),
};

export const DeviceAndAppManagementAssignmentTarget: G.DeviceAndAppManagementAssignmentTargetResolvers = {
  __resolveType: (target) => targetTypeName(target),
};

export const AllDevicesAssignmentTarget: G.AllDevicesAssignmentTargetResolvers = { ...common };
export const AllLicensedUsersAssignmentTarget: G.AllLicensedUsersAssignmentTargetResolvers = { ...common };
export const UnknownAssignmentTarget: G.UnknownAssignmentTargetResolvers = { ...common };

/** A group target's group and its id; an empty id is no id. */
const group = {
  groupId: (t: WireAssignmentTarget) => t.groupId || null,
  group: (t: WireAssignmentTarget) => (t.groupId ? { id: t.groupId } : null),
};

export const GroupAssignmentTarget: G.GroupAssignmentTargetResolvers = { ...common, ...group };
export const ExclusionGroupAssignmentTarget: G.ExclusionGroupAssignmentTargetResolvers = { ...common, ...group };

export const ConfigurationManagerCollectionAssignmentTarget: G.ConfigurationManagerCollectionAssignmentTargetResolvers = {
  ...common,
  collectionId: (t) => t.collectionId || null,
};
