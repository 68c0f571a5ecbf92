import { connectionFromPage, decodeCursor } from '../cursor';
import type { QueryResolvers } from '../../generated/graphql';
import { selectsField } from '../selection';
import { pageSize, requireGuid } from '../validation';

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
    const page = await ctx.graph.listPools({ top: size + start.offset, next: start.next, count }, ctx.callOptions);
    // Later `pool(id)` or `_entities` lookups in this request need no further call.
    for (const pool of page.value) ctx.loaders.poolById.prime(pool.id, pool);
    return connectionFromPage(POOLS, start, page, size);
  },
};
