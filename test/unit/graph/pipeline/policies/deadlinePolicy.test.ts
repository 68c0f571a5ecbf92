import type { PipelineRequest } from '@azure/core-rest-pipeline';
import { GraphError, isGraphError } from '../../../../../src/graph/errors';
import { deadlinePolicy } from '../../../../../src/graph/pipeline/pipeline';
import { callOf } from '../../../../../src/graph/pipeline/request';
import { rejection, request, response, scriptedNext, type Scripted } from '../../../../support/pipeline';

/** A `next` that waits until the call's signal fires, then fails as `fail` says. */
const untilAborted = (fail: () => Error) => (req: PipelineRequest) =>
  new Promise<Scripted>((_resolve, reject) => callOf(req).signal?.addEventListener('abort', () => reject(fail()), { once: true }));

it('gives the call a deadline and its own signal, and gives the caller’s back afterwards', async () => {
  const caller = new AbortController();
  const req = request({}, { signal: caller.signal });
  const next = scriptedNext(response(200));
  const before = Date.now();
  await deadlinePolicy(10_000).sendRequest(req, next);
  const [attempt] = next.seen;
  expect(attempt.deadline).toBeGreaterThanOrEqual(before + 10_000);
  expect(attempt.signal).toBeDefined();
  expect(attempt.signal).not.toBe(caller.signal);
  expect(callOf(req).signal).toBe(caller.signal);
  expect(req.abortSignal).toBe(caller.signal);
});

it('a caller that already gave up sends nothing', async () => {
  const next = scriptedNext(response(200));
  const error = await rejection(deadlinePolicy(10_000).sendRequest(request({}, { signal: AbortSignal.abort() }), next));
  expect(isGraphError(error) && error.kind).toBe('aborted');
  expect(next.seen).toHaveLength(0);
});

it('what fails because the deadline fired is `timeout`, keeping Graph’s request id', async () => {
  const req = request();
  const next = scriptedNext(untilAborted(() => new GraphError('cancelled', { kind: 'aborted', requestId: 'r-9' })));
  const error = await rejection(deadlinePolicy(20).sendRequest(req, next));
  expect(error).toMatchObject({ kind: 'timeout', requestId: 'r-9', clientRequestId: callOf(req).clientRequestId });
  expect(next.seen[0].signal?.aborted).toBe(true);
});

it('the caller going away fires the call’s signal and stays `aborted`', async () => {
  const caller = new AbortController();
  const next = scriptedNext(untilAborted(() => new GraphError('cancelled', { kind: 'aborted' })));
  const call = deadlinePolicy(10_000).sendRequest(request({}, { signal: caller.signal }), next);
  caller.abort();
  const error = await rejection(call);
  expect(isGraphError(error) && error.kind).toBe('aborted');
});

it('a token failure at the deadline keeps its meaning', async () => {
  const next = scriptedNext(untilAborted(() => new GraphError('no token', { kind: 'credential', credentialFailure: 'unavailable' })));
  const error = await rejection(deadlinePolicy(20).sendRequest(request(), next));
  expect(isGraphError(error) && error.kind).toBe('credential');
});

it('a finished call’s deadline never fires', async () => {
  const next = scriptedNext(response(200));
  await deadlinePolicy(20).sendRequest(request(), next);
  await new Promise((resolve) => setTimeout(resolve, 40));
  expect(next.seen[0].signal?.aborted).toBe(false);
});
