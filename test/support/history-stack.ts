/**
 * A stack whose subgraph keeps assignment history, in an embedded store of its own (in memory: gone when the stack
 * stops), for the frontends' tests. The history's own suites (test/history) run over both stores.
 */
import { HISTORY_RULES } from '../../src/graphql/history/rules';
import { openDatabase } from '../../src/history/db';
import { History } from '../../src/history/history';
import { migrateToLatest } from '../../src/history/migrate';
import { HistoryStore } from '../../src/history/store';
import { startStack, type Stack, type StackOptions } from './stack';

export interface HistoryStack extends Stack {
  /** The subgraph's history: `history.store.close()` takes its store down (for good: it is in memory). */
  history: History;
}

export async function startStackWithHistory(options: StackOptions = {}): Promise<HistoryStack> {
  const database = await openDatabase({ kind: 'embedded', path: ':memory:' });
  await migrateToLatest(database);
  const history = new History(new HistoryStore(database), HISTORY_RULES);
  const stack = await startStack({ ...options, edits: { ...options.edits, history } });
  return {
    ...stack,
    history,
    async stop() {
      await stack.stop();
      // Already closed when a test took the store down.
      await history.close().catch(() => undefined);
    },
  };
}
