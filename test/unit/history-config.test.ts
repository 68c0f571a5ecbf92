/** The history's settings: defaults, the production rule, and DATABASE_URL never shown. */
import { loadConfig } from '../../src/config';
import { historySettings } from '../../src/config/history';
import { configError } from '../support/config';

describe('history settings', () => {
  it('defaults to the embedded store under ./.data, with the sweep and retention defaults', () => {
    expect(loadConfig({}).history).toEqual({
      enabled: true,
      store: { kind: 'embedded', path: './.data/history.db' },
      retentionDays: 400,
      sweepIntervalS: 300,
      sweepReadShare: 0.2,
    });
  });

  it('takes PostgreSQL from DATABASE_URL, shown without its password', () => {
    const history = loadConfig({ DATABASE_URL: 'postgres://app:s3cret-pw@db.internal:5432/esim' }).history;
    expect(history).toMatchObject({ enabled: true, store: { kind: 'postgres', displayUrl: 'postgres://app:***@db.internal:5432/esim' } });
  });

  it('refuses to start in production with neither DATABASE_URL nor HISTORY_PATH, naming the variables, unless HISTORY=off', () => {
    const message = configError({ NODE_ENV: 'production', GRAPH_AUTH_MODE: 'emulator' });
    expect(message).toContain('DATABASE_URL: must be set when NODE_ENV=production');
    expect(message).toContain('HISTORY_PATH');
    expect(message).toContain('HISTORY=off');
    expect(loadConfig({ NODE_ENV: 'production', GRAPH_AUTH_MODE: 'emulator', HISTORY: 'off' }).history).toEqual({ enabled: false });
    expect(loadConfig({ NODE_ENV: 'production', GRAPH_AUTH_MODE: 'emulator', HISTORY_PATH: '/data/history.db' }).history).toMatchObject({
      store: { kind: 'embedded', path: '/data/history.db' },
    });
  });

  it('names bad values, and never echoes a password from DATABASE_URL', () => {
    const url = configError({ DATABASE_URL: 'mysql://root:hunter2-secret@db/x' });
    expect(url).toContain('DATABASE_URL: must start with postgres://');
    expect(url).toContain('mysql://root:***@db/x');
    expect(url).not.toContain('hunter2-secret');
    const bad = configError({ DATABASE_URL: 'postgres://root:hunter2-secret@db/x', HISTORY_SWEEP_READ_SHARE: '1.5', HISTORY_RETENTION_DAYS: '0' });
    expect(bad).toContain('HISTORY_SWEEP_READ_SHARE');
    expect(bad).toContain('HISTORY_RETENTION_DAYS');
    expect(bad).not.toContain('hunter2-secret');
    const garbage = historySettings({ DATABASE_URL: 'not a url with pw hunter2-secret' }, false);
    expect(garbage.problems.join('\n')).not.toContain('hunter2-secret');
    expect(historySettings({ DATABASE_URL: 'postgres://db/x', HISTORY_PATH: '/x.db' }, false).problems[0]).toContain('HISTORY_PATH');
  });
});
