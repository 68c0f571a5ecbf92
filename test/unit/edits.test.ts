/**
 * The pure parts of partial assignment edits: target identity, the add and remove merge rules, the replace
 * receipts, the version, and how coordination failures map to GraphQL errors.
 */
import { GraphQLError } from 'graphql';
import { CoordinationError } from '../../src/coordination/types';
import { assignmentsVersion, diffAssignments, planAdd, planRemove, targetKey, validateVersionArgument } from '../../src/graphql/edits/merge';
import { toGraphQLError } from '../../src/graphql/errors';
import { budgetError } from '../../src/graph/pipeline/policies/limitsPolicy';
import { ODATA_TYPE, WireFilterType, type WireAssignment, type WireAssignmentInput, type WireAssignmentTarget } from '../../src/graph/models';

const G1 = '3a1f6c2e-8d4b-4e9a-b7c5-1d2e3f4a5b60';
const G2 = 'c7e2d9a4-5f1b-4a8c-9e3d-6b7a8c9d0e21';
const G3 = '11111111-2222-4333-8444-555555555555';
const F1 = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c32';
const F2 = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c99';
const ASSIGNMENT = ODATA_TYPE.assignment;

const group = (groupId: string, filterId: string | null = null, filterType = WireFilterType.NONE, type: string = ODATA_TYPE.group): WireAssignmentTarget => ({
  '@odata.type': type,
  deviceAndAppManagementAssignmentFilterId: filterId,
  deviceAndAppManagementAssignmentFilterType: filterType,
  groupId,
});
const existing = (id: string, target: WireAssignmentTarget): WireAssignment => ({ '@odata.type': ASSIGNMENT, id, target });
const input = (target: WireAssignmentTarget, id?: string): WireAssignmentInput => ({ '@odata.type': ASSIGNMENT, target, ...(id ? { id } : {}) });

const CURRENT: WireAssignment[] = [
  existing('a-1', group(G1)),
  existing('a-2', group(G2, F1, WireFilterType.INCLUDE, ODATA_TYPE.exclusionGroup)),
];

function codeOf(fn: () => unknown): { code: unknown; field: unknown } {
  try {
    fn();
  } catch (error) {
    if (error instanceof GraphQLError) return { code: error.extensions.code, field: error.extensions.field };
    throw error;
  }
  throw new Error('expected an error');
}

describe('target identity', () => {
  it('is the type plus the group or collection id, case-insensitively, without the filter', () => {
    expect(targetKey(group(G1))).toBe(targetKey(group(G1.toUpperCase(), F1, WireFilterType.EXCLUDE)));
    expect(targetKey(group(G1))).not.toBe(targetKey(group(G1, null, WireFilterType.NONE, ODATA_TYPE.exclusionGroup)));
    expect(targetKey({ '@odata.type': ODATA_TYPE.configurationManagerCollection, collectionId: 'SMS00001' })).toBe(
      targetKey({ '@odata.type': ODATA_TYPE.configurationManagerCollection, collectionId: 'sms00001' }),
    );
    expect(targetKey({ '@odata.type': ODATA_TYPE.allDevices })).not.toBe(targetKey({ '@odata.type': ODATA_TYPE.allLicensedUsers }));
  });
});

