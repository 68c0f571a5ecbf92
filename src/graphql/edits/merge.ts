/** Assignment sets as pure functions over wire shapes: what the replace-only assign must send, `assignmentsVersion`. */
import { createHash } from 'node:crypto';
import { ODATA_TYPE, WireFilterType, type WireAssignment, type WireAssignmentInput, type WireAssignmentTarget } from '../../graph/models';
import { badUserInput } from '../errors';
import { keptAssignment, type AssignmentDiff } from '../mapping';
import { MAX_ASSIGNMENTS } from '../validation';

/** What to write: the complete body for Graph's assign, and how it differs from the current set. */
export interface EditPlan extends AssignmentDiff {
  /** The complete new set: kept assignments with their own ids and targets, then the new ones. */
  body: WireAssignmentInput[];
  /** False when the edit changes nothing: then nothing is sent to Graph. */
  changed: boolean;
}

/** The identity of a target: type and id, lower case (`#microsoft.graph.alldevicesassignmenttarget|`). */
export function targetKey(target: WireAssignmentTarget): string {
  return `${target['@odata.type'].toLowerCase()}|${(target.groupId ?? target.collectionId ?? '').toLowerCase()}`;
}

/** The filter half of a target: no id is `null`, ids lower case, no type `none`; an unknown type kept as sent. */
function filterOf(target: WireAssignmentTarget): { id: string | null; type: string } {
  const id = target.deviceAndAppManagementAssignmentFilterId;
  return { id: id ? id.toLowerCase() : null, type: target.deviceAndAppManagementAssignmentFilterType ?? WireFilterType.NONE };
}

function sameFilter(a: WireAssignmentTarget, b: WireAssignmentTarget): boolean {
  const fa = filterOf(a);
  const fb = filterOf(b);
  return fa.id === fb.id && fa.type === fb.type;
}

function byKey(assignments: readonly { target: WireAssignmentTarget }[]): Map<string, number> {
  const index = new Map<string, number>();
  assignments.forEach((a, i) => {
    const key = targetKey(a.target);
    if (!index.has(key)) index.set(key, i);
  });
  return index;
}

/** How `after` differs from `before`, by target identity (for the replace mutation's receipts). */
export function diffAssignments(before: readonly WireAssignment[], after: readonly { target: WireAssignmentTarget }[]): AssignmentDiff {
  const old = byKey(before);
  const next = byKey(after);
  const diff: AssignmentDiff = { added: [], updated: [], removed: [] };
  for (const [key, i] of next) {
    const j = old.get(key);
    if (j === undefined) diff.added.push(after[i].target);
    else if (!sameFilter(before[j].target, after[i].target)) diff.updated.push(after[i].target);
  }
  for (const [key, j] of old) if (!next.has(key)) diff.removed.push(before[j].target);
  return diff;
}

const GROUP_TYPES: ReadonlySet<string> = new Set([ODATA_TYPE.group.toLowerCase(), ODATA_TYPE.exclusionGroup.toLowerCase()]);

/** The other group kind of a group target's key (a group included and excluded at once is refused). */
function oppositeGroupKey(target: WireAssignmentTarget): string | undefined {
  const type = target['@odata.type'].toLowerCase();
  if (!GROUP_TYPES.has(type) || !target.groupId) return undefined;
  const other = type === ODATA_TYPE.group.toLowerCase() ? ODATA_TYPE.exclusionGroup : ODATA_TYPE.group;
  return `${other.toLowerCase()}|${target.groupId.toLowerCase()}`;
}

