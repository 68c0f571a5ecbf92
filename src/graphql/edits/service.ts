/**
 * The locked read-merge-write behind the assignment mutations: every write to a pool holds its edit lock from a
 * fresh read of the set to the end of the assign (docs/edits.md). Writers outside this subgraph are not serialized.
 */
import { withPoolLock, type LockOptions } from '../../coordination/types';
import type { EmbeddedSIMActivationCodePoolAssignmentInput, UncheckedTarget } from '../../generated/graphql';
import { isGraphError } from '../../graph/errors';
import type { WireAssignment, WireAssignmentTarget } from '../../graph/models';
import { HistoryKind, WriteOutcome } from '../../history/types';
import type { AuditEvent } from '../../observability/audit';
import type { Context } from '../context';
import { conflict, ErrorCode, toGraphQLError } from '../errors';
import { JournaledWrite } from '../journal';
import { toWireAssignment, type AssignmentDiff, type AssignPayloadModel, type EditPayloadModel } from '../mapping';
import { checkSentTargets, sentTargets, type SentTarget } from '../targets';
import { validateAssignInput } from '../validation';
import { diffAssignments, type EditPlan } from './merge';
import { assignmentsVersion, validateVersionArgument } from './version';

export type EditOperation =
  | 'addEmbeddedSIMActivationCodePoolAssignments'
  | 'removeEmbeddedSIMActivationCodePoolAssignments'
  | 'addAssignmentsToEmbeddedSIMActivationCodePools'
  | 'removeAssignmentsFromEmbeddedSIMActivationCodePools'
  | 'restoreEmbeddedSIMActivationCodePoolAssignments';

/** The journal's short name of each write (an entry's `operation`). */
const JOURNAL_OPERATION: Readonly<Record<EditOperation, string>> = {
  addEmbeddedSIMActivationCodePoolAssignments: 'add',
  removeEmbeddedSIMActivationCodePoolAssignments: 'remove',
  addAssignmentsToEmbeddedSIMActivationCodePools: 'bulkAdd',
  removeAssignmentsFromEmbeddedSIMActivationCodePools: 'bulkRemove',
  restoreEmbeddedSIMActivationCodePoolAssignments: 'restore',
};

export interface EditRequest {
  /** The mutation, as the audit line names it. */
  operation: EditOperation;
  /** For a restore: the entry restored from (journaled as RESTORE naming it). */
  restoredFrom?: string;
  poolId: string;
  dryRun: boolean;
  ifAssignmentsVersion?: string | null;
  /** Checks the arguments (BAD_USER_INPUT naming the field); runs before anything is read. */
  validate(): void;
  /** The merge: what to write given the pool's current set (pure, see merge.ts). */
  plan(current: readonly WireAssignment[]): EditPlan;
  /** The targets the edit sends, checked before anything is written (an add's; a remove sends none). */
  sent?: readonly SentTarget[];
  /** Set when the caller already checked the sent targets (a bulk edit, once for all pools): their outcome. */
  checked?: UncheckedTarget[];
}

/** A pool whose edit lock the caller holds, with its set read under that lock: the edit neither reads nor locks again. */
export interface HeldPool {
  current: readonly WireAssignment[];
  /** When the read of `current` started (the history tells outside changes from ours by it). */
  readStartedMs: number;
}

export interface ReplaceRequest {
  poolId: string;
  assignments: readonly EmbeddedSIMActivationCodePoolAssignmentInput[];
  ifAssignmentsVersion?: string | null;
  /** Whether the operation selects `added`/`updated`/`removed`: only then is the set read before the write. */
  receipts: boolean;
}

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
function refreshLoaders(ctx: Context, poolId: string, assignments: WireAssignment[], written: boolean): void {
  ctx.loaders.assignmentsByPool.clear(poolId).prime(poolId, assignments);
  // A write changed the pool's modifiedDateTime: never serve a copy read before it.
  if (written) ctx.loaders.poolById.clear(poolId);
}

