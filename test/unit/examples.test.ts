/** The explorer's example variables name the Graph emulator's sample tenant, copied into src/ (the image has no emulator). */
import { SAMPLE_GROUP_IDS, SAMPLE_POOLS, SAMPLE_UNASSIGNED_GROUP_IDS } from '@esim-pools/graph-emulator';
import { SAMPLE_IDS } from '../../src/graphql/examples';

it("the examples' sample ids are the emulator's", () => {
  expect(SAMPLE_IDS.pools).toEqual(SAMPLE_POOLS);
  expect(SAMPLE_IDS.assignedGroups).toEqual(SAMPLE_GROUP_IDS);
  expect(SAMPLE_IDS.unassignedGroup).toBe(SAMPLE_UNASSIGNED_GROUP_IDS[0]);
});
