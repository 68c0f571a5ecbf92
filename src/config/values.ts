/** The kinds of value a variable holds (zod schemas with the start-up error's wording), and the one reader. */
import { z } from 'zod';
import { GUID_PATTERN } from '../graph/json';

export const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no'].includes(v), 'must be true or false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

/** A number in (0, 1]. */
export const share = z
  .string()
  .trim()
  .regex(/^(0\.\d*[1-9]\d*|1(\.0+)?)$/, 'must be a number above 0 and at most 1, e.g. 0.2')
  .transform(Number);

export const text = z.string().trim().min(1);

export const guid = z.string().trim().regex(GUID_PATTERN, 'must be a GUID');

/** A shared key: at least 16 characters. */
export const secret = z.string().min(16, 'must be at least 16 characters');

/** A permission (scope or app role) name: no spaces, since `scp` is space-separated. */
export const permissionName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._:-]{1,120}$/, 'must be a scope or app role name (letters, digits, . _ : -)');

const LOCAL_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

const parseUrl = (v: string): URL | undefined => (URL.canParse(v) ? new URL(v) : undefined);

const plainHttpElsewhere = (u: URL) => u.protocol !== 'https:' && !(u.protocol === 'http:' && LOCAL_HOSTS.includes(u.hostname));

/** Where a token is sent (Graph, the authority): https (http for localhost only), no credentials, query or fragment. */
export const httpUrl = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const u = parseUrl(v);
    if (u === undefined) return ctx.addIssue({ code: 'custom', message: 'must be an absolute URL' });
    if (plainHttpElsewhere(u)) ctx.addIssue({ code: 'custom', message: 'must be https:// (http:// is accepted only for localhost)' });
    if (u.search !== '' || u.hash !== '' || u.username !== '' || u.password !== '') {
      ctx.addIssue({ code: 'custom', message: 'must not have credentials, a query or a fragment' });
    }
  })
  .transform((v) => v.replace(/\/+$/, ''));

/** An http:// or https:// URL (a collector, the router's invalidation endpoint). */
export const collectorUrl = z
  .string()
  .trim()
  .refine((v) => /^https?:\/\/[^/]/.test(v) && URL.canParse(v), 'must be an http:// or https:// URL');

/** The value as a message may quote it: each URL's credentials (of a comma list too) as `***`, never in a log. */
function withoutCredentials(value: string): string {
  return value
    .split(',')
    .map((item) => {
      const u = parseUrl(item.trim());
      if (u === undefined || (u.username === '' && u.password === '')) return item;
      [u.username, u.password] = ['***', ''];
      return u.toString();
    })
    .join(',');
}

/** Identity metadata (issuers, the JWKS): https (http for localhost), a query allowed, no credentials or fragment. */
function identityUrlIssue(v: string): string | undefined {
  const u = parseUrl(v);
  const shown = JSON.stringify(withoutCredentials(v));
  if (u === undefined) return `${shown} is not an absolute URL`;
  if (plainHttpElsewhere(u)) return `${shown} must be https:// (http:// only for localhost)`;
  if (u.username !== '' || u.password !== '') return `${shown} must not have credentials`;
  if (u.hash !== '') return `${shown} must not have a fragment`;
  return undefined;
}

/** A comma-separated list of non-empty items. */
export const commaList = z
  .string()
  .transform((v) => v.split(',').map((item) => item.trim()).filter((item) => item.length > 0))
  .refine((items) => items.length > 0, 'must list at least one value');

export const identityUrl = z
  .string()
  .trim()
  .refine((v) => identityUrlIssue(v) === undefined, (v) => ({ message: identityUrlIssue(v) }));

export const urlList = commaList.superRefine((items, ctx) => {
  for (const issue of items.map(identityUrlIssue)) if (issue !== undefined) ctx.addIssue({ code: 'custom', message: issue });
});

/** The URL with its password (if any) replaced by `***`; text that is not a URL is not shown at all. */
export function redactUrl(value: string): string {
  const url = parseUrl(value);
  if (url === undefined) return '(not a URL)';
  if (url.password !== '') url.password = '***';
  return url.toString();
}

/** The one error a bad configuration raises: its message lists every problem, one variable a line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** Reports a broken rule between variables from a section's transform: `NAME: message`, no value quoted. */
export type Report = (variable: string, message: string) => undefined;

export const reporter =
  (ctx: z.RefinementCtx): Report =>
  (variable, message) => {
    ctx.addIssue({ code: 'custom', path: [variable], message, params: { rule: true } });
    return undefined;
  };

/** Variables whose value no message shows (REDIS_URL's problems show it only through redactUrl). */
export const SECRET_VARIABLES = new Set([
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PASSWORD',
  'ROUTER_SECRET',
  'ROUTER_INVALIDATION_SECRET',
  'DATABASE_URL',
  'REDIS_PASSWORD',
]);

/**
 * Parses each section from `env` (empty strings count as unset); throws one ConfigError with a `NAME: why` line per
 * problem of every section, quoting the value (a URL's credentials masked) unless the variable is secret.
 */
export function readSections<S extends Record<string, z.ZodTypeAny>>(sections: S, env: NodeJS.ProcessEnv): { [K in keyof S]: z.output<S[K]> } {
  const input: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') input[key] = value;
  const problems: string[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(sections)) {
    const result = schema.safeParse(input);
    if (result.success) parsed[name] = result.data;
    for (const issue of result.error?.issues ?? []) {
      const variable = String(issue.path[0]);
      const rule = issue.code === 'custom' && issue.params?.rule === true;
      const shown = rule || SECRET_VARIABLES.has(variable) ? '' : ` (got ${JSON.stringify(withoutCredentials(input[variable]))})`;
      problems.push(`${variable}: ${issue.message}${shown}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  // Every section parsed: `parsed` holds each one's output under its name.
  return parsed as { [K in keyof S]: z.output<S[K]> };
}
