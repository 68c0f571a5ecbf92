/**
 * Server-driven paging of the emulator's collections: `$top`, `$skiptoken` and an absolute
 * `@odata.nextLink`, as Graph pages Intune collections.
 */
import { GraphCall, GraphReply, badRequest } from './util';

const MAX_TOP = 999;
const DEFAULT_TOP = 100;
const TOKEN_PREFIX = 'esim1|';

export function makeSkipToken(scope: string, offset: number): string {
  return Buffer.from(`${TOKEN_PREFIX}${scope}|${offset}`, 'utf8').toString('base64url');
}

/** Returns the offset encoded in an emulator-made token for this scope, or undefined if invalid. */
export function readSkipToken(token: string, scope: string): number | undefined {
  if (token.length === 0 || token.length > 512 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const expectedPrefix = `${TOKEN_PREFIX}${scope}|`;
  if (!text.startsWith(expectedPrefix)) return undefined;
  const rest = text.slice(expectedPrefix.length);
  if (!/^(0|[1-9][0-9]{0,8})$/.test(rest)) return undefined;
  const offset = Number(rest);
  // Canonical form only (rejects tokens that merely decode to the same text).
  if (makeSkipToken(scope, offset) !== token) return undefined;
  return offset;
}

export function queryOption(q: Record<string, string>, name: string): string | undefined {
  // On the beta endpoint the `$` prefix of system query options is optional.
  const v = q['$' + name];
  return v !== undefined ? v : q[name];
}

/** `$count=true|false` (OData: a boolean). A reply when the value is neither. */
export function countOption(call: GraphCall): boolean | GraphReply {
  const v = queryOption(call.query, 'count');
  if (v === undefined) return false;
  const t = v.toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  return badRequest(`Invalid value '${v}' for the $count query option. $count must be true or false.`, call.ids);
}

/** The `/$count` path segment: the total as a plain-text integer (OData's ODataCountResponse). */
export function countReply(n: number): GraphReply {
  return { status: 200, raw: String(n), contentType: 'text/plain; charset=utf-8' };
}

export interface PageSpec<T> {
  items: readonly T[];
  /** Binds a skiptoken to one collection, so a token of another collection is refused. */
  scope: string;
  /** Path of the collection under the origin, e.g. /beta/deviceManagement/embeddedSIMActivationCodePools */
  selfPath: string;
  context: string;
  baseUrl: string;
}

export function page<T>(call: GraphCall, spec: PageSpec<T>): GraphReply {
  const ids = call.ids;
  const { items, scope } = spec;
  const topText = queryOption(call.query, 'top');
  let top = DEFAULT_TOP;
  if (topText !== undefined) {
    if (!/^[0-9]{1,4}$/.test(topText) || Number(topText) < 1 || Number(topText) > MAX_TOP) {
      return badRequest(`Invalid value '${topText}' for the $top query option. $top must be an integer between 1 and ${MAX_TOP}.`, ids);
    }
    top = Number(topText);
  }
  let offset = 0;
  const tokenText = queryOption(call.query, 'skiptoken');
  if (tokenText !== undefined) {
    const o = readSkipToken(tokenText, scope);
    if (o === undefined) return badRequest(`Invalid $skiptoken value '${tokenText}'.`, ids);
    offset = o;
  }
  const count = countOption(call);
  if (typeof count !== 'boolean') return count;
  const end = Math.min(items.length, offset + top);
  const body: Record<string, unknown> = { '@odata.context': spec.context };
  // The total of the collection, not the size of this page.
  if (count) body['@odata.count'] = items.length;
  body.value = offset < items.length ? items.slice(offset, end) : [];
  if (end < items.length) {
    body['@odata.nextLink'] = `${spec.baseUrl}${spec.selfPath}?$top=${top}&$skiptoken=${makeSkipToken(scope, end)}`;
  }
  return { status: 200, body };
}
