/** `idempotent(ctx, mutation)`: a mutation's work under its idempotency key (docs/edits.md, "Idempotency keys"). */
import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Principal } from '../auth/principal';
import { isCoordinationError } from '../coordination/types';
import { isGraphError } from '../graph/errors';
import { isRecord } from '../graph/json';
import type { History } from '../history/history';
import { IdempotencyKeys, KeyState, type EarlierAttempt, type KeyId } from '../history/idempotency';
import { isHistoryUnavailable } from '../history/store';
import type { Context } from './context';
import { badUserInput, ErrorCode, historyUnavailable } from './errors';
import { endedWithoutAnswer, refusedWhenDown } from './journal';

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
  /** What to keep to answer a repeat: ids, targets, names; never an activation code or a token. */
  save(result: R): S;
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
  await keys.complete(id, token, mutation.save(result), mutation.final?.(result) ?? true).catch((e: unknown) => ctx.edits.onKeyError?.(e));
  return result;
}
