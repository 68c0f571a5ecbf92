/** HISTORY=off: writes go on unjournaled as before; history and restore answer HISTORY_UNAVAILABLE. */
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { useStack } from '../support/stack';

const POOL = SAMPLE_POOLS[1].id;
const fixture = useStack();

it('writes go on; history fields and restore answer HISTORY_UNAVAILABLE', async () => {
  const { stack } = fixture;
  const add = await stack.graphql(`mutation { addEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", assignments: [{ target: { kind: ALL_DEVICES } }]) { assignmentsVersion } }`);
  expect(add.body.errors).toBeUndefined();
  const feed = await stack.graphql('query { assignmentHistory { edges { cursor } } }');
  expect(feed.body.errors?.map((e) => e.extensions?.code)).toEqual(['HISTORY_UNAVAILABLE']);
  const pool = await stack.graphql(`query { embeddedSIMActivationCodePool(id: "${POOL}") { id assignmentHistory { edges { cursor } } } }`);
  expect(pool.body.errors?.map((e) => e.extensions?.code)).toEqual(['HISTORY_UNAVAILABLE']);
  const before = stack.emulator.requestCount();
  const restore = await stack.graphql(`mutation { restoreEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", entryId: "1") { dryRun } }`);
  expect(restore.body.errors?.map((e) => e.extensions?.code)).toEqual(['HISTORY_UNAVAILABLE']);
  expect(stack.emulator.requestCount()).toBe(before);
});
