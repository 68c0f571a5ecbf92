/** Bulk edits: one add or remove over up to 100 pools, locked in id order, read in one batch (docs/edits.md). */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LockLease } from '../../coordination/types';
import type { WireAssignment } from '../../graph/models';
import type { Context } from '../context';
import { badUserInput, ErrorCode, toGraphQLError } from '../errors';
import { isPoolEditError, type BulkEditPayloadModel, type EditPayloadModel, type PoolEditErrorModel } from '../mapping';
import { errorCodeOf } from '../journal';
import { checkSentTargets } from '../targets';
import { requireGuid } from '../validation';
import { audit, editAssignments, lockOptions, type EditOperation, type EditRequest } from './service';

/** The most pools one bulk edit may name. */
const MAX_BULK_POOLS = 100;
/** Pools written at once (each write still waits for the shared write budget). */
const WRITE_CONCURRENCY = 8;
const DEFAULT_BULK_TIMEOUT_MS = 60_000;

/** The same add or remove for every pool (`validate` checks the arguments for any pool; `sent` is checked once). */
export interface BulkRequest extends Pick<EditRequest, 'validate' | 'plan' | 'sent'> {
  operation: Extract<EditOperation, 'addAssignmentsToEmbeddedSIMActivationCodePools' | 'removeAssignmentsFromEmbeddedSIMActivationCodePools'>;
  poolIds: readonly string[];
  dryRun: boolean;
}

/** 1 to MAX_BULK_POOLS GUIDs, none twice (compared case-insensitively): BAD_USER_INPUT naming `poolIds[i]`. */
function validatePoolIds(poolIds: readonly string[]): void {
  if (poolIds.length === 0) throw badUserInput('poolIds must name at least one pool.', 'poolIds');
  if (poolIds.length > MAX_BULK_POOLS) throw badUserInput(`poolIds may hold at most ${MAX_BULK_POOLS} pools (got ${poolIds.length}).`, 'poolIds');
  const seen = new Map<string, number>();
  poolIds.forEach((id, i) => {
    requireGuid(id, `poolIds[${i}]`);
    const first = seen.get(id.toLowerCase());
    if (first !== undefined) throw badUserInput(`poolIds[${i}] repeats poolIds[${first}].`, `poolIds[${i}]`);
    seen.set(id.toLowerCase(), i);
  });
}

/** The error a pool's single edit would have answered, as its result. */
function poolError(poolId: string, error: unknown): PoolEditErrorModel {
  const mapped = toGraphQLError(error);
  const retry = mapped?.extensions.retryAfterSeconds;
  const message = mapped?.message ?? 'The edit of this pool failed unexpectedly.';
  return { poolId, code: errorCodeOf(error), message, ...(typeof retry === 'number' ? { retryAfterSeconds: retry } : {}) };
}

const notFound = (poolId: string): PoolEditErrorModel => ({ poolId, code: ErrorCode.NotFound, message: 'The pool was not found.' });

export function summary(results: (EditPayloadModel | PoolEditErrorModel)[]): BulkEditPayloadModel {
  const failed = results.filter(isPoolEditError).length;
  const succeeded = results.filter((r) => !isPoolEditError(r) && r.added.length + r.updated.length + r.removed.length > 0).length;
  return { results, succeeded, unchanged: results.length - failed - succeeded, failed };
}

