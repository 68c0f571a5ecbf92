/**
 * On every attempt: the write and read budgets (a $batch counts its items), then a bulkhead slot. A refusal never
 * reaches Graph: a `rejected` 429 with the time to retry, or 503 when the budget store cannot answer.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { isCoordinationError, type RateBudget } from '../../../coordination/types';
import { abortedError, GraphError, toGraphError } from '../../errors';
import type { Bulkhead } from '../bulkhead';
import { callOf } from '../request';

export interface Limits {
  bulkhead: Bulkhead;
  budgets: { writes?: RateBudget; reads?: RateBudget };
}

export function limitsPolicy({ bulkhead, budgets }: Limits): PipelinePolicy {
  return {
    name: 'limitsPolicy',
    async sendRequest(request, next) {
      const { signal, clientRequestId, cost } = callOf(request);
      // Writes first: the scarcer budget refuses before any read slot is spent.
      await take(budgets.writes, cost.writes, 'write', signal, clientRequestId);
      await take(budgets.reads, cost.reads, 'request', signal, clientRequestId);
      const acquired = bulkhead.acquire(signal);
      const release = acquired instanceof Promise ? await acquired : acquired;
      try {
        return await next(request);
      } finally {
        release();
      }
    },
  };
}

async function take(
  budget: RateBudget | undefined,
  slots: number,
  which: 'write' | 'request',
  signal: AbortSignal | undefined,
  clientRequestId: string,
): Promise<void> {
  if (budget === undefined || !budget.enabled || slots <= 0) return;
  try {
    if (slots === 1) await budget.take(signal);
    else await Promise.all(Array.from({ length: slots }, () => budget.take(signal)));
  } catch (error) {
    throw budgetError(error, which, clientRequestId);
  }
}

/** A budget's CoordinationError as the Graph layer's error. */
export function budgetError(error: unknown, which: 'write' | 'request', clientRequestId?: string): GraphError {
  if (!isCoordinationError(error)) return toGraphError(error, clientRequestId);
  switch (error.failure) {
    case 'aborted':
      return abortedError({ clientRequestId });
    case 'unavailable':
      return new GraphError(`The shared ${which} budget for Microsoft Graph cannot be checked; retry shortly.`, {
        kind: 'rejected',
        status: 503,
        code: 'CoordinationUnavailable',
        clientRequestId,
        cause: error,
      });
    case 'budget-exhausted':
    case 'lock-timeout': // not a budget's failure, but "not now, later" all the same
      return new GraphError(`The ${which} budget for Microsoft Graph is used up; retry later.`, {
        kind: 'rejected',
        status: 429,
        retryAfterSeconds: Math.max(1, error.retryAfterSeconds ?? 1),
        clientRequestId,
      });
  }
}
