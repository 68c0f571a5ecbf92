/**
 * What assignments point at outside the pools: Entra ID groups (`GET /groups/{id}`) and Intune assignment
 * filters (`GET /deviceManagement/assignmentFilters/{id}`). Single reads only (the collections are not
 * emulated), plain or as `$batch` items; a deleted or unknown object answers 404, and each kind can be made to
 * answer 403 (an app without the permission).
 */
import { queryOption } from './paging';
import { GUID_RE, type GraphCall, type GraphReply, type RequestIds, badRequest, graphError, isRecord, methodNotAllowed } from './util';

export const GROUP_TYPE = '#microsoft.graph.group';
export const FILTER_TYPE = '#microsoft.graph.deviceAndAppManagementAssignmentFilter';

/** The group properties the emulator holds (Graph's group has many more; `$select` of another one → 400). */
export interface GroupWire {
  id: string;
  displayName: string;
  description: string | null;
  securityEnabled: boolean;
  mailEnabled: boolean;
  groupTypes: string[];
}

/** Graph beta `deviceAndAppManagementAssignmentFilter` (the properties the emulator holds). */
export interface FilterWire {
  '@odata.type': typeof FILTER_TYPE;
  id: string;
  displayName: string;
  description: string | null;
  /** Graph's `devicePlatformType`: `android`, `iOS`, `macOS`, `windows10AndLater`, … kept as given. */
  platform: string;
  rule: string;
  assignmentFilterManagementType: 'devices' | 'apps';
  createdDateTime: string;
  lastModifiedDateTime: string;
  roleScopeTags: string[];
}

/** Which kinds of read answer 403 (the app lacks GroupMember.Read.All / DeviceManagementConfiguration.Read.All). */
export interface TargetAccess {
  groups: 'allowed' | 'forbidden';
  filters: 'allowed' | 'forbidden';
}

export const OPEN_ACCESS: Readonly<TargetAccess> = Object.freeze({ groups: 'allowed', filters: 'allowed' });

