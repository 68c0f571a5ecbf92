/** The journal as writes use it: an entry begun before Graph is called, completed however it ends; no code or token. */
import type { Principal } from '../auth/principal';
import { isGraphError } from '../graph/errors';
import type { WireAssignmentTarget } from '../graph/models';
import type { History, WriteEnd, WritePlan, WriteStart } from '../history/history';
import { isHistoryUnavailable } from '../history/store';
import { HistoryKind, WriteOutcome, type HistoryActor } from '../history/types';
import type { AuditEvent } from '../observability/audit';
import type { Context } from './context';
import { ErrorCode, historyUnavailable, toGraphQLError } from './errors';

/** The verified caller as an entry's actor: ids only; anonymous when inbound authentication is off. */
function actorOf(principal: Principal | undefined): HistoryActor {
  if (principal === undefined) return { objectId: null, appId: null, tenantId: null, isApp: false, anonymous: true };
  return { objectId: principal.oid ?? null, appId: principal.appId ?? null, tenantId: principal.tid ?? null, isApp: principal.isApp, anonymous: false };
}

/** Whether a failed call may have changed Graph: sent, and ended without Graph's (readable) answer. */
export function endedWithoutAnswer(error: unknown): boolean {
  if (!isGraphError(error)) return false;
  return error.kind === 'network' ? error.beforeReply !== true : ['timeout', 'aborted', 'invalid-response'].includes(error.kind);
}

/** The `extensions.code` a failure answers with (INTERNAL_SERVER_ERROR for one the server masks). */
export function errorCodeOf(error: unknown): string {
  const code = toGraphQLError(error)?.extensions.code;
  return typeof code === 'string' ? code : ErrorCode.InternalServerError;
}

/** A history store that cannot answer refuses the write: HISTORY_UNAVAILABLE, nothing sent. */
export async function refusedWhenDown<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (isHistoryUnavailable(error)) throw historyUnavailable('down', true);
    throw error;
  }
}

/** Begins a write's entry (see JournaledWrite.begin): what `journaled` hands to the write it runs. */
export type BeginEntry = (start: Parameters<typeof JournaledWrite.begin>[1], plan?: WritePlan) => Promise<JournaledWrite>;

/** What a failed write's audit line says of the failure: its code and Graph's ids of the failed call. */
type Failure = Pick<AuditEvent, 'errorCode' | 'graph'>;

/** Runs one write; however it fails, `onFailure` (its audit line; `sent`: Graph was called) and the entry's completion. */
export async function journaled<T>(ctx: Context, onFailure: (failure: Failure, sent: boolean, error: unknown) => void, write: (begin: BeginEntry) => Promise<T>): Promise<T> {
  let entry: JournaledWrite | undefined;
  try {
    return await write(async (start, plan) => (entry = await JournaledWrite.begin(ctx, start, plan)));
  } catch (error) {
    const graph = isGraphError(error) ? { requestId: error.requestId, clientRequestId: error.clientRequestId } : undefined;
    onFailure({ errorCode: errorCodeOf(error), graph }, entry?.sent ?? false, error);
    await entry?.failed(error);
    throw error;
  }
}

/** One write's entry, from before Graph is called to its end. */
export class JournaledWrite {
  /** Whether the write was sent to Graph (a failure before that is FAILED, never UNKNOWN). */
  sent = false;

  private constructor(
    private readonly ctx: Context,
    private readonly poolId: string,
    private readonly history?: History,
    private readonly id?: string,
  ) {}

  /** Writes the entry (with the plan when it is known before the read); HISTORY_UNAVAILABLE when the store is down. */
  static async begin(ctx: Context, start: Omit<WriteStart, 'actor' | 'requestId' | 'kind'> & { kind?: WriteStart['kind'] }, plan?: WritePlan): Promise<JournaledWrite> {
    const history = ctx.edits.history;
    if (history === undefined) return new JournaledWrite(ctx, start.poolId);
    const entry: WriteStart = { kind: HistoryKind.WRITE, ...start, actor: actorOf(ctx.principal), requestId: ctx.requestId };
    const id = await refusedWhenDown(() => history.begin(entry, plan));
    return new JournaledWrite(ctx, start.poolId, history, id);
  }

  /** Records what will be sent; throws HISTORY_UNAVAILABLE (nothing is sent then) when the store cannot take it. */
  async plan(plan: WritePlan): Promise<void> {
    const { history, id } = this;
    if (history && id !== undefined) await refusedWhenDown(() => history.plan(id, plan));
  }

  /** The set read under the edit lock, compared with the record (an outside change is not blamed on this write). */
  async observeBefore(targets: WireAssignmentTarget[], readStartedMs: number): Promise<void> {
    const { history } = this;
    if (history) await refusedWhenDown(() => history.observe(this.poolId, targets, readStartedMs, 'read', this.id));
  }

  /** Completes the entry. Graph has answered by now: a store failure here is logged, never the caller's error. */
  async done(end: WriteEnd): Promise<void> {
    if (!this.history || this.id === undefined) return;
    try {
      await this.history.complete(this.id, this.poolId, end);
    } catch (error) {
      this.ctx.edits.onJournalError?.(error);
    }
  }

  /** Completes the entry of a failed write: UNKNOWN when Graph may have written it, else FAILED with the code. */
  failed(error: unknown): Promise<void> {
    const outcome = this.sent && endedWithoutAnswer(error) ? WriteOutcome.UNKNOWN : WriteOutcome.FAILED;
    return this.done({ outcome, errorCode: errorCodeOf(error), graphRequestId: isGraphError(error) ? (error.requestId ?? null) : null });
  }
}
