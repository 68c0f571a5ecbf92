/**
 * The pool lifecycle: create, update, delete, one audit line per attempt. Update and delete hold the pool's edit
 * lock; no If-Match, as Graph documents no ETag for pools (docs/pools.md).
 */
import { GraphQLError } from 'graphql';
import { withPoolLock } from '../../coordination/types';
import type { CreateEmbeddedSIMActivationCodePoolInput, UpdateEmbeddedSIMActivationCodePoolInput } from '../../generated/graphql';
import { isGraphError } from '../../graph/errors';
import type { WirePool } from '../../graph/models';
import type { PoolAuditEvent, PoolOperation } from '../../observability/audit';
import type { Context } from '../context';
import { lockOptions } from '../edits/service';
import { WriteOutcome } from '../../history/types';
import { ErrorCode, notFound, toGraphQLError, withField } from '../errors';
import { JournaledWrite } from '../journal';
import { toWirePoolCreate } from '../mapping';
import { requireGuid } from '../validation';
import { validateCreateInput, validateUpdateInput } from './validation';

/** One attempt's audit line, completed as the attempt goes and written once however it ends. */
class PoolWriteAttempt {
  readonly event: Omit<PoolAuditEvent, 'outcome'>;

  constructor(
    readonly ctx: Context,
    operation: PoolOperation,
    details: Partial<Pick<PoolAuditEvent, 'poolId' | 'activationCodeCount'>>,
  ) {
    this.event = { operation, principal: ctx.principal, requestId: ctx.requestId, requestSent: false, ...details };
  }

  set(details: Partial<Omit<PoolAuditEvent, 'operation' | 'outcome'>>): void {
    Object.assign(this.event, details);
  }

  done(): void {
    this.ctx.edits.audit.writePool({ ...this.event, outcome: 'written' });
  }

  failed(error: unknown): void {
    const code = (error instanceof GraphQLError ? error : toGraphQLError(error))?.extensions.code;
    const graph = isGraphError(error) ? { requestId: error.requestId, clientRequestId: error.clientRequestId } : undefined;
    // Refused by a client-side limit or without a token: the request never left.
    const unsent = isGraphError(error) && (error.kind === 'rejected' || error.kind === 'credential');
    this.ctx.edits.audit.writePool({
      ...this.event,
      outcome: 'failed',
      errorCode: typeof code === 'string' ? code : ErrorCode.InternalServerError,
      requestSent: this.event.requestSent && !unsent,
      graph,
    });
  }
}

/** Runs one attempt with its audit line and journal entry however it ends; `run` begins the journal through `begin`. */
async function attempt<T>(write: PoolWriteAttempt, run: (begin: (start: Parameters<typeof JournaledWrite.begin>[1]) => Promise<JournaledWrite>) => Promise<T>): Promise<T> {
  let journal: JournaledWrite | undefined;
  try {
    const result = await run(async (start) => (journal = await JournaledWrite.begin(write.ctx, start)));
    write.done();
    return result;
  } catch (error) {
    write.failed(error);
    await journal?.failed(error);
    throw error;
  }
}

/** A Graph error that named a property of the request (see redactedBodyError) names the input field. */
function namingInputField(error: unknown): unknown {
  if (!isGraphError(error) || error.field === undefined) return error;
  const mapped = toGraphQLError(error);
  return mapped ? withField(mapped, `input.${error.field}`) : error;
}

export async function createPool(ctx: Context, input: CreateEmbeddedSIMActivationCodePoolInput): Promise<{ pool: WirePool }> {
  const write = new PoolWriteAttempt(ctx, 'createEmbeddedSIMActivationCodePool', { activationCodeCount: input.activationCodes.length });
  return attempt(write, async (begin) => {
    const { displayName } = validateCreateInput(input);
    // The name and how many codes: never a code.
    const journal = await begin({ poolId: '', operation: 'create', detail: { displayName, activationCodeCount: input.activationCodes.length } });
    write.set({ displayName, requestSent: true });
    journal.sent = true;
    let pool: WirePool;
    try {
      pool = await ctx.graph.createPool(toWirePoolCreate(input, displayName), ctx.callOptions);
    } catch (error) {
      throw namingInputField(error);
    }
    write.set({ poolId: pool.id });
    ctx.loaders.poolById.clear(pool.id).prime(pool.id, pool);
    // A new pool has no assignments: its recorded set starts empty.
    await journal.done({ outcome: WriteOutcome.WRITTEN, poolId: pool.id, targets: [] });
    return { pool };
  });
}

export async function updatePool(ctx: Context, id: string, input: UpdateEmbeddedSIMActivationCodePoolInput): Promise<{ pool: WirePool }> {
  const write = new PoolWriteAttempt(ctx, 'updateEmbeddedSIMActivationCodePool', { poolId: id });
  return attempt(write, async (begin) => {
    requireGuid(id, 'id');
    const changes = validateUpdateInput(input);
    write.set({ displayName: changes.displayName, changed: Object.keys(changes) });
    const detail: Record<string, string> = {};
    if (changes.displayName !== undefined) detail.displayName = changes.displayName;
    const journal = await begin({ poolId: id, operation: 'update', detail });
    const pool = await withPoolLock(ctx.edits.locks, id, lockOptions(ctx), () => {
      write.set({ requestSent: true });
      journal.sent = true;
      return ctx.graph.updatePool(id, changes, ctx.callOptions);
    });
    if (pool === null) throw notFound('No embedded SIM activation code pool has this id; nothing was changed.');
    // The payload's `pool { … }` shows the pool after the change, never a copy read before it.
    ctx.loaders.poolById.clear(id).prime(id, pool);
    // A rename leaves the assignments as they are: the pool's recorded set stands.
    await journal.done({ outcome: WriteOutcome.WRITTEN, recordsSet: false });
    return { pool };
  });
}

export async function deletePool(ctx: Context, id: string): Promise<{ deletedPoolId: string }> {
  const write = new PoolWriteAttempt(ctx, 'deleteEmbeddedSIMActivationCodePool', { poolId: id });
  return attempt(write, async (begin) => {
    requireGuid(id, 'id');
    const journal = await begin({ poolId: id, operation: 'delete' });
    const deleted = await withPoolLock(ctx.edits.locks, id, lockOptions(ctx), () => {
      write.set({ requestSent: true });
      journal.sent = true;
      return ctx.graph.deletePool(id, ctx.callOptions);
    });
    if (!deleted) throw notFound('No embedded SIM activation code pool has this id; nothing was deleted.');
    ctx.loaders.poolById.clear(id).prime(id, null);
    await journal.done({ outcome: WriteOutcome.WRITTEN, targets: [] });
    return { deletedPoolId: id };
  });
}
