/** Target checks: do a target's group and filter exist (writes read afresh, `targetState` cached); docs/edits.md. */
import { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';
import { AssignmentTargetState, TargetCheck, type EmbeddedSIMActivationCodePoolAssignmentInput, type UncheckedTarget } from '../generated/graphql';
import type { CallOptions, EsimPoolsApi } from '../graph/api';
import type { DirectoryKey, WireDirectoryObject } from '../graph/directory';
import { isGraphError } from '../graph/errors';
import type { WireAssignmentTarget } from '../graph/models';
import type { Context } from './context';
import { ErrorCode, toGraphQLError } from './errors';
import { errorCodeOf } from './journal';
import { targetTypeName } from './mapping';

/** TARGET_CHECKS: refuse a write whose check could not be made (strict), report it on the payload (warn), or no checks (off). */
export type TargetCheckMode = 'strict' | 'warn' | 'off';

/** Per kind: the Graph permission its read needs (docs/edits.md), its name, why a missing one is refused, its check. */
const KINDS = {
  group: { permission: 'GroupMember.Read.All', noun: 'group', reason: 'GROUP_NOT_FOUND', check: TargetCheck.GroupExists },
  filter: { permission: 'DeviceManagementConfiguration.Read.All', noun: 'assignment filter', reason: 'FILTER_NOT_FOUND', check: TargetCheck.FilterExists },
} as const;

/** One target a write sends, with the argument path of its target object (e.g. `assignments[2].target`). */
export interface SentTarget {
  path: string;
  groupId?: string | null;
  filterId?: string | null;
}

/** The targets of an assignment list as sent (`assignments[i].target`): what a write must check. */
export function sentTargets(assignments: readonly EmbeddedSIMActivationCodePoolAssignmentInput[]): SentTarget[] {
  return assignments.map((a, i) => ({ path: `assignments[${i}].target`, groupId: a.target.groupId, filterId: a.target.filterId }));
}

const keyOf = (key: DirectoryKey): string => `${key.kind}:${key.id.toLowerCase()}`;

/** Graph's existence answers for `targetState` only, by `keyOf`: found and 404 are kept. */
export type DirectoryCache = LRUCache<string, { found: WireDirectoryObject | null }>;

/** At most 10 000 answers for `ttlSeconds`; none kept when it is 0 (lru-cache's ttl 0 would keep them forever). */
export const directoryCache = (ttlSeconds: number): DirectoryCache | undefined =>
  ttlSeconds > 0 ? new LRUCache({ max: 10_000, ttl: ttlSeconds * 1000 }) : undefined;

/** What writes and `targetState` need besides Graph: the mode and the cache. One per app. */
export interface TargetCheckServices {
  mode: TargetCheckMode;
  cache?: DirectoryCache;
}

/** Groups and filters by key, cache first unless `fresh`; found and 404 are cached, a failed batch fails every key. */
export async function readDirectory(
  graph: EsimPoolsApi,
  keys: readonly DirectoryKey[],
  options: CallOptions,
  cache: DirectoryCache | undefined,
  fresh = false,
): Promise<(WireDirectoryObject | null | Error)[]> {
  const results: (WireDirectoryObject | null | Error | undefined)[] = keys.map((key) => (fresh ? undefined : cache?.get(keyOf(key))?.found));
  const missing = keys.flatMap((key, i) => (results[i] === undefined ? [i] : []));
  if (missing.length > 0) {
    const read = await graph.getDirectoryObjects(missing.map((i) => keys[i]), options).catch((error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      return missing.map(() => failure);
    });
    missing.forEach((i, k) => {
      results[i] = read[k];
      if (!(read[k] instanceof Error)) cache?.set(keyOf(keys[i]), { found: read[k] });
    });
  }
  return results.map((r) => (r === undefined ? new Error('not read') : r));
}

interface Reference {
  key: DirectoryKey;
  field: string;
}

/** A check Graph refused (403) or failed: thrown in strict mode (nothing is written), else listed with its code. */
function checkFailed(ref: Reference, error: Error, strict: boolean): UncheckedTarget {
  const permission = isGraphError(error) && error.status === 403 ? KINDS[ref.key.kind].permission : null;
  const code = permission === null ? errorCodeOf(error) : ErrorCode.Forbidden;
  if (strict && permission !== null) {
    throw new GraphQLError(
      `Forbidden: checking ${ref.field} needs the ${permission} permission on Microsoft Graph (or TARGET_CHECKS=warn); nothing was written.`,
      { extensions: { code, field: ref.field, missingPermission: permission } },
    );
  }
  if (strict) {
    const mapped = toGraphQLError(error);
    const why = mapped?.message ?? 'The check failed unexpectedly.';
    throw new GraphQLError(`${why} (${ref.field} could not be checked; nothing was written.)`, { extensions: { ...mapped?.extensions, code, field: ref.field } });
  }
  return { field: ref.field, check: KINDS[ref.key.kind].check, id: ref.key.id, code, missingPermission: permission };
}

/** The targets a write sends, read afresh: missing is BAD_USER_INPUT; a failed check throws (strict) or is listed. */
export async function checkSentTargets(ctx: Context, targets: readonly SentTarget[]): Promise<UncheckedTarget[]> {
  const mode = ctx.edits.targets?.mode ?? 'strict';
  if (mode === 'off') return [];
  const refs: Reference[] = targets.flatMap((target) => [
    ...(target.groupId ? [{ key: { kind: 'group' as const, id: target.groupId }, field: `${target.path}.groupId` }] : []),
    ...(target.filterId ? [{ key: { kind: 'filter' as const, id: target.filterId }, field: `${target.path}.filterId` }] : []),
  ]);
  if (refs.length === 0) return [];
  const keys = [...new Map(refs.map((ref) => [keyOf(ref.key), ref.key])).values()];
  // Fresh: a group deleted a second ago must be refused; what Graph says still refreshes the cache.
  const read = await readDirectory(ctx.graph, keys, ctx.callOptions, ctx.edits.targets?.cache, true);
  const byKey = new Map(keys.map((key, i) => [keyOf(key), read[i]]));
  const missing = refs.find((ref) => byKey.get(keyOf(ref.key)) === null);
  if (missing !== undefined) {
    const { noun, reason } = KINDS[missing.key.kind];
    throw new GraphQLError(`${missing.field}: the ${noun} ${missing.key.id} does not exist (deleted, or never there); nothing was written.`, {
      extensions: { code: ErrorCode.BadUserInput, field: missing.field, reason },
    });
  }
  const failures: UncheckedTarget[] = [];
  for (const ref of refs) {
    const found = byKey.get(keyOf(ref.key));
    if (found instanceof Error) failures.push(checkFailed(ref, found, mode === 'strict'));
  }
  return failures;
}

/** The state of an assignment's target, through the request's loader (one batch for the whole operation). */
export async function targetState(ctx: Context, target: WireAssignmentTarget): Promise<AssignmentTargetState> {
  const type = targetTypeName(target);
  if (type === 'UnknownAssignmentTarget') return AssignmentTargetState.Unknown;
  const isGroup = type === 'GroupAssignmentTarget' || type === 'ExclusionGroupAssignmentTarget';
  // A group target without a group id targets nobody, like one whose group was deleted.
  if (isGroup && !target.groupId) return AssignmentTargetState.GroupNotFound;
  const filterId = target.deviceAndAppManagementAssignmentFilterId;
  const [group, filter] = await Promise.allSettled([
    isGroup && target.groupId ? ctx.loaders.directoryObject.load({ kind: 'group', id: target.groupId }) : Promise.resolve(undefined),
    filterId ? ctx.loaders.directoryObject.load({ kind: 'filter', id: filterId }) : Promise.resolve(undefined),
  ]);
  if (group.status === 'fulfilled' && group.value === null) return AssignmentTargetState.GroupNotFound;
  if (filter.status === 'fulfilled' && filter.value === null) return AssignmentTargetState.FilterNotFound;
  if (group.status === 'rejected' || filter.status === 'rejected') return AssignmentTargetState.Unknown;
  return AssignmentTargetState.Ok;
}
