/**
 * In-memory data of the Graph emulator: wire shapes (exactly as Graph beta serialises them) and the
 * deterministic sample tenant.
 */
import { Directory, SAMPLE_DELETED_GROUP_ID, SAMPLE_UNASSIGNED_GROUP_IDS } from './directory';

export { SAMPLE_UNASSIGNED_GROUP_IDS } from './directory';

export const POOL_TYPE = '#microsoft.graph.embeddedSIMActivationCodePool';
export const ASSIGNMENT_TYPE = '#microsoft.graph.embeddedSIMActivationCodePoolAssignment';
export const DEVICE_STATE_TYPE = '#microsoft.graph.embeddedSIMDeviceState';
export const ACTIVATION_CODE_TYPE = '#microsoft.graph.embeddedSIMActivationCode';

export const TARGET_TYPES = {
  allDevices: '#microsoft.graph.allDevicesAssignmentTarget',
  allLicensedUsers: '#microsoft.graph.allLicensedUsersAssignmentTarget',
  group: '#microsoft.graph.groupAssignmentTarget',
  exclusionGroup: '#microsoft.graph.exclusionGroupAssignmentTarget',
  configurationManagerCollection: '#microsoft.graph.configurationManagerCollectionAssignmentTarget',
} as const;

export type FilterType = 'none' | 'include' | 'exclude';
export const FILTER_TYPES: readonly FilterType[] = ['none', 'include', 'exclude'];

export type DeviceStateValue =
  | 'notEvaluated'
  | 'failed'
  | 'installing'
  | 'installed'
  | 'deleting'
  | 'error'
  | 'deleted'
  | 'removedByUser';
export const DEVICE_STATE_VALUES: readonly DeviceStateValue[] = [
  'notEvaluated', 'failed', 'installing', 'installed', 'deleting', 'error', 'deleted', 'removedByUser',
];

export interface PoolWire {
  '@odata.type': typeof POOL_TYPE;
  id: string;
  displayName: string;
  activationCodeCount: number;
  createdDateTime: string;
  modifiedDateTime: string;
}

export interface TargetWire {
  '@odata.type': string;
  deviceAndAppManagementAssignmentFilterId: string | null;
  deviceAndAppManagementAssignmentFilterType: FilterType;
  groupId?: string;
  collectionId?: string;
}

export interface AssignmentWire {
  '@odata.type': typeof ASSIGNMENT_TYPE;
  id: string;
  target: TargetWire;
}

export interface DeviceStateWire {
  '@odata.type': typeof DEVICE_STATE_TYPE;
  id: string;
  createdDateTime: string;
  deviceName: string | null;
  lastSyncDateTime: string | null;
  modifiedDateTime: string;
  state: DeviceStateValue;
  stateDetails: string | null;
  universalIntegratedCircuitCardIdentifier: string | null;
  userName: string | null;
}

/** One activation code as posted. A credential: stored, counted, never served (Graph treats it as write-only). */
export interface ActivationCode {
  integratedCircuitCardIdentifier: string;
  matchingIdentifier: string;
  smdpPlusServerAddress: string;
}

export interface PoolRecord {
  pool: PoolWire;
  /** The codes posted with create/update (the sample and generated pools have none stored, only a count). */
  activationCodes: ActivationCode[];
  /** Wire objects as returned by GET …/assignments (normalised by assign, or raw via setRawAssignments). */
  assignments: unknown[];
  /** Sorted by createdDateTime, then id. */
  deviceStates: DeviceStateWire[];
}

// ---------------------------------------------------------------------------------------------
// Sample tenant (fixed GUIDs, fixed dates: identical on every run)
// ---------------------------------------------------------------------------------------------

export const SAMPLE_POOLS: ReadonlyArray<{ id: string; displayName: string }> = Object.freeze([
  Object.freeze({ id: '6f2c1b9e-4a3d-4c8e-9b1a-2f5e7d8c9a01', displayName: 'Contoso 5G field devices' }),
  Object.freeze({ id: 'b83e4d27-91c5-4f0a-a6d2-7c1e3f9b5d02', displayName: 'Fabrikam LTE kiosks' }),
  Object.freeze({ id: 'd4a9e5f1-2b7c-48d3-8e6f-0a1b2c3d4e03', displayName: 'Northwind sales laptops (eSIM)' }),
]);

