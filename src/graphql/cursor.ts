/**
 * Opaque Relay cursors over Graph's server-driven paging. A cursor holds the collection it belongs to, the page
 * position Graph gave (`$skiptoken`/`$skip` from `@odata.nextLink`, never a URL) and an offset into that page.
 * Decoding checks all three, so a forged cursor is BAD_USER_INPUT and can never send a request elsewhere.
 */
import type { PageToken } from '../graph/api';
import { badUserInput } from './errors';
import { isRecord } from '../graph/json';

interface CursorData {
  /** Collection key, e.g. `pools` or `deviceStates:<poolId>`. */
  c: string;
  /** Page position. */
  t: PageToken;
  /** Items of that page already seen. */
  o: number;
}

export interface PagePosition {
  next?: PageToken;
  offset: number;
}

/**
 * A page-token value: printable ASCII without the characters that shape a URL (`? # & % \ @`, double quotes,
 * spaces) and without `..` or `://`, so a cursor can never carry a query, a host, a climbing path or an encoded form of one.
 * `/`, `+` and `=` stay allowed: Graph's skip tokens are often base64. (The client sends the value as one
 * URL-encoded query parameter of the collection's own path anyway: this is defence in depth and a clear error.)
 */
const TOKEN_VALUE = /^(?!.*\.\.)(?!.*:\/\/)[A-Za-z0-9\-._~!$'()*+,;=:/]{1,2048}$/;
/** Largest offset into a page: `first` (≤ 100) + offset stays within Graph's `$top` limit of 999. */
const MAX_OFFSET = 899;
const CURSOR_KEYS = new Set(['c', 't', 'o']);
const MAX_CURSOR_LENGTH = 4096;

export function encodeCursor(collection: string, token: PageToken | undefined, offset: number): string {
  const data: CursorData = { c: collection, t: token ?? {}, o: offset };
  return Buffer.from(JSON.stringify(data)).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined, collection: string, field = 'after'): PagePosition {
  if (cursor == null) return { offset: 0 };
  const invalid = () => badUserInput(`${field} is not a cursor of this collection.`, field);
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!isRecord(data)) throw invalid();
  // Only the fields encodeCursor writes: anything extra (a `url`, a `host`, a `path`…) means a crafted cursor.
  if (Object.keys(data).some((key) => !CURSOR_KEYS.has(key))) throw invalid();
  const { c, t, o } = data;
  if (c !== collection || typeof o !== 'number' || !Number.isInteger(o) || o < 0 || o > MAX_OFFSET) throw invalid();
  if (!isRecord(t)) throw invalid();
  const token: PageToken = {};
  for (const [name, value] of Object.entries(t)) {
    if ((name !== '$skiptoken' && name !== '$skip' && name !== '$top') || typeof value !== 'string' || !TOKEN_VALUE.test(value)) {
      throw invalid();
    }
    if (name === '$skip' || name === '$top') {
      if (!/^\d{1,9}$/.test(value)) throw invalid();
    }
    token[name] = value;
  }
  return { next: Object.keys(token).length > 0 ? token : undefined, offset: o };
}

/** A Relay connection built from one Graph page. */
export function connectionFromPage<T>(
  collection: string,
  start: PagePosition,
  page: { value: T[]; next?: PageToken; count?: number },
  first: number,
): {
  edges: { node: T; cursor: string }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number | null;
} {
  const items = page.value.slice(start.offset, start.offset + first);
  const moreInPage = page.value.length > start.offset + first;
  const hasNextPage = moreInPage || page.next !== undefined;
  const edges = items.map((node, i) => {
    const isLast = i === items.length - 1;
    // The last edge of a page Graph ended points at Graph's next page; every other edge at an offset in this one.
    const cursor =
      isLast && !moreInPage && page.next
        ? encodeCursor(collection, page.next, 0)
        : encodeCursor(collection, start.next, start.offset + i + 1);
    return { node, cursor };
  });
  let endCursor = edges.length > 0 ? edges[edges.length - 1].cursor : null;
  if (edges.length === 0 && page.next) endCursor = encodeCursor(collection, page.next, 0);
  return {
    edges,
    pageInfo: { hasNextPage, hasPreviousPage: false, startCursor: edges[0]?.cursor ?? null, endCursor },
    // Graph's `@odata.count` when it was asked for and given; otherwise null (never a guess from the page).
    totalCount: page.count ?? null,
  };
}
