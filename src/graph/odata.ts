/** Graph's OData replies (entity, collection, page), trusted only after their reader; next links only to their collection. */
import { PAGE_PARAMS, type Page, type PageItem, type PageRequest, type PageToken } from './api';
import { GraphError } from './errors';
import { isRecord, tryParseJson } from './json';
import { isCount, type WireReader } from './models';

/** A 2xx reply, or a $batch item's. */
export interface Reply {
  status: number;
  text: string;
  /** The body already parsed (a $batch item's), so it is not serialised and parsed again. */
  json?: unknown;
  requestId?: string;
}

/** Where a collection lives, to check a next link against: `pathname` with the version segment, `/beta/…`. */
export type CollectionUrl = Pick<URL, 'origin' | 'pathname'>;

/** A reply's JSON: as parsed with its $batch, or parsed from the text (undefined when it is not JSON). */
function replyJson(reply: Reply): unknown {
  return reply.json !== undefined ? reply.json : tryParseJson(reply.text);
}

export function invalidResponse(reply: { status: number; requestId?: string }, expected: string, problem?: string): GraphError {
  return new GraphError(`Microsoft Graph answered HTTP ${reply.status}, but not with ${expected}${problem ? `: ${problem}` : ''}.`, {
    kind: 'invalid-response',
    status: reply.status,
    requestId: reply.requestId,
  });
}

export function parseEntity<T>(reply: Reply, read: WireReader<T>, what: string): T {
  const result = read(replyJson(reply));
  if (!result.ok) throw invalidResponse(reply, `a valid ${what}`, result.problem);
  return result.value;
}

/** The `value` array of a collection reply. */
function collectionValue(reply: Reply, what: string): { parsed: Record<string, unknown>; value: unknown[] } {
  const parsed = replyJson(reply);
  if (!isRecord(parsed) || !Array.isArray(parsed.value)) throw invalidResponse(reply, `a ${what} collection`);
  return { parsed, value: parsed.value };
}

/** A collection read as a whole (assignments: a set edits send back): one bad item makes the reply invalid. */
export function parseCollection<T>(reply: Reply, read: WireReader<T>, what: string): T[] {
  return collectionValue(reply, what).value.map((item, index) => {
    const result = read(item);
    if (!result.ok) throw invalidResponse(reply, `a valid ${what} collection`, `item ${index}: ${result.problem}`);
    return result.value;
  });
}

/** A page read item by item: a bad item is its own GraphError, in its place (so cursors after it stay right). */
export function parsePage<T>(reply: Reply, read: WireReader<T>, what: string, collection: CollectionUrl): Page<T> {
  const { parsed, value } = collectionValue(reply, what);
  const items = value.map((item, index): PageItem<T> => {
    const result = read(item);
    return result.ok ? result.value : invalidResponse(reply, `a valid ${what}`, `item ${index} of the page: ${result.problem}`);
  });
  const count = collectionCount(parsed['@odata.count'], reply);
  const nextLink = parsed['@odata.nextLink'];
  if (nextLink === undefined || nextLink === null) return { value: items, ...count };
  if (typeof nextLink !== 'string') throw invalidResponse(reply, 'a string @odata.nextLink');
  return { value: items, next: pageTokenFromNextLink(nextLink, collection, reply), ...count };
}

/** The longest page-token value, in UTF-8 bytes (a cursor holding one stays well under MAX_CURSOR_LENGTH). */
export const MAX_PAGE_TOKEN_BYTES = 2048;
/** C0 and C1 controls and DEL: no page token has them, and they have no place in a log line or a URL. */
const CONTROL = /\p{Cc}/u;
/** A UTF-16 surrogate without its pair: not text, and encodeURIComponent throws on it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What a page token's parameter may hold (nextLink and cursor alike): `$skip`/`$top` digits, `$skiptoken` text. */
export function isPageParamValue(name: string, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (name === '$skip' || name === '$top') return /^\d{1,9}$/.test(value);
  if (name !== '$skiptoken') return false;
  return value.length > 0 && Buffer.byteLength(value, 'utf8') <= MAX_PAGE_TOKEN_BYTES && !CONTROL.test(value) && !LONE_SURROGATE.test(value);
}

/** An `@odata.nextLink`'s paging parameters; one off the configured origin or collection path is an invalid reply. */
function pageTokenFromNextLink(nextLink: string, collection: CollectionUrl, reply: Reply): PageToken {
  if (!URL.canParse(nextLink)) throw invalidResponse(reply, 'an absolute @odata.nextLink');
  const url = new URL(nextLink);
  if (url.origin !== collection.origin || url.pathname !== collection.pathname) {
    throw invalidResponse(reply, 'an @odata.nextLink to the same collection on the configured Graph host');
  }
  const token: PageToken = {};
  for (const name of PAGE_PARAMS) {
    const value = queryParam(url.search, name);
    if (value === undefined) continue;
    if (value === null || !isPageParamValue(name, value)) throw invalidResponse(reply, `an @odata.nextLink with a usable ${name}`);
    token[name] = value;
  }
  return token;
}

/** A query parameter decoded as OData does (`+` is not a space): undefined when absent, null when badly encoded. */
function queryParam(search: string, name: string): string | null | undefined {
  for (const pair of search.replace(/^\?/, '').split('&')) {
    const eq = pair.indexOf('=');
    if (safeDecode(eq < 0 ? pair : pair.slice(0, eq)) !== name) continue;
    return safeDecode(eq < 0 ? '' : pair.slice(eq + 1)) ?? null;
  }
  return undefined;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** `?$top=…`, the token's other parameters encoded as Graph's nextLinks are, and `$count=true` when asked for. */
export function pageQuery(page: PageRequest): string {
  const parts = [`$top=${page.top}`];
  if (page.next) {
    for (const name of PAGE_PARAMS) {
      const value = page.next[name];
      if (value !== undefined && name !== '$top') parts.push(`${name}=${encodeURIComponent(value).replaceAll("'", '%27')}`);
    }
  }
  if (page.count) parts.push('$count=true');
  return `?${parts.join('&')}`;
}

/** `@odata.count` as `{ count }`, `{}` when Graph gave none; anything but a whole number in Int's range is invalid. */
function collectionCount(value: unknown, reply: Reply): { count?: number } {
  if (value === undefined || value === null) return {};
  if (!isCount(value)) throw invalidResponse(reply, 'a whole-number @odata.count');
  return { count: value };
}

/** The key a 204 create names in `OData-EntityId` or `Location` (`…/<key>` or `…(<key>)`), never followed. */
export function createdEntityKey(headers: { get(name: string): string | undefined }, collectionPath: string): string | undefined {
  for (const name of ['odata-entityid', 'location']) {
    const value = headers.get(name);
    if (value === undefined) continue;
    try {
      const pathname = new URL(value, 'https://graph.invalid').pathname;
      const at = pathname.lastIndexOf(collectionPath);
      if (at < 0) continue;
      const key = /^(?:\/([^/()]+)|\('?([^/()']+)'?\))$/.exec(pathname.slice(at + collectionPath.length));
      const found = key?.[1] ?? key?.[2];
      if (found !== undefined) return decodeURIComponent(found);
    } catch {
      // Not a URL, or a malformed escape: try the other header.
    }
  }
  return undefined;
}
