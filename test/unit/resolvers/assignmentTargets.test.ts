/**
 * Assignment targets: the concrete GraphQL type follows Graph's `@odata.type` through mapping.ts's explicit map,
 * with UnknownAssignmentTarget for types this version does not know; common and type-specific fields.
 */
import { WireFilterType, type WireAssignmentTarget } from '../../../src/graph/models';
import { FakeGraph, wire } from '../../support/fake-graph';
import { useOperations } from '../../support/operations';

const POOL = '6f2c1b9e-4a3d-4c8e-9b1a-2f5e7d8c9a01';
const GROUP = '3a1f6c2e-8d4b-4e9a-b7c5-1d2e3f4a5b60';
const FILTER = 'c7e2d9a4-5f1b-4a8c-9e3d-6b7a8c9d0e21';

const TARGETS = `{
  embeddedSIMActivationCodePool(id: "${POOL}") {
    assignments {
      target {
        __typename odataType filterId filterType
        ... on GroupAssignmentTarget { groupId group { id } }
        ... on ExclusionGroupAssignmentTarget { groupId group { id } }
        ... on ConfigurationManagerCollectionAssignmentTarget { collectionId }
      }
    }
  }
}`;

const ops = useOperations();

async function targetOf(target: WireAssignmentTarget) {
  const graph = new FakeGraph().addPool(wire.pool(POOL), [wire.assignment('a-1', target)]);
  const result = await ops.run(TARGETS, {}, { graph });
  const pool = result.data?.embeddedSIMActivationCodePool as { assignments: { target: Record<string, unknown> }[] } | null;
  return { result, target: pool?.assignments[0]?.target };
}

it.each([
  ['#microsoft.graph.allDevicesAssignmentTarget', 'AllDevicesAssignmentTarget'],
  ['#microsoft.graph.allLicensedUsersAssignmentTarget', 'AllLicensedUsersAssignmentTarget'],
])('%s is %s', async (odataType, typeName) => {
  const { result, target } = await targetOf({ '@odata.type': odataType, deviceAndAppManagementAssignmentFilterType: null });
  expect(result.errors).toBeUndefined();
  // A filter type Graph left out reads as NONE (Graph's property is non-nullable).
  expect(target).toEqual({ __typename: typeName, odataType, filterId: null, filterType: 'NONE' });
});

it.each([
  ['#microsoft.graph.groupAssignmentTarget', 'GroupAssignmentTarget'],
  ['#microsoft.graph.exclusionGroupAssignmentTarget', 'ExclusionGroupAssignmentTarget'],
])('%s is %s, with its group as a federation reference', async (odataType, typeName) => {
  const { result, target } = await targetOf({
    '@odata.type': odataType,
    groupId: GROUP,
    deviceAndAppManagementAssignmentFilterId: FILTER,
    deviceAndAppManagementAssignmentFilterType: WireFilterType.EXCLUDE,
  });
  expect(result.errors).toBeUndefined();
  expect(target).toEqual({ __typename: typeName, odataType, filterId: FILTER, filterType: 'EXCLUDE', groupId: GROUP, group: { id: GROUP } });
});

it('a Configuration Manager collection target carries its collection id', async () => {
  const odataType = '#microsoft.graph.configurationManagerCollectionAssignmentTarget';
  const { target } = await targetOf({ '@odata.type': odataType, collectionId: 'SMS00001' });
  expect(target).toEqual({ __typename: 'ConfigurationManagerCollectionAssignmentTarget', odataType, filterId: null, filterType: 'NONE', collectionId: 'SMS00001' });
});

it('a target type this version does not know is UnknownAssignmentTarget, with its @odata.type as received', async () => {
  const odataType = '#microsoft.graph.someFutureAssignmentTarget';
  const { result, target } = await targetOf({ '@odata.type': odataType });
  expect(result.errors).toBeUndefined();
  expect(target).toEqual({ __typename: 'UnknownAssignmentTarget', odataType, filterId: null, filterType: 'NONE' });
});

it.each([
  ['#microsoft.graph.groupAssignmentTarget', 'GroupAssignmentTarget'],
  ['#microsoft.graph.exclusionGroupAssignmentTarget', 'ExclusionGroupAssignmentTarget'],
])('%s without a groupId (nullable in the CSDL) is kept: groupId and group null, the rest served', async (odataType, typeName) => {
  const graph = new FakeGraph().addPool(wire.pool(POOL), [
    wire.assignment('a-1', { '@odata.type': odataType, deviceAndAppManagementAssignmentFilterId: FILTER, deviceAndAppManagementAssignmentFilterType: WireFilterType.INCLUDE }),
    wire.assignment('a-2', { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: GROUP }),
  ]);
  const result = await ops.run(TARGETS, {}, { graph });
  expect(result.errors).toBeUndefined();
  const pool = result.data?.embeddedSIMActivationCodePool as { assignments: { target: Record<string, unknown> }[] };
  expect(pool.assignments.map((a) => a.target)).toEqual([
    { __typename: typeName, odataType, filterId: FILTER, filterType: 'INCLUDE', groupId: null, group: null },
    { __typename: 'GroupAssignmentTarget', odataType: '#microsoft.graph.groupAssignmentTarget', filterId: null, filterType: 'NONE', groupId: GROUP, group: { id: GROUP } },
  ]);
});

it('a Configuration Manager collection target without a collectionId is kept, with collectionId null', async () => {
  const odataType = '#microsoft.graph.configurationManagerCollectionAssignmentTarget';
  const { result, target } = await targetOf({ '@odata.type': odataType });
  expect(result.errors).toBeUndefined();
  expect(target).toEqual({ __typename: 'ConfigurationManagerCollectionAssignmentTarget', odataType, filterId: null, filterType: 'NONE', collectionId: null });
});