/** One write attempt's audit line, completed as the attempt goes and written once however it ends. */
export class WriteAttempt {
  assignSent = false;
  diff?: AssignmentDiff;
  assigned?: AuditEvent['assigned'];

  constructor(
    private readonly ctx: Context,
    private readonly operation: string,
    private readonly poolId: string,
  ) {}

  private event(): AuditEvent {
    const { ctx } = this;
    const { diff } = this;
    return {
      operation: this.operation,
      poolId: this.poolId,
      principal: ctx.principal,
      requestId: ctx.requestId,
      added: diff?.added,
      updated: diff?.updated,
      removed: diff?.removed,
      assigned: this.assigned,
      assignSent: this.assignSent,
      outcome: 'failed',
    };
  }

  done(written: boolean, assignmentsAfter: number): void {
    this.ctx.edits.audit.write({ ...this.event(), outcome: written ? 'written' : 'unchanged', assignmentsAfter });
  }

  /** A failure known by its code only (a bulk edit's pool whose lock or read failed before its edit ran). */
  failedWith(errorCode: string): void {
    this.ctx.edits.audit.write({ ...this.event(), errorCode });
  }

  failed(error: unknown): void {
    const mapped = toGraphQLError(error);
    const code = mapped?.extensions.code;
    const graph = isGraphError(error) ? { requestId: error.requestId, clientRequestId: error.clientRequestId } : undefined;
    this.ctx.edits.audit.write({ ...this.event(), errorCode: typeof code === 'string' ? code : ErrorCode.InternalServerError, graph });
  }
}

/** The sent targets' checks, unless the caller made them already. */
async function targetChecks(ctx: Context, request: EditRequest): Promise<UncheckedTarget[]> {
  return request.checked ?? checkSentTargets(ctx, request.sent ?? []);
}

/** A dry run: a fresh read and the plan, no lock (nothing is written) and no audit line (nothing is attempted). */
async function preview(ctx: Context, request: EditRequest, uncheckedTargets: UncheckedTarget[], held?: HeldPool): Promise<EditPayloadModel> {
  const current = held ? [...held.current] : await ctx.graph.listAssignments(request.poolId, ctx.callOptions);
  checkVersion(current, request.ifAssignmentsVersion);
  const { added, updated, removed } = request.plan(current);
  refreshLoaders(ctx, request.poolId, current, false);
  return {
    poolId: request.poolId,
    assignments: current,
    added,
    updated,
    removed,
    dryRun: true,
    assignmentsVersion: assignmentsVersion(current),
    uncheckedTargets,
  };
}

/** The targets of a set (what the journal records: never assignment ids). */
const targetsOf = (assignments: readonly { target: WireAssignmentTarget }[]): WireAssignmentTarget[] => assignments.map((a) => a.target);

/**
 * add/remove/restore of one pool: check, journal, read under the lock (or take `held`), check the precondition,
 * merge, assign only when something changes. One audit line per attempt.
 */