/** [0] = group target of pool 1, [1] = exclusion group target of pool 1. */
export const SAMPLE_GROUP_IDS: readonly string[] = Object.freeze([
  '3a1f6c2e-8d4b-4e9a-b7c5-1d2e3f4a5b60',
  'c7e2d9a4-5f1b-4a8c-9e3d-6b7a8c9d0e21',
]);

/** Assignment filter used by pool 1's exclusion group target (filter type "include"). */
export const SAMPLE_FILTER_ID = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c32';

export const SAMPLE_ASSIGNMENT_IDS: readonly string[] = Object.freeze([
  'a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a51', // pool 1, group target
  'a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a52', // pool 1, exclusion group target
  'a1b2c3d4-0003-4e5f-8a9b-0c1d2e3f4a53', // pool 3, all devices
  'a1b2c3d4-0004-4e5f-8a9b-0c1d2e3f4a54', // pool 3, group target of a deleted group (an orphan)
]);

/** The sample tenant's groups (id, name): the assigned ones, then the unassigned ones. */
const SAMPLE_GROUPS: ReadonlyArray<[string, string]> = [
  [SAMPLE_GROUP_IDS[0], 'Field engineers'],
  [SAMPLE_GROUP_IDS[1], 'Loaner devices'],
  [SAMPLE_UNASSIGNED_GROUP_IDS[0], 'Sales team'],
  [SAMPLE_UNASSIGNED_GROUP_IDS[1], 'Warehouse scanners'],
];

const POOL_DETAILS: ReadonlyArray<{ activationCodeCount: number; createdDateTime: string; modifiedDateTime: string }> = [
  { activationCodeCount: 250, createdDateTime: '2025-09-14T08:30:00Z', modifiedDateTime: '2026-01-20T16:45:12Z' },
  { activationCodeCount: 120, createdDateTime: '2025-11-02T13:05:41Z', modifiedDateTime: '2025-11-02T13:05:41Z' },
  { activationCodeCount: 75, createdDateTime: '2026-02-11T09:12:03Z', modifiedDateTime: '2026-03-01T10:00:00Z' },
];

const USERS = [
  'adele.vance', 'alex.wilber', 'diego.siciliani', 'grady.archie', 'henrietta.mueller', 'isaiah.langer',
  'johanna.lorenz', 'joni.sherman', 'lee.gu', 'lidia.holloway', 'lynne.robbins', 'megan.bowen',
  'miriam.graham', 'nestor.wilke', 'patti.fernandez', 'pradeep.gupta',
];

const STATE_DETAILS: Record<DeviceStateValue, string | null> = {
  notEvaluated: null,
  failed: 'Profile download failed: the SM-DP+ server rejected the matching ID.',
  installing: 'Profile download in progress.',
  installed: 'Profile installed and enabled.',
  deleting: 'Profile removal pending on the device.',
  error: 'The device reported error 0x87D1FDE8 while applying the profile.',
  deleted: 'Profile deleted by the administrator.',
  removedByUser: 'Profile removed by the device user.',
};

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0').slice(-width);
}

