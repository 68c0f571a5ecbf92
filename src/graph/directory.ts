/** Reads of what assignment targets point at: Entra ID groups and Intune assignment filters, mixed in $batch. */
import type { BatchItemResult, CallOptions } from './api';
import { batchGet, mapBatchItem, type BatchContext } from './batch';
import { GraphError } from './errors';
import { isGuid } from './json';
import { isRecord } from './json';
import type { WireRead } from './models';
import { invalidResponse, parseEntity } from './odata';

/** What a target references: a group, or an assignment filter. */
export interface DirectoryKey {
  kind: 'group' | 'filter';
  id: string;
}

/** A group that exists. */
export interface WireGroup {
  kind: 'group';
  id: string;
}

/** An assignment filter that exists, with Graph's `devicePlatformType` as sent (`windows10AndLater`, `iOS`, …). */
export interface WireAssignmentFilter {
  kind: 'filter';
  id: string;
  platform?: string;
}

export type WireDirectoryObject = WireGroup | WireAssignmentFilter;

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

/**
 * Groups and filters by id through `$batch`; results in key order: the object, null for 404, or that item's error.
 * An id that is not a GUID (one Graph sent in a target) is that item's error and never sent.
 */
export async function getDirectoryObjects(
  context: BatchContext,
  keys: readonly DirectoryKey[],
  options?: CallOptions,
): Promise<BatchItemResult<WireDirectoryObject>[]> {
  const results: BatchItemResult<WireDirectoryObject>[] = keys.map(() => null);
  const sent: number[] = [];
  keys.forEach((key, i) => {
    if (isGuid(key.id)) sent.push(i);
    else results[i] = new GraphError(`A ${key.kind} id that is not a GUID is not used in a request.`, { kind: 'invalid-response' });
  });
  if (sent.length === 0) return results;
  const replies = await batchGet(context, sent.map((i) => PATHS[keys[i].kind](keys[i].id)), PATH_TEMPLATE, options);
  replies.forEach((reply, k) => {
    const key = keys[sent[k]];
    results[sent[k]] = mapBatchItem(reply, (r) => {
      if (!isRecord(r.json)) throw invalidResponse(r, `a ${key.kind}`);
      return parseEntity(r, readObject(key), key.kind);
    });
  });
  return results;
}
