/**
 * The mutations under their idempotency keys, one wrapper per shape (docs/edits.md, "Wiring a new mutation"): what a
 * key keeps of each answer (ids, targets, names; never an activation code), how a repeat rebuilds it without Graph,
 * and how a repeat settles a first attempt whose reply was lost.
 */
import { isGraphError } from '../graph/errors';
import { isRecord } from '../graph/json';
import type { WireAssignment, WirePool } from '../graph/models';
import { KeyState, type EarlierAttempt } from '../history/idempotency';
import { WriteOutcome } from '../history/types';
import type { Context } from './context';
import { bulkEdit, summary, type BulkRequest } from './edits/bulk';
import { assignmentsVersion } from './edits/merge';
import { editAssignments, editPayload, JOURNAL_OPERATION, refreshLoaders, type EditOperation, type EditRequest } from './edits/service';
import { idempotent } from './idempotency';
import { isPoolEditError, type BulkEditPayloadModel, type EditPayloadModel } from './mapping';

/** The arguments every single-pool edit shares (the key taken out); all of them are hashed with the operation. */
type EditArgs = Record<string, unknown> & { poolId: string; dryRun?: boolean | null; ifAssignmentsVersion?: string | null };

/** An unknown first edit settled by a fresh read: its answer when the set is one it planned, else undefined. */
async function settleEdit(ctx: Context, poolId: string, journalOperation: string, startedMs: number): Promise<EditPayloadModel | undefined> {
  const history = ctx.edits.history;
  if (history === undefined) return undefined;
  const readStartedMs = Date.now();
  const current = await ctx.graph.listAssignments(poolId, ctx.callOptions);
  const version = assignmentsVersion(current);
  const entries = await history.store.list({ poolId, since: new Date(startedMs).toISOString(), limit: 100 });
  const entry = entries.find((e) => e.operation === journalOperation && e.targetsBefore !== null && e.assignmentsVersion === version);
  if (entry === undefined) return undefined;
  // The read settles the entry (WRITTEN) as any read of the pool does.
  history.observeInBackground(poolId, current.map((a) => a.target), readStartedMs);
  refreshLoaders(ctx, poolId, current, true);
  return editPayload(poolId, current, entry, false, []);
}

/** `run` under the key: `settled` turns a settled edit into the mutation's payload. */
export function keyedEdit<R extends { poolId: string; assignments: WireAssignment[] }>(
  ctx: Context,
  operation: EditOperation,
  key: string | null | undefined,
  args: EditArgs,
  run: () => Promise<R>,
  settled: (edit: EditPayloadModel) => R,
): Promise<R> {
  return idempotent(ctx, {
    operation,
    key,
    args,
    dryRun: args.dryRun ?? false,
    run,
    settle: async (earlier) => {
      const edit = await settleEdit(ctx, args.poolId, JOURNAL_OPERATION[operation], earlier.startedMs);
      return edit && settled(edit);
    },
    save: (result) => result,
    isSaved: (value): value is R => isRecord(value) && typeof value.poolId === 'string' && Array.isArray(value.assignments),
    load: (saved) => {
      refreshLoaders(ctx, saved.poolId, saved.assignments, false);
      return saved;
    },
  });
}

/** An add or remove of one pool under the key. */
export function keyedPoolEdit(
  ctx: Context,
  operation: EditOperation,
  key: string | null | undefined,
  args: EditArgs,
  edit: Pick<EditRequest, 'validate' | 'plan' | 'sent'>,
): Promise<EditPayloadModel> {
  const { poolId, dryRun, ifAssignmentsVersion } = args;
  const request: EditRequest = { operation, poolId, dryRun: dryRun ?? false, ifAssignmentsVersion, ...edit };
  return keyedEdit(ctx, operation, key, args, () => editAssignments(ctx, request), (settled) => settled);
}

/** What keyedBulkEdit keeps (its own payload, as JSON), as far as a repeat reads it. */
function isKeptBulkPayload(value: unknown): value is BulkEditPayloadModel {
  return isRecord(value) && Array.isArray(value.results) && value.results.every(isRecord);
}

/** A bulk edit under its key; after a partial first answer a repeat edits only the pools that failed. */
export function keyedBulkEdit(
  ctx: Context,
  key: string | null | undefined,
  args: Record<string, unknown> & { poolIds: readonly string[]; dryRun?: boolean | null },
  edit: Omit<BulkRequest, 'poolIds' | 'dryRun'>,
): Promise<BulkEditPayloadModel> {
  const request: BulkRequest = { ...edit, poolIds: args.poolIds, dryRun: args.dryRun ?? false };
  return idempotent(ctx, {
    operation: request.operation,
    key,
    args,
    dryRun: request.dryRun,
    run: async (earlier) => {
      // What was kept is this function's own saved payload (JSON from the store).
      const before = earlier?.state === KeyState.PARTIAL && isKeptBulkPayload(earlier.result) ? earlier.result : undefined;
      if (before === undefined || before.results.length !== request.poolIds.length) return bulkEdit(ctx, request);
      const redo = request.poolIds.filter((_, i) => isPoolEditError(before.results[i]));
      const again = await bulkEdit(ctx, { ...request, poolIds: redo });
      const byPool = new Map(again.results.map((r, k) => [redo[k], r]));
      return summary(before.results.map((r, i) => byPool.get(request.poolIds[i]) ?? r));
    },
    save: (result) => result,
    isSaved: isKeptBulkPayload,
    load: (saved) => {
      for (const r of saved.results) if (!isPoolEditError(r)) refreshLoaders(ctx, r.poolId, r.assignments, false);
      return saved;
    },
    final: (result) => result.failed === 0,
  });
}

/** A create or update under its key: the pool kept with the properties the payload shows, primed for a repeat. */
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
