/**
 * For the Graph pipeline's unit tests: a request as the client makes it, and a `next()` that answers from a script
 * and records what reached it (as the Azure SDK's own policy tests do).
 */
import type { CallOptions } from '../../src/graph/api';
import { createRequest, type GraphRequest, type GraphResponse, type RequestSpec, type SendRequest } from '../../src/graph/pipeline/types';

export function request(spec: Partial<RequestSpec> = {}, options?: CallOptions): GraphRequest {
  return createRequest({ method: 'GET', path: '/things', pathTemplate: '/things', ...spec }, options);
}

export function response(status: number, init: { headers?: Record<string, string>; text?: string; requestId?: string } = {}): GraphResponse {
  return { status, headers: init.headers ?? {}, text: init.text ?? '', requestId: init.requestId };
}

/** What `next` saw of one attempt (a copy: the request object itself travels on). */
export interface SeenAttempt {
  headers: Record<string, string>;
  retries: number;
  signal?: AbortSignal;
  deadline: number;
}

/** A `next` that plays `script` in order (a reply, an error to throw, or a function of the request); the last entry repeats. */
export function scriptedNext(...script: Array<GraphResponse | Error | ((request: GraphRequest) => Promise<GraphResponse>)>): SendRequest & { seen: SeenAttempt[] } {
  const seen: SeenAttempt[] = [];
  const next = async (req: GraphRequest): Promise<GraphResponse> => {
    seen.push({ headers: { ...req.headers }, retries: req.retries, signal: req.signal, deadline: req.deadline });
    const step = script[Math.min(seen.length - 1, script.length - 1)];
    if (typeof step === 'function') return step(req);
    if (step instanceof Error) throw step;
    return step;
  };
  return Object.assign(next, { seen });
}

/** The rejection of a promise (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown> | unknown): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
