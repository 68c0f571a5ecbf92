/**
 * What an idempotency key keeps of the pool lifecycle's answers (never an activation code), and how a repeat settles
 * a first attempt whose reply was lost.
 */
import { isGraphError } from '../../graph/errors';
import { isRecord } from '../../graph/json';
import type { WirePool } from '../../graph/models';
import { WriteOutcome } from '../../history/types';
import type { Context } from '../context';

/** A pool as kept: the properties the payload shows, nothing Graph may add. */
export function keptPool(pool: WirePool): WirePool {
  const { id, displayName, activationCodeCount, createdDateTime, modifiedDateTime } = pool;
  return { id, displayName, activationCodeCount, createdDateTime, modifiedDateTime };
}

/** A kept `{ pool }` (JSON from the key store), as far as a repeat reads it. */
export function isKeptPool(value: unknown): value is { pool: WirePool } {
  return isRecord(value) && isRecord(value.pool) && typeof value.pool.id === 'string';
}

/** A kept deletion's answer. */
export function isKeptDeletion(value: unknown): value is { deletedPoolId: string } {
  return isRecord(value) && typeof value.deletedPoolId === 'string';
}

/** A repeat's answer from a kept pool; the request's loader knows it (no Graph read for its fields). */
export function loadPool(ctx: Context, saved: { pool: WirePool }): { pool: WirePool } {
  ctx.loaders.poolById.clear(saved.pool.id).prime(saved.pool.id, saved.pool);
  return saved;
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
  return loadPool(ctx, { pool: keptPool(found) });
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

/** Whether a lost delete took effect: the pool is gone (then its answer), else undefined (delete again). */
export async function deletedAlready(ctx: Context, id: string): Promise<{ deletedPoolId: string } | undefined> {
  const pool = await ctx.graph.getPool(id, ctx.callOptions);
  if (pool !== null) return undefined;
  ctx.loaders.poolById.clear(id).prime(id, null);
  return { deletedPoolId: id };
}