/** Runs `work` over the indexes 0…n-1, at most `limit` at a time. */
async function eachLimited(n: number, limit: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

/** Takes the pools' locks one by one in id order; a lock not free by the shared deadline is that pool's error. */
async function lockAll(ctx: Context, poolIds: readonly string[]): Promise<(LockLease | PoolEditErrorModel)[]> {
  const leases = new Array<LockLease | PoolEditErrorModel>(poolIds.length);
  const options = lockOptions(ctx);
  const order = [...poolIds.keys()].sort((a, b) => (poolIds[a].toLowerCase() < poolIds[b].toLowerCase() ? -1 : 1));
  for (const i of order) {
    leases[i] = await ctx.edits.locks.acquire(poolIds[i], options).catch((error: unknown) => poolError(poolIds[i], error));
  }
  return leases;
}

/** The current sets of the given pools in one batched read; a pool's 404 or failure is its error. */
async function readSets(ctx: Context, poolIds: readonly string[]): Promise<(WireAssignment[] | PoolEditErrorModel)[]> {
  if (poolIds.length === 0) return [];
  try {
    const sets = await ctx.graph.listAssignmentsOfPools(poolIds, ctx.callOptions);
    return sets.map((set, i) => (set === null ? notFound(poolIds[i]) : set instanceof Error ? poolError(poolIds[i], set) : set));
  } catch (error) {
    return poolIds.map((id) => poolError(id, error));
  }
}

/** The pool's edit again after THROTTLED, by the single-pool path, while the asked-for wait ends before `deadline`. */
async function retryThrottled(ctx: Context, request: EditRequest, first: PoolEditErrorModel, deadline: number): Promise<EditPayloadModel | PoolEditErrorModel> {
  let failure = first;
  while (failure.code === ErrorCode.Throttled && Date.now() + (failure.retryAfterSeconds ?? 1) * 1000 <= deadline) {
    await sleep((failure.retryAfterSeconds ?? 1) * 1000, undefined, { signal: ctx.callOptions.signal });
    const outcome = await editAssignments(ctx, request).catch((error: unknown) => poolError(request.poolId, error));
    if (!isPoolEditError(outcome)) return outcome;
    failure = outcome;
  }
  return failure;
}

/** A dry run's stand-in for a pool's lock: it writes nothing, so it locks nothing. */
const NO_LOCK: LockLease = { release: () => Promise.resolve() };

/** A bulk add or remove; argument errors throw (nothing written), a pool's failure is its result. */
export async function bulkEdit(ctx: Context, request: BulkRequest): Promise<BulkEditPayloadModel> {
  const { poolIds, dryRun, operation } = request;
  validatePoolIds(poolIds);
  request.validate?.();
  const checked = await checkSentTargets(ctx, request.sent ?? []);
  const deadline = Date.now() + (ctx.edits.bulkTimeoutMs ?? DEFAULT_BULK_TIMEOUT_MS);
  const single = (poolId: string): EditRequest => ({ operation, poolId, dryRun, plan: (current) => request.plan(current), checked });
  // A pool that failed before its edit ran (its lock, its read): the audit line its single edit would have written.
  const failed = (failure: PoolEditErrorModel): PoolEditErrorModel => {
    if (!dryRun) audit(ctx, operation, failure.poolId, { errorCode: failure.code });
    return failure;
  };
  const leases = dryRun ? poolIds.map(() => NO_LOCK) : await lockAll(ctx, poolIds);
  const held = new Map(leases.flatMap((lease, i): [number, LockLease][] => (isPoolEditError(lease) ? [] : [[i, lease]])));
  const locked = [...held.keys()];
  const readStartedMs = Date.now();
  const sets = await readSets(ctx, locked.map((i) => poolIds[i]));
  const setOf = new Map(locked.map((i, k) => [i, sets[k]]));
  const results = new Array<EditPayloadModel | PoolEditErrorModel>(poolIds.length);
  try {
    await eachLimited(poolIds.length, WRITE_CONCURRENCY, async (i) => {
      const lease = leases[i];
      if (isPoolEditError(lease)) {
        results[i] = failed(lease);
        return;
      }
      const current = setOf.get(i) ?? notFound(poolIds[i]);
      let outcome: EditPayloadModel | PoolEditErrorModel;
      try {
        outcome = isPoolEditError(current)
          ? failed(current)
          : await editAssignments(ctx, single(poolIds[i]), { current, readStartedMs }).catch((error: unknown) => poolError(poolIds[i], error));
      } finally {
        held.delete(i);
        await lease.release();
      }
      // A dry run answers what it read: THROTTLED is its answer.
      results[i] = isPoolEditError(outcome) && !dryRun ? await retryThrottled(ctx, single(poolIds[i]), outcome, deadline) : outcome;
    });
  } finally {
    // A lease still held here belongs to a pool whose turn never came (the caller went away): let it go.
    await Promise.all([...held.values()].map((lease) => lease.release()));
  }
  return summary(results);
}
