/**
 * What an idempotency key keeps of the pool lifecycle's answers (never an activation code), and how a repeat settles
 * a first attempt whose reply was lost.
 */
import { isGraphError } from '../../graph/errors';
import { isRecord } from '../../graph/json';
import type { WirePool } from '../../graph/models';
import { WriteOutcome } from '../../history/types';
import type { EarlierAttempt } from '../../history/idempotency';
import type { Context } from '../context';
import { idempotent } from '../idempotency';

/**
 * A create or update under its key: the pool kept with the properties the payload shows (nothing Graph may add); a
 * repeat's loader knows it (no Graph read for its fields).
 */
export function keyedPoolWrite(
  ctx: Context,
  operation: string,
  key: string | null | undefined,
  args: Record<string, unknown>,
  run: () => Promise<{ pool: WirePool }>,
  settle?: (earlier: EarlierAttempt) => Promise<{ pool: WirePool } | undefined>,
): Promise<{ pool: WirePool }> {
  return idempotent(ctx, {
    operation,
    key,
    args,
    run,
    settle,
    save: ({ pool: { id, displayName, activationCodeCount, createdDateTime, modifiedDateTime } }) => ({
      pool: { id, displayName, activationCodeCount, createdDateTime, modifiedDateTime },
    }),
    isSaved: (value): value is { pool: WirePool } => isRecord(value) && isRecord(value.pool) && typeof value.pool.id === 'string',
    load: (saved) => loadPool(ctx, saved.pool),
  });
}

/** A delete under its key; a lost reply is settled by reading the pool (gone: the answer). */
export function keyedDelete(ctx: Context, id: string, key: string | null | undefined, run: () => Promise<{ deletedPoolId: string }>): Promise<{ deletedPoolId: string }> {
  return idempotent(ctx, {
    operation: 'deleteEmbeddedSIMActivationCodePool',
    key,
    args: { id },
    run,
    save: (result) => result,
    isSaved: (value): value is { deletedPoolId: string } => isRecord(value) && typeof value.deletedPoolId === 'string',
    load: (saved) => saved,
    settle: async () => {
      const pool = await ctx.graph.getPool(id, ctx.callOptions);
      if (pool !== null) return undefined;
      ctx.loaders.poolById.clear(id).prime(id, null);
      return { deletedPoolId: id };
    },
  });
}

function loadPool(ctx: Context, pool: WirePool): { pool: WirePool } {
  ctx.loaders.poolById.clear(pool.id).prime(pool.id, pool);
  return { pool };
}

/** Graph's clock and ours may disagree: a pool created this long before the attempt started still counts. */
const CLOCK_SKEW_MS = 60_000;
/** The pools read at most while looking (100 pages of 100). */
const MAX_PAGES = 100;

/** The earliest pool named `displayName` created after `startedMs`; reads every page (no `$filter` documented). */
export async function findCreatedPool(ctx: Context, displayName: string, startedMs: number): Promise<{ pool: WirePool } | undefined> {
  let found: WirePool | undefined;
  let next: Awaited<ReturnType<Context['graph']['listPools']>>['next'];
  for (let page = 0; page < MAX_PAGES; page++) {
    const reply = await ctx.graph.listPools({ top: 100, next }, ctx.callOptions);
    for (const item of reply.value) {
      if (isGraphError(item) || item.displayName !== displayName) continue;
      const created = Date.parse(item.createdDateTime);
      if (!(created >= startedMs - CLOCK_SKEW_MS)) continue;
      if (found === undefined || created < Date.parse(found.createdDateTime)) found = item;
    }
    next = reply.next;
    if (next === undefined) break;
  }
  if (found === undefined) return undefined;
  await completeLostCreate(ctx, found, startedMs);
  return loadPool(ctx, found);
}

/** The journal entries of the lost creates of this pool (UNKNOWN, no pool id yet) get the pool: they were written. */
async function completeLostCreate(ctx: Context, pool: WirePool, startedMs: number): Promise<void> {
  const history = ctx.edits.history;
  if (history === undefined) return;
  try {
    const entries = await history.store.list({ since: new Date(startedMs).toISOString(), limit: 100 });
    for (const entry of entries) {
      if (entry.operation !== 'create' || entry.outcome !== WriteOutcome.UNKNOWN || entry.poolId !== '' || entry.detail?.displayName !== pool.displayName) continue;
      await history.complete(entry.id, '', { outcome: WriteOutcome.WRITTEN, poolId: pool.id, targets: [] });
    }
  } catch (error) {
    // The pool was found: the answer stands; the entries stay UNKNOWN.
    ctx.edits.onJournalError?.(error);
  }
}
