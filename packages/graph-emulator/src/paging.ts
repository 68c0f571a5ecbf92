/**
 * Server-driven paging of the emulator's collections: `$top`, `$skiptoken` and an absolute
 * `@odata.nextLink`, as Graph pages Intune collections.
 *
 * Two token styles: 'opaque' (default, base64url) and 'quoted', which looks like the skiptokens
 * Intune really sends: OData-ish text with spaces and single-quoted names
 * (`Offset eq 2 and Scope eq 'pools' and Name eq 'Fabrikam LTE kiosks'`), percent-encoded in the
 * nextLink. A client must follow the link as given; one that decodes or re-encodes it breaks.
 */
import { type GraphCall, type GraphReply, badRequest } from './util';

const MAX_TOP = 999;
const DEFAULT_TOP = 100;
const TOKEN_PREFIX = 'esim1|';
const QUOTED_TOKEN = /^Offset eq (0|[1-9][0-9]{0,8}) and Scope eq '((?:[^']|'')*)' and Name eq '(?:[^']|'')*'$/;

export type SkipTokenStyle = 'opaque' | 'quoted';

/** An OData string literal's content: single quotes doubled. */
function quote(text: string): string {
  return text.replace(/'/g, "''");
}

export function makeQuotedSkipToken(scope: string, offset: number, name: string): string {
  return `Offset eq ${offset} and Scope eq '${quote(scope)}' and Name eq '${quote(name)}'`;
}

/** Percent-encodes a token for a URL, quotes included (encodeURIComponent leaves `'` as it is). */
function encodeToken(token: string): string {
  return encodeURIComponent(token).replace(/'/g, '%27');
}

export function makeSkipToken(scope: string, offset: number): string {
  return Buffer.from(`${TOKEN_PREFIX}${scope}|${offset}`, 'utf8').toString('base64url');
}

/** Returns the offset encoded in an emulator-made token for this scope, or undefined if invalid. */
export function readSkipToken(token: string, scope: string): number | undefined {
  const quoted = QUOTED_TOKEN.exec(token);
  if (quoted !== null) return quoted[2].replace(/''/g, "'") === scope ? Number(quoted[1]) : undefined;
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
  tokenStyle: SkipTokenStyle;
  /** The name a quoted token carries (that of the last item on the page, as Intune's do). */
  nameOf(item: T): string | null;
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
    const token =
      spec.tokenStyle === 'quoted' ? encodeToken(makeQuotedSkipToken(scope, end, spec.nameOf(items[end - 1]) ?? '')) : makeSkipToken(scope, end);
    body['@odata.nextLink'] = `${spec.baseUrl}${spec.selfPath}?$top=${top}&$skiptoken=${token}`;
  }
  return { status: 200, body };
}
