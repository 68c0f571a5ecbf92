/**
 * Microsoft Graph (beta) emulator for deviceManagement/embeddedSIMActivationCodePools: a real HTTP
 * server on loopback with Graph's semantics, sample data and Dev-Proxy-style fault injection.
 */
export { startGraphEmulator, MAX_BATCH_REQUESTS } from './server';
export { embeddedEmulatorOptions, parseEmulatorEnv, toStartOptions, EnvError } from './cli-env';
export type {
  StartEmulatorOptions,
  RecordedRequest,
  GraphEmulator,
  BatchOrder,
  AssignReplyMode,
  WriteReplyMode,
  WriteLimit,
  ActivationCode,
  QuirksConfig,
  ReplyRule,
  SkipTokenStyle,
  TargetAccess,
} from './types';
export { SAMPLE_UNASSIGNED_GROUP_IDS, SAMPLE_DELETED_GROUP_ID, SAMPLE_IOS_FILTER_ID } from './directory';
export type { GroupWire, FilterWire } from './directory';
export { parseQuirks } from './quirks';
export { parseWriteLimit } from './write-window';
export { REDACTED } from './secrets';
export type { FaultConfig, ScriptStep, FaultAction, FaultDecision } from './faults';
export {
  parseFaultConfig,
  FaultConfigError,
  FaultEngine,
  mulberry32,
  DEFAULT_FAULT_SEED,
  DEFAULT_FAILURE_STATUSES,
} from './faults';
export {
  SAMPLE_POOLS,
  SAMPLE_GROUP_IDS,
  SAMPLE_FILTER_ID,
  SAMPLE_ASSIGNMENT_IDS,
  TARGET_TYPES,
  DEVICE_STATE_VALUES,
  generatedPoolId,
} from './data';
export type { PoolWire, AssignmentWire, TargetWire, DeviceStateWire, DeviceStateValue, FilterType } from './data';
export { POOLS_REL, nullTargetIds } from './quirk-presets';
