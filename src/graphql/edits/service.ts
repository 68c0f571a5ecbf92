/** The locked read-merge-write: every write holds the pool's edit lock from its read to the assign (docs/edits.md). */
import { withPoolLock, type LockOptions } from '../../coordination/types';
import type { MutationassignEmbeddedSIMActivationCodePoolArgs, MutationrestoreEmbeddedSIMActivationCodePoolAssignmentsArgs, UncheckedTarget } from '../../generated/graphql';
import type { WireAssignment, WireAssignmentInput, WireAssignmentTarget } from '../../graph/models';
import { HistoryKind, WriteOutcome } from '../../history/types';
import type { AuditEvent } from '../../observability/audit';
import type { Context } from '../context';
import { badUserInput, conflict, historyUnavailable, notFound } from '../errors';
import { journaled, type BeginEntry } from '../journal';
import { toWireAssignment, type AssignmentDiff, type AssignPayloadModel, type EditPayloadModel } from '../mapping';
import { checkSentTargets, sentTargets, type SentTarget } from '../targets';
import { requireGuid, validateAssignInput } from '../validation';
import { assignmentsVersion, diffAssignments, planRestore, validateVersionArgument, type EditPlan } from './merge';

/** Each write's mutation (as the audit line names it) → its journal name (an entry's `operation`). */
export const JOURNAL_OPERATION = {
  assignEmbeddedSIMActivationCodePool: 'assign',
  addEmbeddedSIMActivationCodePoolAssignments: 'add',
  removeEmbeddedSIMActivationCodePoolAssignments: 'remove',
  addAssignmentsToEmbeddedSIMActivationCodePools: 'bulkAdd',
  removeAssignmentsFromEmbeddedSIMActivationCodePools: 'bulkRemove',
  restoreEmbeddedSIMActivationCodePoolAssignments: 'restore',
} as const;
export type EditOperation = keyof typeof JOURNAL_OPERATION;

export interface EditRequest {
  operation: EditOperation;
  /** For a restore: the entry restored from (journaled as RESTORE naming it). */
  restoredFrom?: string;
  poolId: string;
  dryRun: boolean;
  ifAssignmentsVersion?: string | null;
  /** Checks the arguments (BAD_USER_INPUT naming the field); runs before anything is read. */
  validate?(): void;
  /** The merge: what to write given the pool's current set (pure, see merge.ts). */
  plan(current: readonly WireAssignment[]): EditPlan;
  /** The targets the edit sends, checked before anything is written (an add's; a remove sends none). */
  sent?: readonly SentTarget[];
  /** Set when the caller already checked the sent targets (a bulk edit, once for all pools): their outcome. */
  checked?: UncheckedTarget[];
  /** The replace without a read first: this body is sent as it is (and journaled with the entry). */
  blind?: WireAssignmentInput[];
}

/** A pool whose edit lock the caller holds, with its set read under that lock: the edit neither reads nor locks again. */
interface HeldPool {
  current: WireAssignment[];
  /** When the read of `current` started (the history tells outside changes from ours by it). */
  readStartedMs: number;
}

/** `receipts`: whether the operation selects `added`/`updated`/`removed` (only then is the set read before the write). */
type ReplaceRequest = Omit<MutationassignEmbeddedSIMActivationCodePoolArgs, 'idempotencyKey'> & { receipts: boolean };

/** The lock wait ends at the call's deadline (GRAPH_TIMEOUT_MS from now) or when the caller goes away. */
export function lockOptions(ctx: Context): LockOptions {
  return { deadline: Date.now() + ctx.edits.lockWaitMs, signal: ctx.callOptions.signal };
}

function checkVersion(current: readonly WireAssignment[], expected: string | null | undefined): void {
  if (expected == null) return;
  const actual = assignmentsVersion(current);
  if (actual !== expected) throw conflict(actual);
}

/** The payload's `pool { assignments assignmentsVersion }` must show this set without another Graph call. */
export function refreshLoaders(ctx: Context, poolId: string, assignments: WireAssignment[], written: boolean): void {
  ctx.loaders.assignmentsByPool.clear(poolId).prime(poolId, assignments);
  // A write changed the pool's modifiedDateTime: never serve a copy read before it.
  if (written) ctx.loaders.poolById.clear(poolId);
}

