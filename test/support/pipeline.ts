/**
 * For the Graph pipeline's unit tests: a request as the client makes it, and a `next` that answers from a script
 * and records what reached it (as the Azure SDK's own policy tests do).
 */
import { createHttpHeaders, type PipelineRequest, type PipelineResponse, type SendRequest } from '@azure/core-rest-pipeline';
import type { CallOptions } from '../../src/graph/api';
import { callOf, createRequest, type RequestSpec } from '../../src/graph/pipeline/request';

export const URL_BASE = 'https://graph.test/beta';

export function request(spec: Partial<RequestSpec> = {}, options?: CallOptions): PipelineRequest {
  return createRequest(URL_BASE, { method: 'GET', path: '/things', pathTemplate: '/things', ...spec }, options);
}

/** A scripted reply: what a `next` answers (its request is filled in when it is sent). */
export interface Scripted {
  status: number;
  headers?: Record<string, string>;
  text?: string;
}

export function response(status: number, init: { headers?: Record<string, string>; text?: string; requestId?: string } = {}): Scripted {
  const headers = { ...init.headers, ...(init.requestId !== undefined ? { 'request-id': init.requestId } : {}) };
  return { status, headers, text: init.text };
}

/** What `next` saw of one attempt (a copy: the request object itself travels on). */
export interface SeenAttempt {
  headers: Record<string, string>;
  retries: number;
  signal?: AbortSignal;
  deadline: number;
}

/** A `next` that plays `script` in order (a reply, an error to throw, or a function of the request); the last entry repeats. */
export function scriptedNext(
  ...script: Array<Scripted | Error | ((request: PipelineRequest) => Promise<Scripted>)>
): SendRequest & { seen: SeenAttempt[] } {
  const seen: SeenAttempt[] = [];
  const next = async (req: PipelineRequest): Promise<PipelineResponse> => {
    const call = callOf(req);
    seen.push({ headers: req.headers.toJSON(), retries: call.retries, signal: call.signal, deadline: call.deadline });
    const step = script[Math.min(seen.length - 1, script.length - 1)];
    if (step instanceof Error) throw step;
    const reply = typeof step === 'function' ? await step(req) : step;
    return { request: req, status: reply.status, headers: createHttpHeaders(reply.headers), bodyAsText: reply.text ?? '' };
  };
  return Object.assign(next, { seen });
}

/** The rejection of a promise (fails the test when it resolves). */
export async function rejection(promise: unknown): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
