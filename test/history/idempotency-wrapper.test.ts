/**
 * The wrapper every keyed mutation goes through, `idempotent(ctx, …)`, over the embedded store with work the test
 * scripts: which failures free a key and which leave it unknown, settle before running again, partial results
 * handed to the repeat (what the bulk edits use), and keys of different callers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalPoolLocks } from '../../src/coordination/local';
import { GraphError } from '../../src/graph/errors';
import { isRecord } from '../../src/graph/json';
import { createContext, type Context } from '../../src/graphql/context';
import { badUserInput } from '../../src/graphql/errors';
import { idempotencyKeys, idempotent, type IdempotentMutation } from '../../src/graphql/idempotency';
import type { OpenedHistory } from '../../src/history';
import type { EarlierAttempt } from '../../src/history/idempotency';
import { AuditLog } from '../../src/observability/audit';
import { createLogger } from '../../src/observability/logger';
import { FakeGraph } from '../support/fake-graph';
import { openReplicaHistory } from './fixture';

interface Answer {
  n: number;
}

describe('idempotent(ctx, mutation)', () => {
  let dir: string;
  let opened: OpenedHistory;
  let runs: Array<EarlierAttempt | undefined>;
  /** What the keys did, as the metric counts it. */
  let results: string[];
  beforeEach(async () => {
    results = [];
    dir = mkdtempSync(join(tmpdir(), 'esim-idempotent-'));
    opened = await openReplicaHistory({ kind: 'embedded', path: join(dir, 'h.db') });
    runs = [];
  });
  afterEach(async () => {
    await opened.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function context(oid?: string): Context {
    const history = opened.history;
    const principal = oid === undefined ? undefined : { oid, tid: 't', isApp: false, permissions: new Set<string>(), expiresAt: 0 };
    return createContext('req', new FakeGraph(), undefined, principal, {
      locks: new LocalPoolLocks(),
      audit: new AuditLog(createLogger('silent')),
      lockWaitMs: 200,
      history,
      idempotency: idempotencyKeys(history, 3600, 200),
      onIdempotency: (result) => results.push(result),
    });
  }

  /** A mutation whose work is `work` (each run recorded with what it was handed). */
  function mutation(work: (earlier?: EarlierAttempt) => Promise<Answer>, extra: Partial<IdempotentMutation<Answer, Answer>> = {}): IdempotentMutation<Answer, Answer> {
    return {
      operation: 'testMutation',
      key: 'key-1',
      args: { poolId: 'p' },
      run: (earlier) => {
        runs.push(earlier);
        return work(earlier);
      },
      save: (answer) => answer,
      isSaved: (value): value is Answer => isRecord(value) && typeof value.n === 'number',
      load: (kept) => kept,
      ...extra,
    };
  }

  it.each([
    ['our refusal (a GraphQLError)', badUserInput('no', 'x')],
    ['an error answer from Graph', new GraphError('bad request', { kind: 'http', status: 400 })],
    ['a client-side refusal before sending', new GraphError('budget', { kind: 'rejected', status: 429 })],
    ['a connection that failed before any reply', new GraphError('refused', { kind: 'network', beforeReply: true })],
  ])('frees the key after %s: the repeat runs again as new', async (_what, error) => {
    const ctx = context();
    await expect(idempotent(ctx, mutation(() => Promise.reject(error)))).rejects.toBe(error);
    expect(await idempotent(ctx, mutation(() => Promise.resolve({ n: 2 })))).toEqual({ n: 2 });
    expect(runs).toEqual([undefined, undefined]);
  });

  it.each([
    ['a time-out', new GraphError('late', { kind: 'timeout' })],
    ['a connection lost after sending', new GraphError('reset', { kind: 'network' })],
    ['something unexpected', new Error('bug')],
  ])('leaves the key unknown after %s: the repeat settles first, then runs with the earlier attempt', async (_what, error) => {
    const ctx = context();
    await expect(idempotent(ctx, mutation(() => Promise.reject(error)))).rejects.toBe(error);
    const settled: EarlierAttempt[] = [];
    const settle = (earlier: EarlierAttempt): Promise<Answer | undefined> => {
      settled.push(earlier);
      return Promise.resolve(undefined);
    };
    expect(await idempotent(ctx, mutation(() => Promise.resolve({ n: 3 }), { settle }))).toEqual({ n: 3 });
    expect(settled).toEqual([expect.objectContaining({ state: 'UNKNOWN' })]);
    expect(runs[1]).toMatchObject({ state: 'UNKNOWN' });
    // Settled once: the answer is kept.
    expect(await idempotent(ctx, mutation(() => Promise.resolve({ n: 4 }), { settle }))).toEqual({ n: 3 });
    expect(runs).toHaveLength(2);
    expect(results).toEqual(['new', 'retried', 'replayed']);
  });

  it('answers what settle found without running; a failure after an unknown attempt keeps it unknown', async () => {
    const ctx = context();
    await expect(idempotent(ctx, mutation(() => Promise.reject(new GraphError('late', { kind: 'timeout' }))))).rejects.toBeInstanceOf(GraphError);
    // Even an error that wrote nothing leaves it unknown now: the first attempt may still have written.
    await expect(idempotent(ctx, mutation(() => Promise.reject(badUserInput('no'))))).rejects.toThrow('no');
    const found = await idempotent(ctx, mutation(() => Promise.resolve({ n: 9 }), { settle: () => Promise.resolve({ n: 5 }) }));
    expect(found).toEqual({ n: 5 });
    expect(runs).toHaveLength(2);
    expect(await idempotent(ctx, mutation(() => Promise.resolve({ n: 9 })))).toEqual({ n: 5 });
    expect(results).toEqual(['new', 'retried', 'settled', 'replayed']);
    await expect(idempotent(ctx, { ...mutation(() => Promise.resolve({ n: 9 })), args: { poolId: 'q' } })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', reason: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotencyKey' },
    });
    expect(results.at(-1)).toBe('reused');
  });

  it('keeps a partial result for the repeat, through a failed repeat, until a final one', async () => {
    const ctx = context();
    const final = (answer: Answer): boolean => answer.n >= 3;
    expect(await idempotent(ctx, mutation(() => Promise.resolve({ n: 1 }), { final }))).toEqual({ n: 1 });
    await expect(idempotent(ctx, mutation(() => Promise.reject(new GraphError('late', { kind: 'timeout' })), { final }))).rejects.toBeInstanceOf(GraphError);
    const next = (earlier?: EarlierAttempt): Promise<Answer> => Promise.resolve({ n: (earlier?.result as Answer).n + 2 });
    expect(await idempotent(ctx, mutation(next, { final }))).toEqual({ n: 3 });
    expect(runs.slice(1).map((r) => r?.result)).toEqual([{ n: 1 }, { n: 1 }]);
    expect(await idempotent(ctx, mutation(next, { final }))).toEqual({ n: 3 });
    expect(runs).toHaveLength(3);
  });

  it("keeps each caller's keys apart, and never keeps a dry run", async () => {
    expect(await idempotent(context('alice'), mutation(() => Promise.resolve({ n: 1 })))).toEqual({ n: 1 });
    expect(await idempotent(context('bob'), mutation(() => Promise.resolve({ n: 2 })))).toEqual({ n: 2 });
    expect(await idempotent(context('alice'), mutation(() => Promise.resolve({ n: 3 })))).toEqual({ n: 1 });
    const dry = mutation(() => Promise.resolve({ n: 4 }), { key: 'dry', dryRun: true });
    expect(await idempotent(context(), dry)).toEqual({ n: 4 });
    expect(await idempotent(context(), { ...dry, args: { other: true }, dryRun: false })).toEqual({ n: 4 });
    expect(runs).toHaveLength(4);
  });
});
