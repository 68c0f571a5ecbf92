/** Caller input checked before any call to Graph (nothing unchecked reaches it): BAD_USER_INPUT naming the field. */
import type { GraphQLError } from 'graphql';
import { AssignmentTargetKind, type AssignmentTargetInput, type EmbeddedSIMActivationCodePoolAssignmentInput } from '../generated/graphql';
import { isGuid } from '../graph/json';
import { WireFilterType } from '../graph/models';
import { badUserInput } from './errors';

/** The most assignments accepted in one assign call. */
export const MAX_ASSIGNMENTS = 100;
/** Page sizes accepted by `first`. */
const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;

/** Configuration Manager collection ids are short tokens such as `SMS00001`. */
const COLLECTION_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Intune assignment ids: GUIDs or GUID compositions joined by `_`. */
const ASSIGNMENT_ID = /^[A-Za-z0-9_-]{1,256}$/;

/** Throws BAD_USER_INPUT unless `value` is a GUID. */
export function requireGuid(value: string, field: string): string {
  if (!isGuid(value)) throw badUserInput(`${field} must be a GUID (Intune ids are GUIDs).`, field);
  return value;
}

export function pageSize(first: number | null | undefined, field = 'first'): number {
  if (first == null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`${field} must be between 1 and ${MAX_PAGE_SIZE}.`, field);
  }
  return first;
}

const isGroupKind = (kind: AssignmentTargetKind): boolean => kind === AssignmentTargetKind.Group || kind === AssignmentTargetKind.ExclusionGroup;

/** Checks one target's kind, ids and filter; `t` is its argument path, e.g. `assignments[0].target`. */
function checkTarget(target: AssignmentTargetInput, t: string): void {
  const refuse = (field: string, why: string): GraphQLError => badUserInput(`${t}.${field} ${why}`, `${t}.${field}`);
  const isGroup = isGroupKind(target.kind);
  if (isGroup && target.groupId == null) throw refuse('groupId', `is required for kind ${target.kind}.`);
  if (!isGroup && target.groupId != null) throw refuse('groupId', 'is only allowed for kinds GROUP and EXCLUSION_GROUP.');
  if (target.groupId != null) requireGuid(target.groupId, `${t}.groupId`);
  const isCollection = target.kind === AssignmentTargetKind.ConfigurationManagerCollection;
  if (isCollection && target.collectionId == null) throw refuse('collectionId', `is required for kind ${target.kind}.`);
  if (!isCollection && target.collectionId != null) throw refuse('collectionId', 'is only allowed for kind CONFIGURATION_MANAGER_COLLECTION.');
  if (target.collectionId != null && !COLLECTION_ID.test(target.collectionId)) {
    throw refuse('collectionId', 'is not a valid Configuration Manager collection id.');
  }
  const filterType = target.filterType ?? WireFilterType.NONE;
  // It stands for a value Graph has and this version does not know: nothing that could be sent back.
  if (filterType === WireFilterType.UNKNOWN_FUTURE_VALUE) {
    throw refuse('filterType', 'UNKNOWN_FUTURE_VALUE is only returned, never accepted: use NONE, INCLUDE or EXCLUDE.');
  }
  if (filterType !== WireFilterType.NONE && target.filterId == null) throw refuse('filterId', `is required when filterType is ${filterType.toUpperCase()}.`);
  if (target.filterId != null && filterType === WireFilterType.NONE) throw refuse('filterType', 'must be INCLUDE or EXCLUDE when filterId is given.');
  if (target.filterId != null) requireGuid(target.filterId, `${t}.filterId`);
}

function checkCount(length: number, field: string): void {
  if (length > MAX_ASSIGNMENTS) throw badUserInput(`${field} may hold at most ${MAX_ASSIGNMENTS} items (got ${length}).`, field);
}

/** Checks the assign mutation's arguments against the rules Graph enforces (and some it doesn't). */
export function validateAssignInput(poolId: string, assignments: readonly EmbeddedSIMActivationCodePoolAssignmentInput[]): void {
  requireGuid(poolId, 'poolId');
  validateAssignments(assignments);
}

/** Checks an assignment list (the assign and add mutations', one or many pools'). */
export function validateAssignments(assignments: readonly EmbeddedSIMActivationCodePoolAssignmentInput[]): void {
  checkCount(assignments.length, 'assignments');
  const targets = new Map<string, string>();
  const groups = new Map<string, string>();
  const ids = new Map<string, string>();
  assignments.forEach((assignment, index) => {
    const at = `assignments[${index}]`;
    if (assignment.id != null) {
      if (!ASSIGNMENT_ID.test(assignment.id)) throw badUserInput(`${at}.id is not a valid assignment id.`, `${at}.id`);
      const seen = ids.get(assignment.id.toLowerCase());
      if (seen) throw badUserInput(`${at}.id repeats the id of ${seen}.`, `${at}.id`);
      ids.set(assignment.id.toLowerCase(), at);
    }
    const { target } = assignment;
    const t = `${at}.target`;
    checkTarget(target, t);
    const key = `${target.kind}:${(target.groupId ?? target.collectionId ?? '').toLowerCase()}`;
    const seen = targets.get(key);
    if (seen) throw badUserInput(`${t} repeats the target of ${seen}.target.`, t);
    targets.set(key, at);
    if (isGroupKind(target.kind) && target.groupId != null) {
      const other = groups.get(target.groupId.toLowerCase());
      if (other) throw badUserInput(`${t}.groupId is both included and excluded (see ${other}.target).`, `${t}.groupId`);
      groups.set(target.groupId.toLowerCase(), at);
    }
  });
}

/** Checks the remove mutation's arguments: the targets are checked like assignment targets (a repeat is harmless). */
export function validateRemoveInput(poolId: string, targets: readonly AssignmentTargetInput[]): void {
  requireGuid(poolId, 'poolId');
  validateTargets(targets);
}

/** Checks a list of targets to remove (one or many pools'). */
export function validateTargets(targets: readonly AssignmentTargetInput[]): void {
  checkCount(targets.length, 'targets');
  targets.forEach((target, index) => checkTarget(target, `targets[${index}]`));
}
