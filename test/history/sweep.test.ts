/**
 * The sweep over both stores: one replica at a time (the lease in the database), every pool read through $batch,
 * first-seen pools as SNAPSHOTs, and never more than its share of the read budget.
 */
import type { EsimPoolsApi } from '../../src/graph/api';
import { HISTORY_RULES } from '../../src/graphql/history/rules';
import { openHistory } from '../../src/history';
import type { SweepResult } from '../../src/history/sweep';
import { sweeper } from '../../src/history/sweep';
import { HistoryKind } from '../../src/history/types';
import { engines, openReplicaHistory, settingsFor, stackWithHistory, useEngine, type HistoryStack } from './fixture';

const EXTRA_POOLS = 30;
const POOLS = 3 + EXTRA_POOLS;

describe.each(engines())('the sweep on %s', (engine) => {
  const { fixture } = useEngine(engine);
  let h: HistoryStack;
  beforeEach(async () => {
    h = await stackWithHistory(await fixture.location(), { emulator: { extraPools: EXTRA_POOLS } });
  });
  afterEach(() => h.stop());

  it('two replicas sweeping at once make one sweep, whose first sight of each pool is a SNAPSHOT', async () => {
    const other = await openReplicaHistory(h.location);
    try {
      const options = { intervalMs: 60_000, readShare: 1, readBudget: { limit: 1000, windowMs: 20_000 } };
      const a = sweeper(h.opened.history, h.stack.graph, options);
      const b = sweeper(other.history, h.stack.graph, options);
      h.stack.emulator.clearRequests();
      const results = await Promise.all([a(), b()]);
      expect(results.filter((r) => r.swept)).toHaveLength(1);
      const done = results.find((r) => r.swept);
      expect(done).toMatchObject({ pools: POOLS, snapshots: POOLS, outsideChanges: 0, failed: 0 });
      // One pass over Graph: one page of pools, then ⌈33/20⌉ batches (the other replica sent nothing).
      const { emulator } = h.stack;
      expect(emulator.requestCount((r) => r.path.endsWith('/$batch'))).toBe(Math.ceil(POOLS / 20));
      expect(emulator.requestCount((r) => r.method === 'GET' && r.path.endsWith('/embeddedSIMActivationCodePools'))).toBe(1);
      const snapshots = await h.opened.history.store.list({ kinds: [HistoryKind.SNAPSHOT], limit: 1000 });
      expect(snapshots).toHaveLength(POOLS);
      // The lease holds until the next sweep is due: a sweep now, on either replica, does nothing.
      expect((await b()).swept || (await a()).swept).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('runs by itself every interval once the history is opened with one, and stops when it is closed', async () => {
    const sweeps: SweepResult[] = [];
    let second: () => void = () => undefined;
    const twice = new Promise<void>((resolve) => (second = resolve));
    const readBudget = { limit: 1000, windowMs: 20_000 };
    const onSweep = (result: SweepResult): void => {
      if (sweeps.push(result) === 2) second();
    };
    const opened = await openHistory(settingsFor(h.location, 1), { rules: HISTORY_RULES, graph: h.stack.graph, readBudget, hooks: { onSweep } });
    try {
      await twice;
    } finally {
      await opened.close();
    }
    expect(sweeps[0]).toMatchObject({ swept: true, pools: POOLS, snapshots: POOLS });
    // The second sweep, an interval after the first, found every pool recorded already.
    expect(sweeps[1]).toMatchObject({ swept: true, pools: POOLS, snapshots: 0, outsideChanges: 0 });
    const count = sweeps.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sweeps).toHaveLength(count);
  });

  it('stays inside its share of the read budget', async () => {
    const readBudget = { limit: 50, windowMs: 1000 };
    /** 0.2 of the budget's 50. */
    const share = 10;
    // Every Graph request the sweep sends, with when it was sent and how many requests Intune counts for it.
    const sent: Array<{ at: number; requests: number }> = [];
    const graph = h.stack.graph;
    const recording: EsimPoolsApi = Object.create(graph) as EsimPoolsApi;
    recording.listPools = (page, options) => {
      sent.push({ at: Date.now(), requests: 1 });
      return graph.listPools(page, options);
    };
    recording.listAssignmentsOfPools = (ids, options) => {
      sent.push({ at: Date.now(), requests: ids.length });
      return graph.listAssignmentsOfPools(ids, options);
    };
    const sweep = sweeper(h.opened.history, recording, { intervalMs: 60_000, readShare: 0.2, readBudget });
    const result = await sweep();
    expect(result).toMatchObject({ swept: true, pools: POOLS });
    expect(sent.reduce((n, s) => n + s.requests, 0)).toBe(1 + POOLS);
    // In every window of the budget's length, at most the share: 10 of the 50 (a few milliseconds of slack between its clock and ours).
    for (const s of sent) {
      const inWindow = sent.filter((o) => o.at <= s.at && o.at > s.at - readBudget.windowMs + 5).reduce((n, o) => n + o.requests, 0);
      expect(inWindow).toBeLessThanOrEqual(share);
    }
  });
});