function isoPlusMinutes(baseIso: string, minutes: number): string {
  return new Date(Date.parse(baseIso) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
}

function makeDeviceStates(prefix: string, count: number, baseIso: string, deviceStem: string, domain: string): DeviceStateWire[] {
  const out: DeviceStateWire[] = [];
  for (let i = 0; i < count; i++) {
    const state = DEVICE_STATE_VALUES[i % DEVICE_STATE_VALUES.length];
    // Pairs (2k, 2k+1) share a createdDateTime so the id tie-break of the ordering matters;
    // ids are deliberately NOT in creation order (i * 7919 scrambles them).
    const created = isoPlusMinutes(baseIso, Math.floor(i / 2) * 415);
    const modified = isoPlusMinutes(created, 90 + (i % 5) * 37);
    const evaluated = state !== 'notEvaluated';
    out.push({
      '@odata.type': DEVICE_STATE_TYPE,
      id: `${prefix}${hex((i * 7919) % 0xffff, 4)}-7a2b-4c3d-8e4f-${hex(0x100000000 + i * 2654435761, 12)}`,
      createdDateTime: created,
      deviceName: `${deviceStem}-${String(i + 1).padStart(3, '0')}`,
      lastSyncDateTime: evaluated ? isoPlusMinutes(modified, 12) : null,
      modifiedDateTime: modified,
      state,
      stateDetails: STATE_DETAILS[state],
      universalIntegratedCircuitCardIdentifier: evaluated
        ? `8904903200${String(1000 + i).padStart(6, '0')}${String((i * 982451653) % 1e16).padStart(16, '0')}`
        : null,
      userName: `${USERS[i % USERS.length]}@${domain}`,
    });
  }
  return sortDeviceStates(out);
}

export function sortDeviceStates(states: DeviceStateWire[]): DeviceStateWire[] {
  return states.sort((a, b) =>
    a.createdDateTime < b.createdDateTime ? -1 : a.createdDateTime > b.createdDateTime ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
}

function sampleAssignments(poolIndex: number): unknown[] {
  if (poolIndex === 0) {
    const a: AssignmentWire[] = [
      {
        '@odata.type': ASSIGNMENT_TYPE,
        id: SAMPLE_ASSIGNMENT_IDS[0],
        target: {
          '@odata.type': TARGET_TYPES.group,
          deviceAndAppManagementAssignmentFilterId: null,
          deviceAndAppManagementAssignmentFilterType: 'none',
          groupId: SAMPLE_GROUP_IDS[0],
        },
      },
      {
        '@odata.type': ASSIGNMENT_TYPE,
        id: SAMPLE_ASSIGNMENT_IDS[1],
        target: {
          '@odata.type': TARGET_TYPES.exclusionGroup,
          deviceAndAppManagementAssignmentFilterId: SAMPLE_FILTER_ID,
          deviceAndAppManagementAssignmentFilterType: 'include',
          groupId: SAMPLE_GROUP_IDS[1],
        },
      },
    ];
    return a;
  }
  if (poolIndex === 2) {
    const a: AssignmentWire[] = [
      {
        '@odata.type': ASSIGNMENT_TYPE,
        id: SAMPLE_ASSIGNMENT_IDS[2],
        target: {
          '@odata.type': TARGET_TYPES.allDevices,
          deviceAndAppManagementAssignmentFilterId: null,
          deviceAndAppManagementAssignmentFilterType: 'none',
        },
      },
      {
        '@odata.type': ASSIGNMENT_TYPE,
        id: SAMPLE_ASSIGNMENT_IDS[3],
        target: {
          '@odata.type': TARGET_TYPES.group,
          deviceAndAppManagementAssignmentFilterId: null,
          deviceAndAppManagementAssignmentFilterType: 'none',
          groupId: SAMPLE_DELETED_GROUP_ID,
        },
      },
    ];
    return a;
  }
  return [];
}

function sampleDeviceStates(poolIndex: number): DeviceStateWire[] {
  if (poolIndex === 0) return makeDeviceStates('e5d5', 25, '2025-09-20T10:00:00Z', 'CONTOSO-5G', 'contoso.com');
  if (poolIndex === 2) return makeDeviceStates('f7a1', 4, '2026-02-15T08:00:00Z', 'NW-SALES-LT', 'northwindtraders.com');
  return [];
}

/** The id of the n-th generated pool (`extraPools`): `0e5e0000-0000-4000-8000-<n as 12 hex digits>`. */
export function generatedPoolId(n: number): string {
  return `0e5e0000-0000-4000-8000-${hex(n, 12)}`;
}

/** The n-th generated pool: created before the sample pools, with a group and an exclusion group target. */
function generatedPool(n: number): PoolRecord {
  const id = generatedPoolId(n);
  const created = isoPlusMinutes('2024-01-01T00:00:00Z', n * 60);
  const pool: PoolWire = {
    '@odata.type': POOL_TYPE,
    id,
    displayName: `Generated pool ${n + 1}`,
    activationCodeCount: 100 + (n % 400),
    createdDateTime: created,
    modifiedDateTime: created,
  };
  const target = (type: string, k: number): TargetWire => ({
    '@odata.type': type,
    deviceAndAppManagementAssignmentFilterId: null,
    deviceAndAppManagementAssignmentFilterType: 'none',
    groupId: `0e5e0001-0000-4000-8000-${hex(n * 2 + k, 12)}`,
  });
  const assignments: AssignmentWire[] = [
    { '@odata.type': ASSIGNMENT_TYPE, id: `0e5e0002-0000-4000-8000-${hex(n * 2, 12)}`, target: target(TARGET_TYPES.group, 0) },
    { '@odata.type': ASSIGNMENT_TYPE, id: `0e5e0002-0000-4000-8000-${hex(n * 2 + 1, 12)}`, target: target(TARGET_TYPES.exclusionGroup, 1) },
  ];
  return { pool, assignments, deviceStates: [], activationCodes: [] };
}

function comparePools(a: PoolWire, b: PoolWire): number {
  return a.createdDateTime < b.createdDateTime ? -1 : a.createdDateTime > b.createdDateTime ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The emulator's tenant: pools keyed by lower-case id, plus the pool list in Graph's stable order. */
export class EmulatorStore {
  private readonly byId = new Map<string, PoolRecord>();
  /** Sorted by createdDateTime, then id (the pool objects are shared with the records). */
  readonly poolList: PoolWire[] = [];
  /** The groups and assignment filters the assignments point at. */
  readonly directory: Directory;

  /**
   * @param seed load the sample tenant
   * @param extraPools that many more generated pools (deterministic ids, names and assignments), for load tests
   */
  constructor(seed: boolean, extraPools = 0) {
    this.directory = new Directory(seed ? { groups: SAMPLE_GROUPS, filterId: SAMPLE_FILTER_ID } : undefined, extraPools * 2);
    for (let i = 0; i < extraPools; i++) {
      const record = generatedPool(i);
      this.byId.set(record.pool.id, record);
      this.poolList.push(record.pool);
    }
    if (!seed) {
      this.sortPools();
      return;
    }
    SAMPLE_POOLS.forEach((p, i) => {
      const d = POOL_DETAILS[i];
      const pool: PoolWire = {
        '@odata.type': POOL_TYPE,
        id: p.id,
        displayName: p.displayName,
        activationCodeCount: d.activationCodeCount,
        createdDateTime: d.createdDateTime,
        modifiedDateTime: d.modifiedDateTime,
      };
      this.byId.set(p.id.toLowerCase(), { pool, assignments: sampleAssignments(i), deviceStates: sampleDeviceStates(i), activationCodes: [] });
      this.poolList.push(pool);
    });
    this.sortPools();
  }

  private sortPools(): void {
    this.poolList.sort(comparePools);
  }

  get(id: string): PoolRecord | undefined {
    return this.byId.get(id.toLowerCase());
  }

  get size(): number {
    return this.poolList.length;
  }

  /** Adds a new pool at its place in the list order (binary search: the list can hold 100k generated pools). */
  add(record: PoolRecord): void {
    const list = this.poolList;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (comparePools(list[mid], record.pool) <= 0) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, record.pool);
    this.byId.set(record.pool.id.toLowerCase(), record);
  }

  /** Removes a pool with everything under it. False when there is none with that id. */
  delete(id: string): boolean {
    const record = this.byId.get(id.toLowerCase());
    if (record === undefined) return false;
    this.byId.delete(id.toLowerCase());
    const at = this.poolList.indexOf(record.pool);
    if (at >= 0) this.poolList.splice(at, 1);
    return true;
  }
}
