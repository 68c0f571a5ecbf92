/**
 * The assignment history's settings (DATABASE_URL, HISTORY, HISTORY_PATH, HISTORY_RETENTION_DAYS,
 * HISTORY_SWEEP_INTERVAL_S, HISTORY_SWEEP_READ_SHARE). Parsed on their own as well as in loadConfig, so that
 * `npm run migrate` needs nothing but these. No message ever shows DATABASE_URL's value (it may carry a password).
 */
import { z } from 'zod';
import { readEnvSection } from '../coordination/settings';
import { int } from './values';

export type HistorySettings =
  | { enabled: false }
  | {
      enabled: true;
      /** `postgres`: DATABASE_URL, shared by every replica; `embedded`: a file of this process (libsql). */
      store: { kind: 'postgres'; url: string; displayUrl: string } | { kind: 'embedded'; path: string };
      retentionDays: number;
      /** 0: no sweep. */
      sweepIntervalS: number;
      /** The share (0..1] of Intune's read budget the sweep may use. */
      sweepReadShare: number;
    };

export const HISTORY_DEFAULTS = {
  path: './.data/history.db',
  retentionDays: 400,
  sweepIntervalS: 300,
  sweepReadShare: 0.2,
} as const;

const share = z
  .string()
  .trim()
  .regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'must be a number above 0 and at most 1, e.g. 0.2')
  .transform(Number)
  .refine((n) => n > 0 && n <= 1, 'must be a number above 0 and at most 1, e.g. 0.2');

const envSchema = z.object({
  DATABASE_URL: z.string().trim().optional(),
  HISTORY: z.enum(['on', 'off']).optional(),
  HISTORY_PATH: z.string().trim().min(1).optional(),
  HISTORY_RETENTION_DAYS: int(1, 36_500).optional(),
  HISTORY_SWEEP_INTERVAL_S: int(0, 86_400).optional(),
  HISTORY_SWEEP_READ_SHARE: share.optional(),
});

/** Variables whose value is never shown, not even in part. */
const SECRET_VARIABLES = new Set(['DATABASE_URL']);

/** The URL with its password (if any) replaced by `***`; text that is not a URL is not shown at all. */
export function redactDatabaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return '(not a URL)';
  }
  if (url.password !== '') url.password = '***';
  return url.toString();
}

/** The settings, or the problems (`NAME: why`, never the value of DATABASE_URL). Empty strings count as unset. */
export function historySettings(env: NodeJS.ProcessEnv, production: boolean): { settings: HistorySettings; problems: string[] } {
  const parsed = readEnvSection(envSchema, env, SECRET_VARIABLES);
  if ('problems' in parsed) return { settings: { enabled: false }, problems: parsed.problems };
  const e = parsed.data;
  if (e.HISTORY === 'off') return { settings: { enabled: false }, problems: [] };
  const problems: string[] = [];
  let store: Extract<HistorySettings, { enabled: true }>['store'] | undefined;
  if (e.DATABASE_URL !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(e.DATABASE_URL);
    } catch {
      problems.push('DATABASE_URL: must be a postgres:// or postgresql:// URL');
    }
    if (url !== undefined) {
      if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
        problems.push(`DATABASE_URL: must start with postgres:// or postgresql:// (got ${JSON.stringify(redactDatabaseUrl(e.DATABASE_URL))})`);
      } else {
        store = { kind: 'postgres', url: e.DATABASE_URL, displayUrl: redactDatabaseUrl(e.DATABASE_URL) };
      }
    }
    if (e.HISTORY_PATH !== undefined) problems.push('HISTORY_PATH: set with DATABASE_URL; history goes to one store: unset one of them');
  } else if (e.HISTORY_PATH === undefined && production) {
    // A file inside a container is lost with the container: in production history needs a real database.
    problems.push(
      'DATABASE_URL: must be set when NODE_ENV=production (a PostgreSQL URL shared by every replica); or set HISTORY_PATH to a file on a persistent volume, or HISTORY=off to run without history',
    );
  } else {
    store = { kind: 'embedded', path: e.HISTORY_PATH ?? HISTORY_DEFAULTS.path };
  }
  if (problems.length > 0 || store === undefined) return { settings: { enabled: false }, problems };
  return {
    settings: {
      enabled: true,
      store,
      retentionDays: e.HISTORY_RETENTION_DAYS ?? HISTORY_DEFAULTS.retentionDays,
      sweepIntervalS: e.HISTORY_SWEEP_INTERVAL_S ?? HISTORY_DEFAULTS.sweepIntervalS,
      sweepReadShare: e.HISTORY_SWEEP_READ_SHARE ?? HISTORY_DEFAULTS.sweepReadShare,
    },
    problems: [],
  };
}