/** One write attempt's audit line (a failure: with the failure's code). */
export function audit(ctx: Context, operation: EditOperation, poolId: string, event: Partial<AuditEvent>): void {
  const { principal, requestId } = ctx;
  ctx.edits.audit.write({ operation, poolId, principal, requestId, assignSent: false, outcome: 'failed', ...event });
}

/** The add/remove payload. */
export function editPayload(poolId: string, assignments: WireAssignment[], diff: AssignmentDiff, dryRun: boolean, uncheckedTargets: UncheckedTarget[]): EditPayloadModel {
  const { added, updated, removed } = diff;
  return { poolId, assignments, added, updated, removed, dryRun, assignmentsVersion: assignmentsVersion(assignments), uncheckedTargets };
}

/** The targets of a set (what the journal records: never assignment ids). */
const targetsOf = (assignments: readonly { target: WireAssignmentTarget }[]): WireAssignmentTarget[] => assignments.map((a) => a.target);

/** A dry run: a fresh read and the plan, no lock (nothing is written) and no audit line (nothing is attempted). */
async function preview(ctx: Context, request: EditRequest, held?: HeldPool): Promise<EditPayloadModel> {
  request.validate?.();
  validateVersionArgument(request.ifAssignmentsVersion);
  const uncheckedTargets = await (request.checked ?? checkSentTargets(ctx, request.sent ?? []));
  const current = held ? held.current : await ctx.graph.listAssignments(request.poolId, ctx.callOptions);
  checkVersion(current, request.ifAssignmentsVersion);
  const plan = request.plan(current);
  refreshLoaders(ctx, request.poolId, current, false);
  return editPayload(request.poolId, current, plan, true, uncheckedTargets);
}

/** One write: check, journal, read under the lock (or `held`), precondition, merge, assign if changed; audit once. */
async function write(ctx: Context, request: EditRequest, held?: HeldPool) {
  const { poolId, blind } = request;
  const event: Partial<AuditEvent> = {};
  const failed = (failure: Partial<AuditEvent>, assignSent: boolean): void =>
    audit(ctx, request.operation, poolId, { ...event, ...failure, assignSent });
  return journaled(ctx, failed, async (begin) => {
    request.validate?.();
    validateVersionArgument(request.ifAssignmentsVersion);
    const uncheckedTargets = await (request.checked ?? checkSentTargets(ctx, request.sent ?? []));
    if (blind) event.assigned = targetsOf(blind);
    const kind = request.restoredFrom === undefined ? HistoryKind.WRITE : HistoryKind.RESTORE;
    const start: Parameters<BeginEntry>[0] = { poolId, operation: JOURNAL_OPERATION[request.operation], kind, restoredFrom: request.restoredFrom };
    // Without a read first, the set to send is the plan already: written with the entry.
    const entry = await begin(start, blind && { targetsBefore: null, targets: targetsOf(blind) });
    const send = (body: WireAssignmentInput[]): Promise<WireAssignment[]> => {
      entry.sent = true;
      return ctx.graph.assign(poolId, body, ctx.callOptions);
    };
    const merge = async (current: WireAssignment[], readStartedMs: number) => {
      await entry.observeBefore(targetsOf(current), readStartedMs);
      checkVersion(current, request.ifAssignmentsVersion);
      const plan = request.plan(current);
      Object.assign(event, { added: plan.added, updated: plan.updated, removed: plan.removed });
      if (!plan.changed) return { plan, before: current, assignments: current };
      await entry.plan({ targetsBefore: targetsOf(current), targets: targetsOf(plan.body) });
      return { plan, before: current, assignments: await send(plan.body) };
    };
    const { plan, before, assignments } = held
      ? await merge(held.current, held.readStartedMs)
      : await withPoolLock(ctx.edits.locks, poolId, lockOptions(ctx), async () => {
          if (blind) return { plan: undefined, before: undefined, assignments: await send(blind) };
          const readStartedMs = Date.now();
          return merge(await ctx.graph.listAssignments(poolId, ctx.callOptions), readStartedMs);
        });
    const written = plan?.changed ?? true;
    // The replace's receipts compare the set before with Graph's answer.
    const receipts = request.operation === 'assignEmbeddedSIMActivationCodePool' && before ? diffAssignments(before, assignments) : undefined;
    Object.assign(event, receipts);
    refreshLoaders(ctx, poolId, assignments, written);
    audit(ctx, request.operation, poolId, { ...event, assignSent: entry.sent, outcome: written ? 'written' : 'unchanged', assignmentsAfter: assignments.length });
    const outcome = written ? WriteOutcome.WRITTEN : WriteOutcome.UNCHANGED;
    await entry.done({ outcome, targetsBefore: before ? targetsOf(before) : null, targets: targetsOf(assignments) });
    return { plan, receipts, assignments, uncheckedTargets };
  });
}

