/** The kinds of value environment variables hold, as zod schemas with the messages the start-up error shows. */
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

const LOCAL_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/** Where a token is sent (Graph, the authority): https, or plain http to this machine only. */
export const httpUrl = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be an absolute URL' });
      return;
    }
    // Plain HTTP only to this machine (the emulator, a local proxy): never a token over the network in clear.
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOCAL_HOSTS.includes(u.hostname))) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be https:// (http:// is accepted only for localhost)' });
    }
    if (u.search !== '' || u.hash !== '' || u.username !== '' || u.password !== '') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must not have credentials, a query or a fragment' });
    }
  })
  .transform((v) => v.replace(/\/+$/, ''));

/** An OTLP/HTTP collector: http or https (collectors usually sit inside the cluster). */
export const collectorUrl = z
  .string()
  .trim()
  .refine((v) => /^https?:\/\/[^/]/.test(v) && URL.canParse(v), 'must be an http:// or https:// URL');

export const guid = z
  .string()
  .trim()
  .regex(GUID_PATTERN, 'must be a GUID');

/** A URL for identity metadata (issuers, the JWKS): https, or http for localhost; a query is allowed (`?appid=`). */
function identityUrlIssue(v: string): string | undefined {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return `${JSON.stringify(v)} is not an absolute URL`;
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOCAL_HOSTS.includes(u.hostname))) {
    return `${JSON.stringify(v)} must be https:// (http:// only for localhost)`;
  }
  if (u.hash !== '' || u.username !== '' || u.password !== '') return `${JSON.stringify(v)} must not have credentials or a fragment`;
  return undefined;
}

/** A comma-separated list of non-empty items. */
export const commaList = z
  .string()
  .transform((v) => v.split(',').map((item) => item.trim()).filter((item) => item.length > 0))
  .refine((items) => items.length > 0, 'must list at least one value');

export const urlList = commaList.superRefine((items, ctx) => {
  for (const item of items) {
    const issue = identityUrlIssue(item);
    if (issue !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message: issue });
  }
});

export const identityUrl = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const issue = identityUrlIssue(v);
    if (issue !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message: issue });
  });

/** A permission (scope or app role) name: no spaces, since `scp` is space-separated. */
export const permissionName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._:-]{1,120}$/, 'must be a scope or app role name (letters, digits, . _ : -)');
