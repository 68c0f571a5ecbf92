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
  const nextLink = parsed['@odata.nextLink'];
  if (nextLink === undefined || nextLink === null) return { value: parsed.value };
  if (typeof nextLink !== 'string') throw invalidResponse(reply, 'a string @odata.nextLink');
  return { value: parsed.value, next: pageTokenFromNextLink(nextLink, collection, reply) };
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
  // URLSearchParams encodes `$` as %24; Graph accepts both, but the literal form is what its docs show.
  return `?${params.toString().replace(/%24/g, '$')}`;
}