describe('planAdd', () => {
  it('appends a new target and sends every existing assignment back with its id and target untouched', () => {
    const plan = planAdd(CURRENT, [input(group(G3), 'new-id')]);
    expect(plan.changed).toBe(true);
    expect(plan.body).toEqual([
      { '@odata.type': ASSIGNMENT, id: 'a-1', target: CURRENT[0].target },
      { '@odata.type': ASSIGNMENT, id: 'a-2', target: CURRENT[1].target },
      input(group(G3), 'new-id'),
    ]);
    expect(plan.body[0].target).toBe(CURRENT[0].target);
    expect(plan).toMatchObject({ added: [group(G3)], updated: [], removed: [] });
  });

  it('an assigned target with the same filter changes nothing (ids compared case-insensitively)', () => {
    const plan = planAdd(CURRENT, [input(group(G1.toUpperCase())), input(group(G2, F1.toUpperCase(), WireFilterType.INCLUDE, ODATA_TYPE.exclusionGroup))]);
    expect(plan).toMatchObject({ changed: false, added: [], updated: [], removed: [] });
  });

  it('an assigned target with another filter is updated in place: same id, same group, the new filter', () => {
    const plan = planAdd(CURRENT, [input(group(G1, F2, WireFilterType.EXCLUDE), 'ignored-id')]);
    expect(plan.changed).toBe(true);
    expect(plan.body).toHaveLength(2);
    expect(plan.body[0]).toEqual({ '@odata.type': ASSIGNMENT, id: 'a-1', target: group(G1, F2, WireFilterType.EXCLUDE) });
    expect(plan.body[1].target).toBe(CURRENT[1].target);
    expect(plan.updated).toEqual([group(G1, F2, WireFilterType.EXCLUDE)]);
    expect(plan.added).toEqual([]);
    // Removing a filter is an update too.
    expect(planAdd(CURRENT, [input(group(G2, null, WireFilterType.NONE, ODATA_TYPE.exclusionGroup))]).updated).toHaveLength(1);
  });

  it('keeps unknown target types and properties as Graph sent them', () => {
    const odd = existing('a-9', { '@odata.type': '#microsoft.graph.someFutureTarget', deviceAndAppManagementAssignmentFilterType: WireFilterType.NONE });
    const plan = planAdd([odd], [input(group(G3))]);
    expect(plan.body[0]).toEqual({ '@odata.type': ASSIGNMENT, id: 'a-9', target: odd.target });
  });

  it('refuses a merged set Graph would refuse: a group included and excluded, a repeated id, too many', () => {
    expect(codeOf(() => planAdd(CURRENT, [input(group(G1, null, WireFilterType.NONE, ODATA_TYPE.exclusionGroup))]))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'assignments[0].target.groupId',
    });
    expect(codeOf(() => planAdd(CURRENT, [input(group(G3)), input(group(G3.replace('1', '9')), 'A-1')]))).toEqual({ code: 'BAD_USER_INPUT', field: 'assignments[1].id' });
    const many = Array.from({ length: 99 }, (_, i) => existing(`x-${i}`, group(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)));
    expect(planAdd(many, [input(group(G3))]).body).toHaveLength(100);
    expect(codeOf(() => planAdd(many, [input(group(G3)), input(group(G2))]))).toEqual({ code: 'BAD_USER_INPUT', field: 'assignments' });
  });
});

describe('planRemove', () => {
  it('drops the named targets (whatever filter they name) and sends the rest back untouched', () => {
    const plan = planRemove(CURRENT, [group(G2.toUpperCase(), F2, WireFilterType.EXCLUDE, ODATA_TYPE.exclusionGroup)]);
    expect(plan.changed).toBe(true);
    expect(plan.body).toEqual([{ '@odata.type': ASSIGNMENT, id: 'a-1', target: CURRENT[0].target }]);
    expect(plan.removed).toEqual([CURRENT[1].target]);
  });

  it('a target that is not assigned is no error and not in removed', () => {
    const plan = planRemove(CURRENT, [group(G3), group(G1, null, WireFilterType.NONE, ODATA_TYPE.exclusionGroup)]);
    expect(plan).toMatchObject({ changed: false, removed: [], added: [], updated: [] });
    expect(plan.body.map((a) => a.id)).toEqual(['a-1', 'a-2']);
  });

  it('removing everything leaves an empty body (the pool is unassigned)', () => {
    const plan = planRemove(CURRENT, [group(G1), group(G2, null, WireFilterType.NONE, ODATA_TYPE.exclusionGroup)]);
    expect(plan.body).toEqual([]);
    expect(plan.removed).toHaveLength(2);
  });
});

describe('diffAssignments (the replace receipts)', () => {
  it('added, updated (filter changed) and removed, by identity', () => {
    const after = [existing('n-1', group(G1.toUpperCase(), F2, WireFilterType.INCLUDE)), existing('n-3', group(G3))];
    expect(diffAssignments(CURRENT, after)).toEqual({ added: [group(G3)], updated: [after[0].target], removed: [CURRENT[1].target] });
    expect(diffAssignments(CURRENT, CURRENT)).toEqual({ added: [], updated: [], removed: [] });
  });
});

