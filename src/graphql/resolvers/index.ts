import type { Resolvers } from '../../generated/graphql';
import { WireDeviceStateValue, WireFilterType } from '../../graph/models';
import { AssignEmbeddedSIMActivationCodePoolPayload } from './AssignEmbeddedSIMActivationCodePoolPayload';
import {
  AllDevicesAssignmentTarget,
  AllLicensedUsersAssignmentTarget,
  ConfigurationManagerCollectionAssignmentTarget,
  DeviceAndAppManagementAssignmentTarget,
  ExclusionGroupAssignmentTarget,
  GroupAssignmentTarget,
  UnknownAssignmentTarget,
} from './assignmentTargets';
import { EditEmbeddedSIMActivationCodePoolAssignmentsPayload } from './EditEmbeddedSIMActivationCodePoolAssignmentsPayload';
import { EmbeddedSIMActivationCodePool } from './EmbeddedSIMActivationCodePool';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { DateTime } from './scalars';

export const resolvers: Resolvers = {
  Query,
  Mutation,
  AssignEmbeddedSIMActivationCodePoolPayload,
  EditEmbeddedSIMActivationCodePoolAssignmentsPayload,
  EmbeddedSIMActivationCodePool,
  DeviceAndAppManagementAssignmentTarget,
  AllDevicesAssignmentTarget,
  AllLicensedUsersAssignmentTarget,
  GroupAssignmentTarget,
  ExclusionGroupAssignmentTarget,
  ConfigurationManagerCollectionAssignmentTarget,
  UnknownAssignmentTarget,
  DateTime,
  // Enum internal values are Graph's wire strings (codegen enumValues).
  DeviceAndAppManagementAssignmentFilterType: WireFilterType,
  EmbeddedSIMDeviceStateValue: WireDeviceStateValue,
};
