import { connectionFromPage, decodeCursor } from '../cursor';
import { assignmentsVersion } from '../edits/version';
import { badUserInput } from '../errors';
import type { EmbeddedSIMActivationCodePoolResolvers } from '../../generated/graphql';
import { selectsField } from '../selection';
import { isGuid } from '../../graph/ids';
import { pageSize } from '../validation';

export const EmbeddedSIMActivationCodePool: EmbeddedSIMActivationCodePoolResolvers = {
  /**
   * Federation: the router sends `{ __typename, id }` representations; all of a request's go out in $batch. When the
   * entities' selection includes `assignments` (or `assignmentsVersion`), each pool is read with them (`$expand`):
   * ⌈n/20⌉ requests, not twice.
   */
  async __resolveReference(reference, ctx, info) {
    if (!isGuid(reference.id)) throw badUserInput('EmbeddedSIMActivationCodePool.id must be a GUID.', 'id');
    // assignmentsVersion is computed from the assignments: it wants them expanded just the same.
    const withAssignments = ['assignments', 'assignmentsVersion'].some((field) => selectsField(info, 'EmbeddedSIMActivationCodePool', field));
    const loader = withAssignments ? ctx.loaders.poolWithAssignmentsById : ctx.loaders.poolById;
    return loader.load(reference.id);
  },
  assignments: (pool, _args, ctx) => ctx.loaders.assignmentsByPool.load(pool.id),
  /** From the same loader as `assignments`: selecting both (or many pools' versions) costs one batched read. */
  assignmentsVersion: async (pool, _args, ctx) => assignmentsVersion(await ctx.loaders.assignmentsByPool.load(pool.id)),
  async deviceStates(pool, { first, after }, ctx, info) {
    const size = pageSize(first);
    const collection = `deviceStates:${pool.id.toLowerCase()}`;
    const start = decodeCursor(after, collection);
    const count = selectsField(info, 'EmbeddedSIMDeviceStateConnection', 'totalCount');
    // Through the loader: every pool's deviceStates in this request share one $batch (no N+1 over a pool list).
    const page = await ctx.loaders.deviceStatesPage.load({ poolId: pool.id, top: size + start.offset, next: start.next, count });
    return connectionFromPage(collection, start, page, size);
  },
};
