import type { Resolvers } from '../../generated/graphql';
import { WireDeviceStateValue, WireFilterType } from '../../graph/models';
import { HistoryKind, WriteOutcome } from '../mapping';
import { AssignEmbeddedSIMActivationCodePoolPayload } from './AssignEmbeddedSIMActivationCodePoolPayload';
import * as assignmentTargets from './assignmentTargets';
import * as edges from './edges';
import { BulkAssignmentEditResult } from './BulkAssignmentEditResult';
import { EditEmbeddedSIMActivationCodePoolAssignmentsPayload } from './EditEmbeddedSIMActivationCodePoolAssignmentsPayload';
import { EmbeddedSIMActivationCodePool } from './EmbeddedSIMActivationCodePool';
import { EmbeddedSIMActivationCodePoolAssignment } from './EmbeddedSIMActivationCodePoolAssignment';
import { EmbeddedSIMDeviceState } from './EmbeddedSIMDeviceState';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { DateTime } from './scalars';

export const resolvers: Resolvers = {
  Query,
  Mutation,
  AssignEmbeddedSIMActivationCodePoolPayload,
  EditEmbeddedSIMActivationCodePoolAssignmentsPayload,
  BulkAssignmentEditResult,
  EmbeddedSIMActivationCodePool,
  EmbeddedSIMActivationCodePoolAssignment,
  EmbeddedSIMDeviceState,
  ...edges,
  ...assignmentTargets,
  DateTime,
  // Enum internal values are Graph's wire strings (codegen enumValues); mapping.ts maps unknown ones to members.
  DeviceAndAppManagementAssignmentFilterType: WireFilterType,
  EmbeddedSIMDeviceStateValue: WireDeviceStateValue,
  // The history's kinds and outcomes are stored under their GraphQL names (src/history/types.ts).
  AssignmentHistoryKind: HistoryKind,
  AssignmentWriteOutcome: WriteOutcome,
};