/** Adds `additions` (an assigned target takes their filter); BAD_USER_INPUT: over MAX_ASSIGNMENTS, an id twice, a group in and out. */
export function planAdd(current: readonly WireAssignment[], additions: readonly WireAssignmentInput[]): EditPlan {
  const body = current.map((a) => keptAssignment(a));
  const plan: EditPlan = { body, added: [], updated: [], removed: [], changed: false };
  const index = byKey(current);
  const ids = new Set(current.map((a) => a.id.toLowerCase()));
  additions.forEach((addition, i) => {
    const at = `assignments[${i}]`;
    const key = targetKey(addition.target);
    const existing = index.get(key);
    if (existing !== undefined) {
      if (sameFilter(current[existing].target, addition.target)) return;
      body[existing] = keptAssignment(current[existing], {
        deviceAndAppManagementAssignmentFilterId: addition.target.deviceAndAppManagementAssignmentFilterId ?? null,
        deviceAndAppManagementAssignmentFilterType: filterOf(addition.target).type,
      });
      plan.updated.push(body[existing].target);
      return;
    }
    const opposite = oppositeGroupKey(addition.target);
    if (opposite !== undefined && index.has(opposite)) {
      throw badUserInput(`${at}.target.groupId is already assigned to this pool with the other group kind; remove that target first.`, `${at}.target.groupId`);
    }
    if (addition.id !== undefined) {
      if (ids.has(addition.id.toLowerCase())) throw badUserInput(`${at}.id is the id of another assignment of this pool.`, `${at}.id`);
      ids.add(addition.id.toLowerCase());
    }
    index.set(key, body.length);
    body.push(addition);
    plan.added.push(addition.target);
  });
  if (body.length > MAX_ASSIGNMENTS) {
    throw badUserInput(`The pool would have ${body.length} assignments; at most ${MAX_ASSIGNMENTS} are allowed.`, 'assignments');
  }
  plan.changed = plan.added.length > 0 || plan.updated.length > 0;
  return plan;
}

/** Removes the assignments of `targets` (filters ignored), the others sent back as they are; unassigned: no error. */
export function planRemove(current: readonly WireAssignment[], targets: readonly WireAssignmentTarget[]): EditPlan {
  const doomed = new Set(targets.map(targetKey));
  const plan: EditPlan = { body: [], added: [], updated: [], removed: [], changed: false };
  for (const assignment of current) {
    if (doomed.has(targetKey(assignment.target))) plan.removed.push(assignment.target);
    else plan.body.push(keptAssignment(assignment));
  }
  plan.changed = plan.removed.length > 0;
  return plan;
}

/** Puts back a recorded set of targets; an assigned target keeps its assignment's id and takes the recorded filter. */
export function planRestore(current: readonly WireAssignment[], recorded: readonly WireAssignmentTarget[]): EditPlan {
  const index = byKey(current);
  const body: WireAssignmentInput[] = [];
  // byKey: each recorded target once (the first of a repeated one), in the recorded order.
  for (const [key, i] of byKey(recorded.map((target) => ({ target })))) {
    const existing = index.get(key);
    const target = recorded[i];
    body.push(existing === undefined ? { '@odata.type': ODATA_TYPE.assignment, target } : { '@odata.type': ODATA_TYPE.assignment, id: current[existing].id, target });
  }
  const diff = diffAssignments(current, body);
  return { body, ...diff, changed: diff.added.length > 0 || diff.updated.length > 0 || diff.removed.length > 0 };
}

/** 22 base64url characters = 132 bits: collisions are out of reach, and the value stays short in a URL or a log. */
const VERSION_LENGTH = 22;
const VERSION = /^[A-Za-z0-9_-]{22}$/;

/** A stable hash of the order-independent set of (target, filter id, filter type); assignment ids are left out. */
export function assignmentsVersion(assignments: readonly Pick<WireAssignment, 'target'>[]): string {
  // Each entry as JSON: no value Graph sends can make two different sets print alike.
  const entries = assignments.map((a) => {
    const filter = filterOf(a.target);
    return JSON.stringify([targetKey(a.target), filter.id, filter.type]);
  });
  // Sorted and deduplicated: the same set in another order (or listed twice) has the same version.
  const canonical = `[${[...new Set(entries)].sort().join(',')}]`;
  return createHash('sha256').update(canonical).digest('base64url').slice(0, VERSION_LENGTH);
}

/** `ifAssignmentsVersion` must look like a version this subgraph made: anything else is a mistake, not a conflict. */
export function validateVersionArgument(value: string | null | undefined): void {
  if (value != null && !VERSION.test(value)) {
    throw badUserInput('ifAssignmentsVersion is not an assignmentsVersion (read it from the pool or a previous payload).', 'ifAssignmentsVersion');
  }
}
