/**
 * Opaque Relay cursors over Graph's server-driven paging: the collection, the page position from `@odata.nextLink`
 * (never a URL) and an offset. Made under the rules they are read under (docs/federation.md, "Paging and cursors").
 */
import type { PageToken } from '../graph/api';
import { isRecord, tryParseJson } from '../graph/json';
import { isPageParamValue } from '../graph/odata';
import { badUserInput } from './errors';

export interface PagePosition {
  next?: PageToken;
  offset: number;
}

/** Graph's largest `$top`: no page is asked larger, so no cursor's offset into one goes further. */
export const MAX_TOP = 999;
/** The fields a cursor holds: collection key (`pools`, `deviceStates:<poolId>`), page token, items of it seen. */
const CURSOR_KEYS = new Set(['c', 't', 'o']);
/** Above the longest cursor a page makes: a 2048-byte token of JSON-escaped characters, base64url. */
const MAX_CURSOR_LENGTH = 8192;

export function encodeCursor(collection: string, token: PageToken | undefined, offset: number): string {
  return cursorMaker(collection, token)(offset);
}

/**
 * The cursors of one collection and page token, by offset, the token serialised once; the first is checked by
 * decodeCursor whole, the rest only in what can differ (offset, length).
 */
function cursorMaker(collection: string, token: PageToken | undefined): (offset: number) => string {
  const prefix = `${JSON.stringify({ c: collection, t: token ?? {} }).slice(0, -1)},"o":`;
  let checked = false;
  return (offset) => {
    const cursor = Buffer.from(`${prefix}${offset}}`).toString('base64url');
    // Made under the rules it is read under: a cursor that would be refused is a bug here, not the caller's input.
    const valid = checked
      ? Number.isInteger(offset) && offset >= 0 && offset <= MAX_TOP && cursor.length <= MAX_CURSOR_LENGTH
      : readCursor(cursor, collection) !== undefined;
    if (!valid) throw new Error(`A cursor of ${collection} was made that decodeCursor refuses.`);
    checked = true;
    return cursor;
  };
}

export function decodeCursor(cursor: string | null | undefined, collection: string, field = 'after'): PagePosition {
  if (cursor == null) return { offset: 0 };
  const position = readCursor(cursor, collection);
  if (position === undefined) throw badUserInput(`${field} is not a cursor of this collection.`, field);
  return position;
}

/** The position a cursor of `collection` holds, or undefined when it is not one. */
function readCursor(cursor: string, collection: string): PagePosition | undefined {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const data = tryParseJson(Buffer.from(cursor, 'base64url').toString('utf8'));
  // Only the fields encodeCursor writes: anything extra (a `url`, a `host`, a `path`…) means a crafted cursor.
  if (!isRecord(data) || Object.keys(data).some((key) => !CURSOR_KEYS.has(key))) return undefined;
  const { c, t, o } = data;
  if (c !== collection || typeof o !== 'number' || !Number.isInteger(o) || o < 0 || o > MAX_TOP || !isRecord(t)) return undefined;
  const token: Record<string, string> = {};
  for (const [name, value] of Object.entries(t)) {
    // Only Graph's paging parameters, with values it could have sent.
    if (typeof value !== 'string' || !isPageParamValue(name, value)) return undefined;
    token[name] = value;
  }
  return { next: Object.keys(token).length > 0 ? token : undefined, offset: o };
}

/** The Graph page that serves `size` items after `start`: `start.offset + size` long, never over Graph's `$top` limit. */
export function pageRequest(start: PagePosition, size: number): { top: number; next?: PageToken } {
  return { top: Math.min(MAX_TOP, start.offset + size), next: start.next };
}

/** A Relay connection built from one Graph page (items that are errors keep their place: see mapping's EdgeModel). */
export function connectionFromPage<T>(
  collection: string,
  start: PagePosition,
  page: { value: T[]; next?: PageToken; count?: number },
  first: number,
) {
  const asked = pageRequest(start, first).top;
  // Graph never sends more than `$top`; if it did, the rest waits for a later request (no cursor could follow it).
  const cut = page.value.length > asked;
  const value = cut ? page.value.slice(0, asked) : page.value;
  const end = Math.min(start.offset + first, value.length);
  const items = value.slice(start.offset, end);
  // Where the collection goes on: later in this page (an offset into it), else at Graph's next page.
  const restInPage = cut || value.length > end;
  const inPage = cursorMaker(collection, start.next);
  const edges = items.map((node, i) => {
    const isLast = i === items.length - 1;
    return { node, cursor: isLast && !restInPage && page.next ? encodeCursor(collection, page.next, 0) : inPage(start.offset + i + 1) };
  });
  const endCursor = edges.at(-1)?.cursor ?? (!restInPage && page.next ? encodeCursor(collection, page.next, 0) : null);
  // A next page is only announced with a cursor to reach it.
  const hasNextPage = endCursor !== null && (restInPage || page.next !== undefined);
  return {
    edges,
    pageInfo: { hasNextPage, hasPreviousPage: false, startCursor: edges[0]?.cursor ?? null, endCursor },
    // Graph's `@odata.count` when it was asked for and given; otherwise null (never a guess from the page).
    totalCount: page.count ?? null,
  };
}
