/** A pool's create, update, delete: one audit line per attempt; update and delete hold its edit lock (docs/pools.md). */
import { withPoolLock } from '../../coordination/types';
import type { CreateEmbeddedSIMActivationCodePoolInput, UpdateEmbeddedSIMActivationCodePoolInput } from '../../generated/graphql';
import { isGraphError } from '../../graph/errors';
import type { WirePool } from '../../graph/models';
import type { PoolAuditEvent, PoolOperation } from '../../observability/audit';
import type { Context } from '../context';
import { lockOptions } from '../edits/service';
import { WriteOutcome } from '../../history/types';
import { notFound, toGraphQLError, withField } from '../errors';
import { journaled, type BeginEntry, type JournaledWrite } from '../journal';
import { toWirePoolCreate } from '../mapping';
import { requireGuid } from '../validation';
import { validateCreateInput, validateUpdateInput } from './validation';

type PoolEvent = Omit<PoolAuditEvent, 'outcome'>;

/** Runs one attempt with its audit line (`event`, completed by `write` as it goes) and journal entry however it ends. */
function attempt<T>(ctx: Context, operation: PoolOperation, details: Partial<PoolEvent>, write: (begin: BeginEntry, event: PoolEvent) => Promise<T>): Promise<T> {
  const event: PoolEvent = { operation, principal: ctx.principal, requestId: ctx.requestId, requestSent: false, ...details };
  const failed = (failure: Partial<PoolAuditEvent>, sent: boolean, error: unknown): void => {
    // Refused by a client-side limit or without a token: the request never left.
    const unsent = isGraphError(error) && (error.kind === 'rejected' || error.kind === 'credential');
    ctx.edits.audit.writePool({ ...event, ...failure, outcome: 'failed', requestSent: sent && !unsent });
  };
  return journaled(ctx, failed, async (begin) => {
    const result = await write(begin, event);
    ctx.edits.audit.writePool({ ...event, outcome: 'written', requestSent: true });
    return result;
  });
}

/** Sends an update or delete under the pool's edit lock. */
function locked<T>(ctx: Context, id: string, entry: JournaledWrite, send: () => Promise<T>): Promise<T> {
  return withPoolLock(ctx.edits.locks, id, lockOptions(ctx), () => {
    entry.sent = true;
    return send();
  });
}

/** A Graph error that named a property of the request (see redactedBodyError) names the input field. */
function namingInputField(error: unknown): unknown {
  if (!isGraphError(error) || error.field === undefined) return error;
  const mapped = toGraphQLError(error);
  return mapped ? withField(mapped, `input.${error.field}`) : error;
}

export async function createPool(ctx: Context, input: CreateEmbeddedSIMActivationCodePoolInput): Promise<{ pool: WirePool }> {
  return attempt(ctx, 'createEmbeddedSIMActivationCodePool', { activationCodeCount: input.activationCodes.length }, async (begin, event) => {
    const { displayName } = validateCreateInput(input);
    // The name and how many codes: never a code.
    const journal = await begin({ poolId: '', operation: 'create', detail: { displayName, activationCodeCount: input.activationCodes.length } });
    event.displayName = displayName;
    journal.sent = true;
    const pool = await ctx.graph
      .createPool(toWirePoolCreate(input, displayName), ctx.callOptions)
      .catch((error: unknown) => Promise.reject(namingInputField(error)));
    event.poolId = pool.id;
    ctx.loaders.poolById.clear(pool.id).prime(pool.id, pool);
    // A new pool has no assignments: its recorded set starts empty.
    await journal.done({ outcome: WriteOutcome.WRITTEN, poolId: pool.id, targets: [] });
    return { pool };
  });
}

export async function updatePool(ctx: Context, id: string, input: UpdateEmbeddedSIMActivationCodePoolInput): Promise<{ pool: WirePool }> {
  return attempt(ctx, 'updateEmbeddedSIMActivationCodePool', { poolId: id }, async (begin, event) => {
    requireGuid(id, 'id');
    const changes = validateUpdateInput(input);
    Object.assign(event, { displayName: changes.displayName, changed: Object.keys(changes) });
    const journal = await begin({ poolId: id, operation: 'update', detail: { displayName: changes.displayName } });
    const pool = await locked(ctx, id, journal, () => ctx.graph.updatePool(id, changes, ctx.callOptions));
    if (pool === null) throw notFound('No embedded SIM activation code pool has this id; nothing was changed.');
    // The payload's `pool { … }` shows the pool after the change, never a copy read before it.
    ctx.loaders.poolById.clear(id).prime(id, pool);
    // A rename leaves the assignments as they are: the pool's recorded set stands.
    await journal.done({ outcome: WriteOutcome.WRITTEN, recordsSet: false });
    return { pool };
  });
}

export async function deletePool(ctx: Context, id: string): Promise<{ deletedPoolId: string }> {
  return attempt(ctx, 'deleteEmbeddedSIMActivationCodePool', { poolId: id }, async (begin) => {
    requireGuid(id, 'id');
    const journal = await begin({ poolId: id, operation: 'delete' });
    const deleted = await locked(ctx, id, journal, () => ctx.graph.deletePool(id, ctx.callOptions));
    if (!deleted) throw notFound('No embedded SIM activation code pool has this id; nothing was deleted.');
    ctx.loaders.poolById.clear(id).prime(id, null);
    await journal.done({ outcome: WriteOutcome.WRITTEN, targets: [] });
    return { deletedPoolId: id };
  });
}
