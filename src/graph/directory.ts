/** Reads of what assignment targets point at: Entra ID groups and Intune assignment filters, mixed in $batch. */
import type { BatchItemResult, CallOptions } from './api';
import { batchRead, type BatchContext } from './batch';
import { GraphError } from './errors';
import { isGuid, isRecord } from './json';
import type { WireRead } from './models';
import { invalidResponse, parseEntity } from './odata';

/** What a target references: a group, or an assignment filter. */
export interface DirectoryKey {
  kind: 'group' | 'filter';
  id: string;
}

/** A group that exists, or an assignment filter with Graph's `devicePlatformType` as sent (`iOS`, …). */
export type WireDirectoryObject = { kind: 'group'; id: string } | { kind: 'filter'; id: string; platform?: string };

const PATHS = {
  group: (id: string) => `/groups/${id}?$select=id`,
  filter: (id: string) => `/deviceManagement/assignmentFilters/${id}?$select=id,platform`,
} as const;
const PATH_TEMPLATE = '/groups/{id}|/deviceManagement/assignmentFilters/{id}';

function readObject(key: DirectoryKey): (value: unknown) => WireRead<WireDirectoryObject> {
  return (value) => {
    if (!isRecord(value) || typeof value.id !== 'string') return { ok: false, problem: 'id is not a string' };
    if (value.id.toLowerCase() !== key.id.toLowerCase()) return { ok: false, problem: `it is another ${key.kind}` };
    if (key.kind === 'group') return { ok: true, value: { kind: 'group', id: value.id } };
    const platform = value.platform;
    if (platform !== undefined && platform !== null && typeof platform !== 'string') return { ok: false, problem: 'platform is not a string' };
    return { ok: true, value: { kind: 'filter', id: value.id, ...(typeof platform === 'string' ? { platform } : {}) } };
  };
}

/** Groups and filters by id through `$batch`, results in key order (batchRead). */
export function getDirectoryObjects(
  context: BatchContext,
  keys: readonly DirectoryKey[],
  options?: CallOptions,
): Promise<BatchItemResult<WireDirectoryObject>[]> {
  const pathOf = (key: DirectoryKey): string | GraphError =>
    isGuid(key.id) ? PATHS[key.kind](key.id) : new GraphError(`A ${key.kind} id that is not a GUID is not used in a request.`, { kind: 'invalid-response' });
  return batchRead(context, keys, pathOf, PATH_TEMPLATE, (reply, key) => {
    if (!isRecord(reply.json)) throw invalidResponse(reply, `a ${key.kind}`);
    return parseEntity(reply, readObject(key), key.kind);
  }, options);
}