export async function editAssignments(ctx: Context, request: EditRequest, held?: HeldPool): Promise<EditPayloadModel> {
  const { poolId } = request;
  if (request.dryRun) {
    request.validate();
    validateVersionArgument(request.ifAssignmentsVersion);
    return preview(ctx, request, await targetChecks(ctx, request), held);
  }
  const attempt = new WriteAttempt(ctx, request.operation, poolId);
  let journal: JournaledWrite | undefined;
  try {
    request.validate();
    validateVersionArgument(request.ifAssignmentsVersion);
    const uncheckedTargets = await targetChecks(ctx, request);
    journal = await JournaledWrite.begin(ctx, {
      poolId,
      operation: JOURNAL_OPERATION[request.operation],
      kind: request.restoredFrom === undefined ? HistoryKind.WRITE : HistoryKind.RESTORE,
      restoredFrom: request.restoredFrom,
    });
    const entry = journal;
    const write = async (current: WireAssignment[], readStartedMs: number) => {
      await entry.observeBefore(targetsOf(current), readStartedMs);
      checkVersion(current, request.ifAssignmentsVersion);
      const planned = request.plan(current);
      attempt.diff = planned;
      if (!planned.changed) return { plan: planned, before: current, assignments: current };
      await entry.plan({ targetsBefore: targetsOf(current), targets: targetsOf(planned.body) });
      attempt.assignSent = true;
      entry.sent = true;
      return { plan: planned, before: current, assignments: await ctx.graph.assign(poolId, planned.body, ctx.callOptions) };
    };
    const { plan, before, assignments } = held
      ? await write([...held.current], held.readStartedMs)
      : await withPoolLock(ctx.edits.locks, poolId, lockOptions(ctx), async () => {
          const readStartedMs = Date.now();
          return write(await ctx.graph.listAssignments(poolId, ctx.callOptions), readStartedMs);
        });
    refreshLoaders(ctx, poolId, assignments, plan.changed);
    attempt.done(plan.changed, assignments.length);
    await journal.done({ outcome: plan.changed ? WriteOutcome.WRITTEN : WriteOutcome.UNCHANGED, targetsBefore: targetsOf(before), targets: targetsOf(assignments) });
    const { added, updated, removed } = plan;
    return { poolId, assignments, added, updated, removed, dryRun: false, assignmentsVersion: assignmentsVersion(assignments), uncheckedTargets };
  } catch (error) {
    attempt.failed(error);
    await journal?.failed(error);
    throw error;
  }
}

/** The replace mutation, under the same lock; it reads the set first only for a precondition or receipts. */
export async function replaceAssignments(ctx: Context, request: ReplaceRequest): Promise<AssignPayloadModel> {
  const { poolId } = request;
  const attempt = new WriteAttempt(ctx, 'assignEmbeddedSIMActivationCodePool', poolId);
  let journal: JournaledWrite | undefined;
  try {
    validateAssignInput(poolId, request.assignments);
    validateVersionArgument(request.ifAssignmentsVersion);
    const uncheckedTargets = await checkSentTargets(ctx, sentTargets(request.assignments));
    const body = request.assignments.map(toWireAssignment);
    const readFirst = request.receipts || request.ifAssignmentsVersion != null;
    if (!readFirst) attempt.assigned = body.map((a) => a.target);
    // Without a read first, the set to send is the plan already: written with the entry.
    journal = await JournaledWrite.begin(ctx, { poolId, operation: 'assign' }, readFirst ? undefined : { targetsBefore: null, targets: targetsOf(body) });
    const entry = journal;
    const { before, result } = await withPoolLock(ctx.edits.locks, poolId, lockOptions(ctx), async () => {
      let current: WireAssignment[] | undefined;
      if (readFirst) {
        const readStartedMs = Date.now();
        current = await ctx.graph.listAssignments(poolId, ctx.callOptions);
        await entry.observeBefore(targetsOf(current), readStartedMs);
        checkVersion(current, request.ifAssignmentsVersion);
        attempt.diff = diffAssignments(current, body);
        await entry.plan({ targetsBefore: targetsOf(current), targets: targetsOf(body) });
      }
      attempt.assignSent = true;
      entry.sent = true;
      return { before: current, result: await ctx.graph.assign(poolId, body, ctx.callOptions) };
    });
    const diff = before ? diffAssignments(before, result) : undefined;
    if (diff) attempt.diff = diff;
    refreshLoaders(ctx, poolId, result, true);
    attempt.done(true, result.length);
    await journal.done({ outcome: WriteOutcome.WRITTEN, targetsBefore: before ? targetsOf(before) : null, targets: targetsOf(result) });
    return { poolId, assignments: result, diff, uncheckedTargets };
  } catch (error) {
    attempt.failed(error);
    await journal?.failed(error);
    throw error;
  }
}
