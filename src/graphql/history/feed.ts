/** History pages, newest first, by keyset cursors over the entry id (valid on every replica; docs/history.md). */
import type { Context } from '../context';
import { badUserInput, historyUnavailable } from '../errors';
import type { QueryassignmentHistoryArgs, ResolversParentTypes } from '../../generated/graphql';
import { pageSize } from '../validation';

type HistoryConnectionModel = ResolversParentTypes['AssignmentHistoryConnection'];

const CURSOR = /^h:(\d{1,15})$/;

const encodeHistoryCursor = (id: string): string => Buffer.from(`h:${id}`, 'utf8').toString('base64url');

function decodeHistoryCursor(after: string | null | undefined): number | undefined {
  if (after == null) return undefined;
  const match = /^[A-Za-z0-9_-]{1,40}$/.test(after) ? CURSOR.exec(Buffer.from(after, 'base64url').toString('utf8')) : null;
  if (match === null) throw badUserInput('after is not a cursor of the assignment history (pass an endCursor it returned).', 'after');
  return Number(match[1]);
}

/** One page of entries (of a pool, or of every pool), HISTORY_UNAVAILABLE when history is off or down. */
export async function historyPage(ctx: Context, args: QueryassignmentHistoryArgs & { poolId?: string }): Promise<HistoryConnectionModel> {
  const size = pageSize(args.first);
  const beforeId = decodeHistoryCursor(args.after);
  // A DateTime (its scalar checked it), compared in UTC.
  const since = args.since == null ? undefined : new Date(args.since).toISOString();
  const history = ctx.edits.history;
  if (history === undefined) throw historyUnavailable('off', false);
  const entries = await history.store.list({ poolId: args.poolId, since, kinds: args.kinds ?? undefined, beforeId, limit: size + 1 });
  const edges = entries.slice(0, size).map((node) => ({ node, cursor: encodeHistoryCursor(node.id) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: entries.length > size,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
