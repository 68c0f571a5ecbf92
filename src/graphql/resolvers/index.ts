import type { Resolvers } from '../../generated/graphql';
import { WireDeviceStateValue, WireFilterType } from '../../graph/models';
import { HistoryKind, WriteOutcome } from '../mapping';
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
import { EmbeddedSIMActivationCodePoolEdge, EmbeddedSIMDeviceStateEdge } from './edges';
import { EditEmbeddedSIMActivationCodePoolAssignmentsPayload } from './EditEmbeddedSIMActivationCodePoolAssignmentsPayload';
import { EmbeddedSIMActivationCodePool } from './EmbeddedSIMActivationCodePool';
import { EmbeddedSIMDeviceState } from './EmbeddedSIMDeviceState';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { DateTime } from './scalars';

export const resolvers: Resolvers = {
  Query,
  Mutation,
  AssignEmbeddedSIMActivationCodePoolPayload,
  EditEmbeddedSIMActivationCodePoolAssignmentsPayload,
  EmbeddedSIMActivationCodePool,
  EmbeddedSIMActivationCodePoolEdge,
  EmbeddedSIMDeviceState,
  EmbeddedSIMDeviceStateEdge,
  DeviceAndAppManagementAssignmentTarget,
  AllDevicesAssignmentTarget,
  AllLicensedUsersAssignmentTarget,
  GroupAssignmentTarget,
  ExclusionGroupAssignmentTarget,
  ConfigurationManagerCollectionAssignmentTarget,
  UnknownAssignmentTarget,
  DateTime,
  // Enum internal values are Graph's wire strings (codegen enumValues); resolvers return members only
  // (mapping.ts turns a value this version does not know into UNKNOWN_FUTURE_VALUE).
  DeviceAndAppManagementAssignmentFilterType: WireFilterType,
  EmbeddedSIMDeviceStateValue: WireDeviceStateValue,
  // The history's kinds and outcomes are stored under their GraphQL names (src/history/types.ts).
  AssignmentHistoryKind: HistoryKind,
  AssignmentWriteOutcome: WriteOutcome,
};
