import { GraphQLError } from 'graphql';
import { AssignmentTargetKind, type EmbeddedSIMActivationCodePoolAssignmentInput } from '../../src/generated/graphql';
import { WireFilterType } from '../../src/graph/models';
import { MAX_ASSIGNMENTS, validateAssignInput } from '../../src/graphql/validation';

const POOL = '5d3a2cfe-6a3c-4f4b-9a0e-0a8c7c2b9f11';
const G1 = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a01';
const G2 = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a02';
const F1 = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c32';

function rejection(poolId: string, assignments: EmbeddedSIMActivationCodePoolAssignmentInput[]): GraphQLError {
  try {
    validateAssignInput(poolId, assignments);
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const group = (groupId: string, extra: Partial<EmbeddedSIMActivationCodePoolAssignmentInput['target']> = {}) => ({
  target: { kind: AssignmentTargetKind.Group, groupId, ...extra },
});

describe('validateAssignInput', () => {
  it('accepts every valid kind of target', () => {
    expect(() =>
      validateAssignInput(POOL, [
        group(G1),
        { target: { kind: AssignmentTargetKind.ExclusionGroup, groupId: G2, filterId: F1, filterType: WireFilterType.INCLUDE } },
        { target: { kind: AssignmentTargetKind.AllDevices } },
        { target: { kind: AssignmentTargetKind.AllLicensedUsers, filterType: WireFilterType.NONE } },
        { target: { kind: AssignmentTargetKind.ConfigurationManagerCollection, collectionId: 'SMS00001' } },
      ]),
    ).not.toThrow();
    expect(() => validateAssignInput(POOL, [])).not.toThrow();
  });

  it.each([
    ['a path traversal pool id', '../../users', 'poolId'],
    ['an OData query pool id', 'x?$select=*', 'poolId'],
    ['an empty pool id', '', 'poolId'],
  ])('rejects %s', (_name, poolId, field) => {
    const error = rejection(poolId, []);
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.field).toBe(field);
    expect(error.message).toContain(field);
  });

  it.each<[string, EmbeddedSIMActivationCodePoolAssignmentInput[], string]>([
    ['a group target without groupId', [{ target: { kind: AssignmentTargetKind.Group } }], 'assignments[0].target.groupId'],
    ['a non-GUID groupId', [group('not-a-guid')], 'assignments[0].target.groupId'],
    ['groupId on all devices', [{ target: { kind: AssignmentTargetKind.AllDevices, groupId: G1 } }], 'assignments[0].target.groupId'],
    ['a collection target without collectionId', [{ target: { kind: AssignmentTargetKind.ConfigurationManagerCollection } }], 'assignments[0].target.collectionId'],
    ['collectionId on a group', [group(G1, { collectionId: 'SMS00001' })], 'assignments[0].target.collectionId'],
    ['a malformed collectionId', [{ target: { kind: AssignmentTargetKind.ConfigurationManagerCollection, collectionId: 'a/b' } }], 'assignments[0].target.collectionId'],
    ['INCLUDE without filterId', [group(G1, { filterType: WireFilterType.INCLUDE })], 'assignments[0].target.filterId'],
    ['filterId without a filter type', [group(G1, { filterId: F1 })], 'assignments[0].target.filterType'],
    ['filterId with NONE', [group(G1, { filterId: F1, filterType: WireFilterType.NONE })], 'assignments[0].target.filterType'],
    ['a non-GUID filterId', [group(G1, { filterId: 'f', filterType: WireFilterType.EXCLUDE })], 'assignments[0].target.filterId'],
    ['the same target twice', [group(G1), group(G1.toUpperCase())], 'assignments[1].target'],
    ['all devices twice', [{ target: { kind: AssignmentTargetKind.AllDevices } }, { target: { kind: AssignmentTargetKind.AllDevices } }], 'assignments[1].target'],
    ['a group both included and excluded', [group(G1), { target: { kind: AssignmentTargetKind.ExclusionGroup, groupId: G1 } }], 'assignments[1].target.groupId'],
    ['a duplicate assignment id', [{ id: 'a1', ...group(G1) }, { id: 'A1', ...group(G2) }], 'assignments[1].id'],
    ['a malformed assignment id', [{ id: 'a/../b', ...group(G1) }], 'assignments[0].id'],
  ])('rejects %s, naming the field', (_name, assignments, field) => {
    const error = rejection(POOL, assignments);
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.field).toBe(field);
    expect(error.message).toContain(field);
  });

  it('rejects more than the maximum number of assignments', () => {
    const many = Array.from({ length: MAX_ASSIGNMENTS + 1 }, (_, i) =>
      group(`0f1e2d3c-4b5a-4978-8a6b-${String(i).padStart(12, '0')}`),
    );
    expect(rejection(POOL, many).extensions.field).toBe('assignments');
  });
});
