/**
 * Each Graph call attempt has one abort signal, fired by its deadline (GRAPH_TIMEOUT_MS) or by the caller (the
 * client went away); the deadline's timer is cleared as soon as the attempt ends.
 */
import { SAMPLE_POOLS, startGraphEmulator, type GraphEmulator } from '@esim-pools/graph-emulator';
import { GraphClient } from '../../src/graph/client';
import { EmulatorCredential } from '../../src/identity/credential';
import { isGraphError } from '../../src/graph/errors';

let emulator: GraphEmulator;
beforeAll(async () => {
  emulator = await startGraphEmulator({ faults: { hang: true } });
});
afterAll(async () => {
  await emulator?.close();
});
beforeEach(() => emulator.clearRequests());

const client = (timeoutMs: number) =>
  new GraphClient(emulator.url, new EmulatorCredential(), { scope: 'https://graph.microsoft.com/.default', timeoutMs, retry: { maxRetries: 0 } });

async function untilReceived(n: number): Promise<void> {
  while (emulator.requests.length < n) await new Promise((resolve) => setTimeout(resolve, 5));
}

it('one caller signal aborts every call it covers (more than ten at once), each as `aborted`, without a listener warning', async () => {
  const graph = client(10_000);
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => {
    warnings.push(warning);
  };
  process.on('warning', onWarning);
  try {
    const caller = new AbortController();
    const calls = Array.from({ length: 12 }, () => graph.getPool(SAMPLE_POOLS[0].id, { signal: caller.signal }).then(() => 'answered', (error: unknown) => error));
    await untilReceived(12);
    caller.abort();
    const results = await Promise.all(calls);
    expect(results.map((r) => isGraphError(r) && r.kind)).toEqual(results.map(() => 'aborted'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  } finally {
    process.off('warning', onWarning);
    await graph.close();
  }
});

it('a call past its deadline is `timeout`', async () => {
  const graph = client(300);
  try {
    const error: unknown = await graph.getPool(SAMPLE_POOLS[0].id).then(() => undefined, (e: unknown) => e);
    expect(isGraphError(error) && error.kind).toBe('timeout');
  } finally {
    await graph.close();
  }
});

it('a caller that already gave up sends nothing', async () => {
  const graph = client(10_000);
  try {
    const error: unknown = await graph.getPool(SAMPLE_POOLS[0].id, { signal: AbortSignal.abort() }).then(() => undefined, (e: unknown) => e);
    expect(isGraphError(error) && error.kind).toBe('aborted');
    expect(emulator.requests).toHaveLength(0);
  } finally {
    await graph.close();
  }
});
