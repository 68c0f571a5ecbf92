/** `idempotent(ctx, mutation)`: a mutation under its idempotency key; after it, the wrapper of each mutation shape (docs/edits.md). */
import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Principal } from '../auth/principal';
import { isCoordinationError } from '../coordination/types';
import { isGraphError } from '../graph/errors';
import { isRecord } from '../graph/json';
import type { WireAssignment, WirePool } from '../graph/models';
import type { History } from '../history/history';
import { IdempotencyKeys, KeyState, type EarlierAttempt, type KeyId } from '../history/idempotency';
import { isHistoryUnavailable } from '../history/store';
import { WriteOutcome } from '../history/types';
import type { Context } from './context';
import { bulkEdit, summary, type BulkRequest } from './edits/bulk';
import { assignmentsVersion } from './edits/merge';
import { editAssignments, editPayload, JOURNAL_OPERATION, refreshLoaders, type EditOperation, type EditRequest } from './edits/service';
import { badUserInput, ErrorCode, historyUnavailable } from './errors';
import { endedWithoutAnswer, refusedWhenDown } from './journal';
import { isPoolEditError, type BulkEditPayloadModel, type EditPayloadModel } from './mapping';

const KEY_PATTERN = /^[A-Za-z0-9\-_:.]{1,128}$/;

/** One mutation as the key wraps it. `R` is the payload model its resolver returns, `S` what is kept of it. */
export interface IdempotentMutation<R, S> {
  /** The mutation's field name. */
  operation: string;
  /** Every argument that decides the effect (all of them but the key); hashed with `operation`. */
  args: Record<string, unknown>;
  key: string | null | undefined;
  /** A dry run writes nothing: its key is checked, never kept. */
  dryRun?: boolean;
  /** The mutation's work; `earlier`: a first attempt ended unknown (`settle` found nothing) or partial (`final`). */
  run(earlier?: EarlierAttempt): Promise<R>;
  /** What to keep to answer a repeat (default: the answer): ids, targets, names; never an activation code or a token. */
  save?(result: R): S;
  /** Whether a kept value (JSON from the key store) is what `save` wrote: checked before `load`. */
  isSaved(value: unknown): value is S;
  /** The answer rebuilt from what was kept (no Graph call; prime the request's loaders here). */
  load(saved: S): R;
  /** A first attempt's outcome is unknown: look for its effect (Graph reads); its answer, or undefined to run again. */
  settle?(earlier: EarlierAttempt): Promise<R | undefined>;
  /** false: keep the result as partial (a repeat runs again with it); default true. */
  final?(result: R): boolean;
}

/** The verified caller a key belongs to: tenant and user object id, or tenant and app id; one anonymous caller. */
function callerOf(principal: Principal | undefined): string {
  if (principal === undefined) return 'anonymous';
  const tenant = principal.tid ?? '';
  return principal.isApp ? `app:${tenant}:${principal.appId ?? principal.oid ?? ''}` : `user:${tenant}:${principal.oid ?? principal.subject ?? ''}`;
}

/** An object's keys sorted, null and absent alike left out: the arguments as one canonical JSON text. */
const canonical = (_key: string, value: unknown): unknown =>
  isRecord(value) ? Object.fromEntries(Object.entries(value).filter(([, v]) => v != null).sort(([a], [b]) => (a < b ? -1 : 1))) : value;

/** SHA-256 of the operation and its canonical arguments (nothing readable of an activation code is kept). */
function requestHash(operation: string, args: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify({ operation, args }, canonical)).digest('hex');
}

/** Whether a failed attempt certainly wrote nothing: refused by us or by a client-side limit, or answered by Graph. */
function wroteNothing(error: unknown): boolean {
  if (error instanceof GraphQLError || isCoordinationError(error) || isHistoryUnavailable(error)) return true;
  return isGraphError(error) && !endedWithoutAnswer(error);
}

/** The keys of an app, in its history store. A RUNNING attempt is taken as dead after four call deadlines and 30 s. */
export function idempotencyKeys(history: History, ttlS: number, lockWaitMs: number): IdempotencyKeys {
  return new IdempotencyKeys(history.store, { ttlMs: ttlS * 1000, runningLeaseMs: 4 * lockWaitMs + 30_000 });
}

/** Runs `mutation` under its idempotency key (plainly without one). */
export async function idempotent<R, S>(ctx: Context, mutation: IdempotentMutation<R, S>): Promise<R> {
  const { key } = mutation;
  if (key === null || key === undefined) return mutation.run();
  if (!KEY_PATTERN.test(key)) {
    throw badUserInput('idempotencyKey must be 1 to 128 characters of A–Z, a–z, 0–9, "-", "_", ":" and "."; nothing was written.', 'idempotencyKey');
  }
  if (mutation.dryRun === true) return mutation.run();
  const keys = ctx.edits.idempotency;
  if (keys === undefined) throw historyUnavailable('off', true);
  const id: KeyId = { caller: callerOf(ctx.principal), key };
  const hash = requestHash(mutation.operation, mutation.args);
  const claim = await refusedWhenDown(() => keys.claim(id, mutation.operation, hash, Date.now() + ctx.edits.lockWaitMs, ctx.callOptions.signal));
  switch (claim.kind) {
    case 'reused':
      ctx.edits.onIdempotency?.('reused');
      throw new GraphQLError('idempotencyKey was used with other arguments (or another mutation); nothing was written. Use a new key.', {
        extensions: { code: ErrorCode.BadUserInput, field: 'idempotencyKey', reason: 'IDEMPOTENCY_KEY_REUSED' },
      });
    case 'busy':
      ctx.edits.onIdempotency?.('busy');
      throw new GraphQLError('The first request with this idempotencyKey is still running; nothing was written. Retry after the given time.', {
        extensions: { code: ErrorCode.PoolBusy, retryAfterSeconds: 1, reason: 'IDEMPOTENCY_KEY_RUNNING' },
      });
    case 'done':
      ctx.edits.onIdempotency?.('replayed');
      if (!mutation.isSaved(claim.result)) {
        throw new GraphQLError('The answer kept for this idempotencyKey could not be read; nothing was written.', { extensions: { code: ErrorCode.InternalServerError } });
      }
      return mutation.load(claim.result);
    case 'run':
      return runClaimed(ctx, keys, id, claim.token, claim.earlier, mutation);
  }
}

async function runClaimed<R, S>(ctx: Context, keys: IdempotencyKeys, id: KeyId, token: string, earlier: EarlierAttempt | undefined, mutation: IdempotentMutation<R, S>): Promise<R> {
  let result: R | undefined;
  try {
    if (earlier?.state === KeyState.UNKNOWN && mutation.settle) result = await mutation.settle(earlier);
    ctx.edits.onIdempotency?.(earlier === undefined ? 'new' : result === undefined ? 'retried' : 'settled');
    result ??= await mutation.run(earlier);
  } catch (error) {
    // After an unknown first attempt the key stays unknown (its repeat settles again); a partial result stays kept.
    const end =
      earlier?.state === KeyState.PARTIAL
        ? keys.complete(id, token, earlier.result, false)
        : earlier?.state !== KeyState.UNKNOWN && wroteNothing(error)
          ? keys.release(id, token)
          : keys.unknown(id, token);
    await end.catch((e: unknown) => ctx.edits.onKeyError?.(e));
    throw error;
  }
  // Graph has answered: a store failure here is logged; the key's lease ends and its repeat settles it.
  await keys.complete(id, token, mutation.save ? mutation.save(result) : result, mutation.final?.(result) ?? true).catch((e: unknown) => ctx.edits.onKeyError?.(e));
  return result;
}

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
