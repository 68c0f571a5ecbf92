/**
 * Microsoft Graph beta wire models for deviceManagement/embeddedSIMActivationCodePools, as defined by the beta
 * CSDL (see shared/graph-contract). These are the shapes on the wire; nothing here knows GraphQL.
 */
import { isRecord } from './json';

/**
 * `microsoft.graph.deviceAndAppManagementAssignmentFilterType`: member names are the GraphQL enum's, values
 * Graph's wire strings (codegen's `enumValues` binds the GraphQL enum to this one).
 */
export enum WireFilterType {
  NONE = 'none',
  INCLUDE = 'include',
  EXCLUDE = 'exclude',
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
  deviceAndAppManagementAssignmentFilterType?: WireFilterType | null;
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
  state: WireDeviceStateValue;
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

// ---- wire guards: a reply is trusted only after these checks ----

export function isWirePool(v: unknown): v is WirePool {
  return (
    isRecord(v) &&
    typeof v.id === 'string' &&
    typeof v.displayName === 'string' &&
    typeof v.activationCodeCount === 'number' &&
    typeof v.createdDateTime === 'string' &&
    typeof v.modifiedDateTime === 'string'
  );
}

/** A pool read with `$expand=assignments`: the expansion is checked on its own (it may be missing or malformed). */
export function isWirePoolWithAssignments(v: unknown): v is WirePool & { assignments?: unknown; 'assignments@odata.context'?: unknown } {
  return isWirePool(v);
}

export function isWireAssignment(v: unknown): v is WireAssignment {
  return isRecord(v) && typeof v.id === 'string' && isRecord(v.target) && typeof v.target['@odata.type'] === 'string';
}

export function isWireDeviceState(v: unknown): v is WireDeviceState {
  return (
    isRecord(v) &&
    typeof v.id === 'string' &&
    typeof v.state === 'string' &&
    typeof v.createdDateTime === 'string' &&
    typeof v.modifiedDateTime === 'string'
  );
}

// ---- pool lifecycle (issue 12): request bodies of create and update ----

/**
 * `microsoft.graph.embeddedSIMActivationCode`: a credential (whoever holds one can download the operator's eSIM
 * profile). Graph never returns it; this client only ever sends it.
 */
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
