import { AssignmentTargetKind } from '../../src/generated/graphql';
import { ODATA_TYPE, WireFilterType } from '../../src/graph/models';
import { targetFilterType, targetTypeName, toWireAssignment } from '../../src/graphql/mapping';

const G = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a01';
const F = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c32';

describe('toWireAssignment', () => {
  it.each([
    [AssignmentTargetKind.AllDevices, '#microsoft.graph.allDevicesAssignmentTarget'],
    [AssignmentTargetKind.AllLicensedUsers, '#microsoft.graph.allLicensedUsersAssignmentTarget'],
  ])('maps %s to %s', (kind, odataType) => {
    expect(toWireAssignment({ target: { kind } })).toEqual({
      '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment',
      target: {
        '@odata.type': odataType,
        deviceAndAppManagementAssignmentFilterId: null,
        deviceAndAppManagementAssignmentFilterType: 'none',
      },
    });
  });

  it('maps a group target with a filter and keeps the id', () => {
    expect(
      toWireAssignment({ id: 'a-1', target: { kind: AssignmentTargetKind.Group, groupId: G, filterId: F, filterType: WireFilterType.INCLUDE } }),
    ).toEqual({
      '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment',
      id: 'a-1',
      target: {
        '@odata.type': '#microsoft.graph.groupAssignmentTarget',
        deviceAndAppManagementAssignmentFilterId: F,
        deviceAndAppManagementAssignmentFilterType: 'include',
        groupId: G,
      },
    });
  });

  it('maps exclusion groups and collections', () => {
    expect(toWireAssignment({ target: { kind: AssignmentTargetKind.ExclusionGroup, groupId: G } }).target).toMatchObject({
      '@odata.type': '#microsoft.graph.exclusionGroupAssignmentTarget',
      groupId: G,
    });
    const collection = toWireAssignment({ target: { kind: AssignmentTargetKind.ConfigurationManagerCollection, collectionId: 'SMS00001' } });
    expect(collection.target).toMatchObject({ '@odata.type': '#microsoft.graph.configurationManagerCollectionAssignmentTarget', collectionId: 'SMS00001' });
    expect(collection.target).not.toHaveProperty('groupId');
  });
});

describe('targetTypeName', () => {
  it.each([
    [ODATA_TYPE.allDevices, 'AllDevicesAssignmentTarget'],
    [ODATA_TYPE.allLicensedUsers, 'AllLicensedUsersAssignmentTarget'],
    [ODATA_TYPE.group, 'GroupAssignmentTarget'],
    [ODATA_TYPE.exclusionGroup, 'ExclusionGroupAssignmentTarget'],
    [ODATA_TYPE.configurationManagerCollection, 'ConfigurationManagerCollectionAssignmentTarget'],
    ['#microsoft.graph.someFutureAssignmentTarget', 'UnknownAssignmentTarget'],
    ['#microsoft.graph.groupAssignmentTargetV2', 'UnknownAssignmentTarget'],
  ])('%s → %s', (odataType, typeName) => {
    expect(targetTypeName({ '@odata.type': odataType })).toBe(typeName);
  });

  it('defaults a missing filter type to NONE', () => {
    expect(targetFilterType({ '@odata.type': ODATA_TYPE.allDevices })).toBe('none');
    expect(targetFilterType({ '@odata.type': ODATA_TYPE.allDevices, deviceAndAppManagementAssignmentFilterType: WireFilterType.EXCLUDE })).toBe('exclude');
  });
});
