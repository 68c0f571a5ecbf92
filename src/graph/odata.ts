/**
 * Graph's OData replies: an entity, a collection, a page of one. A reply is trusted only after its guard, and an
 * `@odata.nextLink` only when it points back at the same collection on the configured Graph host.
 */
import { PAGE_PARAMS, type Page, type PageRequest, type PageToken } from './api';
import { GraphError } from './errors';
import { isRecord, tryParseJson } from './json';

/** A 2xx reply, or a $batch item's. */
export interface Reply {
  status: number;
  text: string;
  /** The body already parsed (a $batch item's), so it is not serialised and parsed again. */
  json?: unknown;
  requestId?: string;
}

/** Where a collection lives, to check a next link against. */
export interface CollectionUrl {
  origin: string;
  /** The full path, version segment included: `/beta/deviceManagement/…`. */
  pathname: string;
}

/** A reply's JSON: as parsed with its $batch, or parsed from the text (undefined when it is not JSON). */
function replyJson(reply: Reply): unknown {
  return reply.json !== undefined ? reply.json : tryParseJson(reply.text);
}

export function invalidResponse(reply: { status: number; requestId?: string }, expected: string): GraphError {
  return new GraphError(`Microsoft Graph answered HTTP ${reply.status}, but not with ${expected}.`, {
    kind: 'invalid-response',
    status: reply.status,
    requestId: reply.requestId,
  });
}

export function parseEntity<T>(reply: Reply, guard: (v: unknown) => v is T, what: string): T {
  const parsed = replyJson(reply);
  if (!guard(parsed)) throw invalidResponse(reply, `a ${what}`);
  return parsed;
}

export function parseCollection<T>(reply: Reply, guard: (v: unknown) => v is T, what: string): T[] {
  const parsed = replyJson(reply);
  if (!isRecord(parsed) || !Array.isArray(parsed.value) || !parsed.value.every(guard)) {
    throw invalidResponse(reply, `a ${what} collection`);
  }
  return parsed.value;
}

export function parsePage<T>(reply: Reply, guard: (v: unknown) => v is T, what: string, collection: CollectionUrl): Page<T> {
  const parsed = replyJson(reply);
  if (!isRecord(parsed) || !Array.isArray(parsed.value) || !parsed.value.every(guard)) {
    throw invalidResponse(reply, `a ${what} collection`);
  }
  const count = collectionCount(parsed['@odata.count'], reply);
  const nextLink = parsed['@odata.nextLink'];
  if (nextLink === undefined || nextLink === null) return { value: parsed.value, ...count };
  if (typeof nextLink !== 'string') throw invalidResponse(reply, 'a string @odata.nextLink');
  return { value: parsed.value, next: pageTokenFromNextLink(nextLink, collection, reply), ...count };
}

/**
 * Reads an `@odata.nextLink`, accepting only one on the configured Graph origin and the same collection path,
 * and keeps only its paging parameters. A next link anywhere else is an invalid reply, never followed.
 */
function pageTokenFromNextLink(nextLink: string, collection: CollectionUrl, reply: Reply): PageToken {
  let url: URL;
  try {
    url = new URL(nextLink);
  } catch {
    throw invalidResponse(reply, 'an absolute @odata.nextLink');
  }
  if (url.origin !== collection.origin || url.pathname !== collection.pathname) {
    throw invalidResponse(reply, 'an @odata.nextLink to the same collection on the configured Graph host');
  }
  const token: PageToken = {};
  for (const name of PAGE_PARAMS) {
    const value = url.searchParams.get(name);
    if (value !== null) token[name] = value;
  }
  return token;
}

/** `?$top=…` and the page token's other parameters. */
export function pageQuery(page: PageRequest): string {
  const params = new URLSearchParams();
  params.set('$top', String(page.top));
  if (page.next) {
    for (const name of PAGE_PARAMS) {
      const value = page.next[name];
      if (value !== undefined && name !== '$top') params.set(name, value);
    }
  }
  // Never taken from a next link (PAGE_PARAMS has no `$count`): asked for on each page that wants it.
  if (page.count) params.set('$count', 'true');
  // URLSearchParams encodes `$` as %24; Graph accepts both, but the literal form is what its docs show.
  return `?${params.toString().replace(/%24/g, '$')}`;
}

// ---- issue 12: `@odata.count`, and the id of a pool created without a representation ----

/** GraphQL's Int, which `totalCount` is. */
const MAX_COUNT = 2 ** 31 - 1;

/** `@odata.count` as `{ count }`, `{}` when Graph gave none; anything but a whole number in Int's range is invalid. */
function collectionCount(value: unknown, reply: Reply): { count?: number } {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_COUNT) {
    throw invalidResponse(reply, 'a whole-number @odata.count');
  }
  return { count: value };
}

/**
 * The key of the entity a 204 create made, from its `OData-EntityId` or `Location` header (OData 4.01 §8.3.3,
 * §11.4.2): the last segment of `<collection>/<key>` or `<collection>(<key>)`, quotes allowed. Only the key is used
 * (the URL itself is never followed, so its host does not matter); undefined when neither header names an entity
 * of `collectionPath` (e.g. `/deviceManagement/embeddedSIMActivationCodePools`).
 */
export function createdEntityKey(headers: Readonly<Record<string, string | string[] | undefined>>, collectionPath: string): string | undefined {
  for (const name of ['odata-entityid', 'location']) {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
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