describe('assignmentsVersion', () => {
  const v = assignmentsVersion(CURRENT);

  it('is short, URL-safe and stable', () => {
    expect(v).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(assignmentsVersion(structuredClone(CURRENT))).toBe(v);
  });

  it('ignores order, assignment ids and the case of ids', () => {
    expect(assignmentsVersion([...CURRENT].reverse())).toBe(v);
    expect(assignmentsVersion(CURRENT.map((a, i) => ({ ...a, id: `other-${i}` })))).toBe(v);
    expect(assignmentsVersion([existing('a-1', group(G1.toUpperCase())), existing('a-2', group(G2.toUpperCase(), F1.toUpperCase(), WireFilterType.INCLUDE, ODATA_TYPE.exclusionGroup))])).toBe(v);
  });

  it('changes with a target, a filter id or a filter type', () => {
    const versions = new Set([
      v,
      assignmentsVersion([CURRENT[0]]),
      assignmentsVersion([...CURRENT, existing('a-3', group(G3))]),
      assignmentsVersion([CURRENT[0], existing('a-2', group(G2, F2, WireFilterType.INCLUDE, ODATA_TYPE.exclusionGroup))]),
      assignmentsVersion([CURRENT[0], existing('a-2', group(G2, F1, WireFilterType.EXCLUDE, ODATA_TYPE.exclusionGroup))]),
      assignmentsVersion([CURRENT[0], existing('a-2', group(G2, F1, WireFilterType.INCLUDE, ODATA_TYPE.group))]),
      assignmentsVersion([]),
    ]);
    expect(versions.size).toBe(7);
  });

  it('an argument that is not a version is BAD_USER_INPUT naming ifAssignmentsVersion', () => {
    expect(() => validateVersionArgument(v)).not.toThrow();
    expect(() => validateVersionArgument(null)).not.toThrow();
    expect(codeOf(() => validateVersionArgument('not a version'))).toEqual({ code: 'BAD_USER_INPUT', field: 'ifAssignmentsVersion' });
    expect(codeOf(() => validateVersionArgument(''))).toEqual({ code: 'BAD_USER_INPUT', field: 'ifAssignmentsVersion' });
  });
});

describe('coordination failures in toGraphQLError', () => {
  const map = (error: CoordinationError) => toGraphQLError(error)?.extensions;

  it('lock-timeout → POOL_BUSY with retryAfterSeconds', () => {
    expect(map(new CoordinationError('busy', 'lock-timeout', 2))).toEqual({ code: 'POOL_BUSY', retryAfterSeconds: 2 });
    expect(map(new CoordinationError('busy', 'lock-timeout'))).toEqual({ code: 'POOL_BUSY', retryAfterSeconds: 1 });
  });

  it('unavailable → COORDINATION_UNAVAILABLE; budget-exhausted → THROTTLED; aborted → as an aborted Graph call', () => {
    expect(map(new CoordinationError('redis down', 'unavailable'))).toEqual({ code: 'COORDINATION_UNAVAILABLE', retryAfterSeconds: 1 });
    expect(map(new CoordinationError('full', 'budget-exhausted', 7))).toEqual({ code: 'THROTTLED', retryAfterSeconds: 7 });
    expect(map(new CoordinationError('gone', 'aborted'))).toEqual({ code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('a shared budget whose store cannot answer (the Graph layer\'s rejected 503) → COORDINATION_UNAVAILABLE too', () => {
    const error = toGraphQLError(budgetError(new CoordinationError('redis down', 'unavailable'), 'write'));
    expect(error?.extensions).toMatchObject({ code: 'COORDINATION_UNAVAILABLE', retryAfterSeconds: 1 });
    expect(error?.message).not.toContain('redis down');
  });

  it('never passes the internal message on (it may name the store)', () => {
    expect(toGraphQLError(new CoordinationError('redis unreachable: ECONNREFUSED 10.0.0.7:6379', 'unavailable'))?.message).not.toContain('10.0.0.7');
  });
});
