import { connectionFromPage, decodeCursor, pageRequest } from '../cursor';
import type { Context } from '../context';
import { assignmentsVersion } from '../edits/merge';
import { badUserInput, notFound } from '../errors';
import { historyPage } from '../history/feed';
import type { EmbeddedSIMActivationCodePoolResolvers } from '../../generated/graphql';
import type { WirePool } from '../../graph/models';
import { isPoolReference, type PoolModel } from '../mapping';
import { selectsField } from '../selection';
import { isGuid } from '../../graph/json';
import { pageSize } from '../validation';

type PoolProperty = 'displayName' | 'activationCodeCount' | 'createdDateTime' | 'modifiedDateTime';

/** A property Graph holds: at hand, or for a pool known by id read through the request's loader. */
function property<K extends PoolProperty>(name: K) {
  return (pool: PoolModel, _args: unknown, ctx: Context): WirePool[K] | Promise<WirePool[K]> => {
    if (!isPoolReference(pool)) return pool[name];
    return ctx.loaders.poolById.load(pool.id).then((read) => {
      if (!read) throw notFound('The pool was not found.');
      return read[name];
    });
  };
}

export const EmbeddedSIMActivationCodePool: EmbeddedSIMActivationCodePoolResolvers = {
  /** Federation: representations batched; read with `$expand=assignments` when the selection needs them. */
  async __resolveReference(reference, ctx, info) {
    if (!isGuid(reference.id)) throw badUserInput('EmbeddedSIMActivationCodePool.id must be a GUID.', 'id');
    // assignmentsVersion is computed from the assignments: it wants them expanded just the same.
    const withAssignments = ['assignments', 'assignmentsVersion'].some((field) => selectsField(info, 'EmbeddedSIMActivationCodePool', field));
    const loader = withAssignments ? ctx.loaders.poolWithAssignmentsById : ctx.loaders.poolById;
    return loader.load(reference.id);
  },
  displayName: property('displayName'),
  activationCodeCount: property('activationCodeCount'),
  createdDateTime: property('createdDateTime'),
  modifiedDateTime: property('modifiedDateTime'),
  assignments: (pool, _args, ctx) => ctx.loaders.assignmentsByPool.load(pool.id),
  /** From the same loader as `assignments`: selecting both (or many pools' versions) costs one batched read. */
  assignmentsVersion: async (pool, _args, ctx) => assignmentsVersion(await ctx.loaders.assignmentsByPool.load(pool.id)),
  assignmentHistory: (pool, args, ctx) => historyPage(ctx, { ...args, poolId: pool.id }),
  async deviceStates(pool, { first, after }, ctx, info) {
    const size = pageSize(first);
    const collection = `deviceStates:${pool.id.toLowerCase()}`;
    const start = decodeCursor(after, collection);
    // One $batch for every pool's deviceStates in the request; `$count=true` only when totalCount is selected.
    const count = selectsField(info, 'EmbeddedSIMDeviceStateConnection', 'totalCount');
    const page = await ctx.loaders.deviceStatesPage.load({ poolId: pool.id, ...pageRequest(start, size), count });
    return connectionFromPage(collection, start, page, size);
  },
};