/** Parses a `TargetAccess` (both keys optional, merged over `base`); RangeError for anything else. */
export function parseTargetAccess(value: unknown, base: TargetAccess = OPEN_ACCESS): TargetAccess {
  if (value === null || value === undefined) return { ...OPEN_ACCESS };
  if (!isRecord(value)) throw new RangeError('Expected {"groups"?: "allowed" | "forbidden", "filters"?: "allowed" | "forbidden"}.');
  const out: TargetAccess = { ...base };
  for (const [key, v] of Object.entries(value)) {
    if (key !== 'groups' && key !== 'filters') throw new RangeError(`Unknown key '${key}': expected groups and/or filters.`);
    if (v !== 'allowed' && v !== 'forbidden') throw new RangeError(`${key} must be "allowed" or "forbidden".`);
    out[key] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sample directory (fixed GUIDs): what the sample pools' assignments reference, and more
// ---------------------------------------------------------------------------------------------

/** Groups of the sample tenant that no sample pool is assigned to (to add in examples and tests). */
export const SAMPLE_UNASSIGNED_GROUP_IDS: readonly string[] = Object.freeze([
  '5b0c2d1e-7f3a-4c9b-8e2d-4a6f1b3c5d70',
  '0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f61',
]);

/** A group that was deleted after a sample pool was assigned to it: an orphan assignment (pool 3). */
export const SAMPLE_DELETED_GROUP_ID = 'e0d1c2b3-a4f5-4e6d-8c7b-9a0f1e2d3c4f';

/** A second sample filter, for iOS devices (the first, SAMPLE_FILTER_ID, is for Windows 10 and later). */
export const SAMPLE_IOS_FILTER_ID = '2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5e70';

const GENERATED_GROUP_PREFIX = '0e5e0001-0000-4000-8000-';

function group(id: string, displayName: string): GroupWire {
  return { id, displayName, description: null, securityEnabled: true, mailEnabled: false, groupTypes: [] };
}

function filter(id: string, displayName: string, platform: string, rule: string): FilterWire {
  return {
    '@odata.type': FILTER_TYPE,
    id,
    displayName,
    description: null,
    platform,
    rule,
    assignmentFilterManagementType: 'devices',
    createdDateTime: '2025-08-01T09:00:00Z',
    lastModifiedDateTime: '2025-08-01T09:00:00Z',
    roleScopeTags: ['0'],
  };
}

/**
 * The groups and filters of one emulated tenant. The generated pools' groups (`extraPools`) exist without being
 * stored one by one (there can be 200 000 of them) until deleted.
 */
export class Directory {
  private readonly groups = new Map<string, GroupWire>();
  private readonly filters = new Map<string, FilterWire>();
  private readonly deletedGenerated = new Set<string>();

  /**
   * @param sampleGroups the ids (in order) and names of the sample groups, and the sample filter's id
   * @param generatedGroups how many generated groups exist (two per generated pool)
   */
  constructor(seed: { groups: ReadonlyArray<[id: string, name: string]>; filterId: string } | undefined, private readonly generatedGroups: number) {
    if (seed === undefined) return;
    for (const [id, name] of seed.groups) this.putGroup(id, name);
    this.putFilter(seed.filterId, 'Corporate Windows devices', 'windows10AndLater', '(device.deviceOwnership -eq "Corporate")');
    this.putFilter(SAMPLE_IOS_FILTER_ID, 'Supervised iPhones', 'iOS', '(device.enrollmentProfileName -startsWith "Supervised")');
  }

  putGroup(id: string, displayName = `Group ${id.slice(0, 8)}`): void {
    if (!GUID_RE.test(id)) throw new RangeError(`a group id must be a GUID, got '${id}'`);
    this.deletedGenerated.delete(id.toLowerCase());
    this.groups.set(id.toLowerCase(), group(id, displayName));
  }

  putFilter(id: string, displayName = `Filter ${id.slice(0, 8)}`, platform = 'windows10AndLater', rule = '(device.deviceOwnership -eq "Corporate")'): void {
    if (!GUID_RE.test(id)) throw new RangeError(`a filter id must be a GUID, got '${id}'`);
    if (typeof platform !== 'string' || platform.length === 0) throw new RangeError('platform must be a non-empty string');
    this.filters.set(id.toLowerCase(), filter(id, displayName, platform, rule));
  }

  /** False when there was no such group. */
  deleteGroup(id: string): boolean {
    const key = id.toLowerCase();
    if (this.groups.delete(key)) return true;
    if (this.generatedIndex(key) === undefined || this.deletedGenerated.has(key)) return false;
    this.deletedGenerated.add(key);
    return true;
  }

  deleteFilter(id: string): boolean {
    return this.filters.delete(id.toLowerCase());
  }

  getGroup(id: string): GroupWire | undefined {
    const key = id.toLowerCase();
    const stored = this.groups.get(key);
    if (stored !== undefined) return stored;
    const n = this.generatedIndex(key);
    if (n === undefined || this.deletedGenerated.has(key)) return undefined;
    return group(key, `Generated group ${n + 1}`);
  }

  getFilter(id: string): FilterWire | undefined {
    return this.filters.get(id.toLowerCase());
  }

  private generatedIndex(key: string): number | undefined {
    if (!key.startsWith(GENERATED_GROUP_PREFIX) || !GUID_RE.test(key)) return undefined;
    const n = Number.parseInt(key.slice(GENERATED_GROUP_PREFIX.length), 16);
    return n < this.generatedGroups ? n : undefined;
  }
}

const GROUP_PROPERTIES: ReadonlySet<string> = new Set(['id', 'displayName', 'description', 'securityEnabled', 'mailEnabled', 'groupTypes']);
const FILTER_PROPERTIES: ReadonlySet<string> = new Set(Object.keys(filter('', '', '', '')).filter((k) => k !== '@odata.type'));

/** `$select` applied to an entity: only the listed properties (and `@odata.type` where it has one); 400 for an unknown one. */
function select(entity: object, known: ReadonlySet<string>, typeName: string, call: GraphCall): { body: Record<string, unknown>; props?: string[] } | GraphReply {
  const raw = queryOption(call.query, 'select');
  const all = entity as Record<string, unknown>;
  if (raw === undefined) return { body: { ...all } };
  const props = raw.split(',').map((p) => p.trim());
  const body: Record<string, unknown> = {};
  if ('@odata.type' in all) body['@odata.type'] = all['@odata.type'];
  for (const p of props) {
    if (!known.has(p)) return badRequest(`Parsing OData Select and Expand failed: Could not find a property named '${p}' on type '${typeName}'.`, call.ids);
    body[p] = all[p];
  }
  return { body, props };
}

function isReply(value: object): value is GraphReply {
  return 'status' in value;
}

/** GET /groups/{id}: `segments` after `beta`. */
export function routeGroups(call: GraphCall, segments: string[], directory: Directory, access: TargetAccess, baseUrl: string): GraphReply {
  const ids: RequestIds = call.ids;
  if (segments.length !== 2) return graphError(404, 'UnknownError', `Resource not found for the segment '${segments[segments.length - 1]}'. The emulator serves single groups only.`, ids);
  if (call.method !== 'GET') return methodNotAllowed(call.method, 'GET', ids);
  if (access.groups === 'forbidden') return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', ids);
  const id = segments[1];
  if (!GUID_RE.test(id)) return graphError(400, 'Request_BadRequest', `Invalid object identifier '${id}'.`, ids);
  const found = directory.getGroup(id);
  if (found === undefined) {
    return graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, ids);
  }
  const selected = select({ '@odata.type': GROUP_TYPE, ...found }, GROUP_PROPERTIES, 'microsoft.graph.group', call);
  if (isReply(selected)) return selected;
  const context = selected.props ? `groups(${selected.props.join(',')})/$entity` : 'groups/$entity';
  // Graph leaves @odata.type out of a group read unless it is asked for; so does the emulator.
  delete selected.body['@odata.type'];
  return { status: 200, body: { '@odata.context': `${baseUrl}/beta/$metadata#${context}`, ...selected.body } };
}

/** GET /deviceManagement/assignmentFilters/{id}: `segments` after `deviceManagement`. */
export function routeFilters(call: GraphCall, segments: string[], directory: Directory, access: TargetAccess, baseUrl: string): GraphReply {
  const ids: RequestIds = call.ids;
  if (segments.length !== 2) return graphError(404, 'UnknownError', `Resource not found for the segment '${segments[segments.length - 1]}'. The emulator serves single assignment filters only.`, ids);
  if (call.method !== 'GET') return methodNotAllowed(call.method, 'GET', ids);
  if (access.filters === 'forbidden') {
    return graphError(
      403,
      'Forbidden',
      'Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementConfiguration.Read.All, DeviceManagementConfiguration.ReadWrite.All',
      ids,
    );
  }
  const id = segments[1];
  const found = GUID_RE.test(id) ? directory.getFilter(id) : undefined;
  if (found === undefined) return graphError(404, 'ResourceNotFound', `No deviceAndAppManagementAssignmentFilter with id '${id}' exists.`, ids);
  const selected = select(found, FILTER_PROPERTIES, 'microsoft.graph.deviceAndAppManagementAssignmentFilter', call);
  if (isReply(selected)) return selected;
  return { status: 200, body: { '@odata.context': `${baseUrl}/beta/$metadata#deviceManagement/assignmentFilters/$entity`, ...selected.body } };
}
