import { connectionFromPage, decodeCursor, pageRequest } from '../cursor';
import type { QueryResolvers } from '../../generated/graphql';
import { isGraphError } from '../../graph/errors';
import { historyPage } from '../history/feed';
import { selectsField } from '../selection';
import { pageSize, requireGuid } from '../validation';
import { _entities } from './entities';

const POOLS = 'pools';

export const Query: QueryResolvers = {
  embeddedSIMActivationCodePool(_parent, { id }, ctx) {
    return ctx.loaders.poolById.load(requireGuid(id, 'id'));
  },
  async embeddedSIMActivationCodePools(_parent, { first, after }, ctx, info) {
    const size = pageSize(first);
    const start = decodeCursor(after, POOLS);
    // `$count=true` only when the operation selects totalCount: Graph counts the whole collection for it.
    const count = selectsField(info, 'EmbeddedSIMActivationCodePoolConnection', 'totalCount');
    const page = await ctx.graph.listPools({ ...pageRequest(start, size), count }, ctx.callOptions);
    // Later `pool(id)` or `_entities` lookups in this request need no further call.
    for (const pool of page.value) if (!isGraphError(pool)) ctx.loaders.poolById.prime(pool.id, pool);
    return connectionFromPage(POOLS, start, page, size);
  },
  assignmentHistory: (_parent, args, ctx) => historyPage(ctx, args),
  _entities,
};
