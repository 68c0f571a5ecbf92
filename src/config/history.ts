/** The assignment history's variables (DATABASE_URL, HISTORY*), readable alone for `npm run migrate`. */
import { z } from 'zod';
import { ConfigError, int, readSections, redactUrl, reporter, share, text } from './values';

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

/** The section; in production history needs DATABASE_URL or HISTORY_PATH (a container's own file would be lost). */
export const history = (production: boolean) =>
  z
    .object({
      DATABASE_URL: z.string().trim().optional(),
      HISTORY: z.enum(['on', 'off']).default('on'),
      /** Default: ./.data/history.db outside production. */
      HISTORY_PATH: text.optional(),
      HISTORY_RETENTION_DAYS: int(1, 36_500).default('400'),
      HISTORY_SWEEP_INTERVAL_S: int(0, 86_400).default('300'),
      HISTORY_SWEEP_READ_SHARE: share.default('0.2'),
    })
    .transform((e, ctx): HistorySettings => {
      if (e.HISTORY === 'off') return { enabled: false };
      const report = reporter(ctx);
      const on = (store: Extract<HistorySettings, { enabled: true }>['store']): HistorySettings =>
        ({ enabled: true, store, retentionDays: e.HISTORY_RETENTION_DAYS, sweepIntervalS: e.HISTORY_SWEEP_INTERVAL_S, sweepReadShare: e.HISTORY_SWEEP_READ_SHARE });
      if (e.DATABASE_URL !== undefined) {
        const displayUrl = redactUrl(e.DATABASE_URL);
        if (!URL.canParse(e.DATABASE_URL)) report('DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
        else if (!['postgres:', 'postgresql:'].includes(new URL(e.DATABASE_URL).protocol)) {
          report('DATABASE_URL', `must start with postgres:// or postgresql:// (got ${JSON.stringify(displayUrl)})`);
        }
        if (e.HISTORY_PATH !== undefined) report('HISTORY_PATH', 'set with DATABASE_URL; history goes to one store: unset one of them');
        return on({ kind: 'postgres', url: e.DATABASE_URL, displayUrl });
      }
      if (e.HISTORY_PATH === undefined && production) {
        report(
          'DATABASE_URL',
          'must be set when NODE_ENV=production (a PostgreSQL URL shared by every replica); or set HISTORY_PATH to a file on a persistent volume, or HISTORY=off to run without history',
        );
      }
      return on({ kind: 'embedded', path: e.HISTORY_PATH ?? './.data/history.db' });
    });

/** The settings, or the problems (`NAME: why`, never the value of DATABASE_URL). */
export function historySettings(env: NodeJS.ProcessEnv, production: boolean): { settings: HistorySettings; problems: string[] } {
  try {
    return { settings: readSections({ history: history(production) }, env).history, problems: [] };
  } catch (error) {
    if (error instanceof ConfigError) return { settings: { enabled: false }, problems: [...error.problems] };
    throw error;
  }
}
