/** `npm run migrate`: applies the history store's pending migrations alone (its variables only, never DATABASE_URL). */
import { historySettings } from '../config/history';
import { openDatabase, type HistoryDb } from './db';
import { migrateToLatest } from './migrate';

async function main(): Promise<number> {
  const { settings, problems } = historySettings(process.env, process.env.NODE_ENV?.trim() === 'production');
  if (problems.length > 0) {
    process.stderr.write(`Invalid configuration:\n  ${problems.join('\n  ')}\n`);
    return 1;
  }
  if (!settings.enabled) {
    process.stdout.write('HISTORY=off: no history store to migrate.\n');
    return 0;
  }
  const where = settings.store.kind === 'postgres' ? settings.store.displayUrl : settings.store.path;
  let database: HistoryDb | undefined;
  try {
    database = await openDatabase(settings.store);
    const applied = await migrateToLatest(database);
    process.stdout.write(applied.length > 0 ? `history store ${where}: applied ${applied.join(', ')}\n` : `history store ${where}: up to date\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`history store ${where}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await database?.close();
  }
}

void main().then((code) => (process.exitCode = code));