/** add/remove/restore of one pool (see `write`); a dry run reads and plans only. */
export async function editAssignments(ctx: Context, request: EditRequest, held?: HeldPool): Promise<EditPayloadModel> {
  if (request.dryRun) return preview(ctx, request, held);
  const { plan, assignments, uncheckedTargets } = await write(ctx, request, held);
  return editPayload(request.poolId, assignments, plan ?? { added: [], updated: [], removed: [] }, false, uncheckedTargets);
}

/** The replace mutation, under the same lock; it reads the set first only for a precondition or receipts. */
export async function replaceAssignments(ctx: Context, request: ReplaceRequest): Promise<AssignPayloadModel> {
  const { poolId, assignments: input, ifAssignmentsVersion } = request;
  const body = input.map(toWireAssignment);
  const readFirst = request.receipts || ifAssignmentsVersion != null;
  const { receipts, assignments, uncheckedTargets } = await write(ctx, {
    operation: 'assignEmbeddedSIMActivationCodePool',
    poolId,
    dryRun: false,
    ifAssignmentsVersion,
    validate: () => validateAssignInput(poolId, input),
    plan: (current) => ({ body, ...diffAssignments(current, body), changed: true }),
    sent: sentTargets(input),
    blind: readFirst ? undefined : body,
  });
  return { poolId, assignments, diff: receipts, uncheckedTargets };
}

/** Entries of these writes record no assignment set (a rename, a deleted pool). */
const NO_SET = new Set(['update', 'delete']);

/** Restore: the set a history entry of this pool recorded, written back by the locked edit path (journaled RESTORE). */
export async function restoreAssignments(
  ctx: Context,
  request: Omit<MutationrestoreEmbeddedSIMActivationCodePoolAssignmentsArgs, 'idempotencyKey'>,
): Promise<EditPayloadModel> {
  const { poolId, entryId } = request;
  requireGuid(poolId, 'poolId');
  const history = ctx.edits.history;
  if (history === undefined) throw historyUnavailable('off', !request.dryRun);
  const entry = await history.store.get(entryId);
  if (entry === undefined) throw notFound('No assignment history entry has this id; nothing was written.');
  if (entry.poolId !== poolId.toLowerCase()) throw badUserInput('entryId is an entry of another pool; nothing was written.', 'entryId');
  if (entry.operation !== null && NO_SET.has(entry.operation)) {
    throw badUserInput(`entryId records a pool ${entry.operation}, not an assignment set; nothing was written.`, 'entryId');
  }
  if (entry.outcome === WriteOutcome.FAILED || entry.outcome === WriteOutcome.UNKNOWN) {
    // A failed write's set was never the pool's; an unknown one is not settled yet (the next read of the pool settles it).
    throw badUserInput(`entryId records a write that ${entry.outcome === WriteOutcome.FAILED ? 'failed' : 'is not settled yet'}, not a set the pool had; nothing was written.`, 'entryId');
  }
  return editAssignments(ctx, {
    operation: 'restoreEmbeddedSIMActivationCodePoolAssignments',
    restoredFrom: entry.id,
    poolId,
    dryRun: request.dryRun ?? false,
    ifAssignmentsVersion: request.ifAssignmentsVersion,
    plan: (current) => planRestore(current, entry.targets),
    // The restored set is what this write sends: its groups and filters are checked like an assign's.
    sent: entry.targets.map((t, i) => ({ path: `entryId.targets[${i}]`, groupId: t.groupId, filterId: t.deviceAndAppManagementAssignmentFilterId })),
  });
}
