import { RestError, type PipelineRequest } from '@azure/core-rest-pipeline';
import { GraphError, isGraphError } from '../../../../../src/graph/errors';
import { retryPolicy, type RetryRules } from '../../../../../src/graph/pipeline/policies/retryPolicy';
import { callOf } from '../../../../../src/graph/pipeline/request';
import { rejection, request, response, scriptedNext } from '../../../../support/pipeline';

// Backoff of 0 ms (random 0), so that no test waits.
const rules: RetryRules = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 10_000, random: () => 0 };
const policy = retryPolicy(rules);
const THROTTLED = '{"error":{"code":"TooManyRequests","message":"slow down"}}';
/** What the HttpClient throws for a connection that failed before any reply. */
const sendError = (req: PipelineRequest = request()): RestError =>
  new RestError('The connection to Microsoft Graph failed.', { code: RestError.REQUEST_SEND_ERROR, request: req });

it('returns a 2xx reply at once', async () => {
  const next = scriptedNext(response(204));
  expect((await policy.sendRequest(request(), next)).status).toBe(204);
  expect(next.seen).toHaveLength(1);
});

it('repeats a 429 after its Retry-After', async () => {
  const next = scriptedNext(response(429, { headers: { 'retry-after': '0.01' }, text: THROTTLED }), response(200, { text: '{}' }));
  expect((await policy.sendRequest(request(), next)).status).toBe(200);
  expect(next.seen).toHaveLength(2);
});

it.each([429, 503, 504])('repeats %i with backoff when Graph gives no wait', async (status) => {
  const next = scriptedNext(response(status), response(status), response(200));
  expect((await policy.sendRequest(request(), next)).status).toBe(200);
  expect(next.seen).toHaveLength(3);
});

it.each([400, 404, 500, 502, 507])('does not repeat %i: it becomes the GraphError of the reply', async (status) => {
  const next = scriptedNext(response(status, { text: '{"error":{"code":"Nope","message":"no"}}', requestId: 'r-1' }));
  const req = request();
  const error = await rejection(policy.sendRequest(req, next));
  expect(error).toMatchObject({ kind: 'http', status, code: 'Nope', requestId: 'r-1', clientRequestId: callOf(req).clientRequestId });
  expect(next.seen).toHaveLength(1);
});

it("gives up after maxRetries repeats: THROTTLED with Graph's wait", async () => {
  const next = scriptedNext(response(429, { headers: { 'retry-after': '0' }, text: THROTTLED }));
  const error = await rejection(policy.sendRequest(request(), next));
  expect(error).toMatchObject({ kind: 'throttled', status: 429, retryAfterSeconds: 1 });
  expect(next.seen).toHaveLength(1 + rules.maxRetries);
});

it('does not wait past the deadline: THROTTLED at once with the wait Graph asked for', async () => {
  const next = scriptedNext(response(429, { headers: { 'retry-after': '120' }, text: THROTTLED }));
  const req = request();
  callOf(req).deadline = Date.now() + 5_000;
  const error = await rejection(policy.sendRequest(req, next));
  expect(error).toMatchObject({ kind: 'throttled', retryAfterSeconds: 120 });
  expect(next.seen).toHaveLength(1);
});

it('repeats a connection that failed before any reply, not one that failed during the reply', async () => {
  const before = scriptedNext(sendError(), response(200));
  expect((await policy.sendRequest(request(), before)).status).toBe(200);
  expect(before.seen).toHaveLength(2);
  const during = scriptedNext(new GraphError('reset', { kind: 'network', beforeReply: false }), response(200));
  expect(isGraphError(await rejection(policy.sendRequest(request(), during)))).toBe(true);
  expect(during.seen).toHaveLength(1);
});

it('a connection that kept failing before any reply is a `network` GraphError', async () => {
  const next = scriptedNext(sendError());
  expect(await rejection(policy.sendRequest(request(), next))).toMatchObject({ kind: 'network', beforeReply: true });
  expect(next.seen).toHaveLength(1 + rules.maxRetries);
});

it.each(['timeout', 'aborted', 'credential', 'rejected'] as const)('does not repeat a %s failure', async (kind) => {
  const next = scriptedNext(new GraphError(kind, { kind }), response(200));
  const error = await rejection(policy.sendRequest(request(), next));
  expect(isGraphError(error) && error.kind).toBe(kind);
  expect(next.seen).toHaveLength(1);
});

it('repeats nothing once the call’s signal fired', async () => {
  const controller = new AbortController();
  const req = request({}, { signal: controller.signal });
  const next = scriptedNext(async () => {
    controller.abort();
    throw sendError();
  });
  expect(await rejection(policy.sendRequest(req, next))).toMatchObject({ kind: 'aborted' });
  expect(next.seen).toHaveLength(1);
});

it('a wait cut short by the signal is `aborted`', async () => {
  const controller = new AbortController();
  const req = request({}, { signal: controller.signal });
  const next = scriptedNext(async () => {
    setImmediate(() => controller.abort());
    return response(503, { headers: { 'retry-after': '30' } });
  });
  const error = await rejection(policy.sendRequest(req, next));
  expect(isGraphError(error) && error.kind).toBe('aborted');
  expect(next.seen).toHaveLength(1);
});

it('wraps a failure that is not a GraphError', async () => {
  const error = await rejection(policy.sendRequest(request(), scriptedNext(new TypeError('bug'))));
  expect(error).toMatchObject({ kind: 'network', message: 'Unexpected failure calling Microsoft Graph.' });
});

describe('a request that is not repeatable (a create, a delete)', () => {
  it.each([503, 504])('is not repeated after %i: Graph may have acted on it', async (status) => {
    const next = scriptedNext(response(status, { headers: { 'retry-after': '0' } }), response(201, { text: '{}' }));
    const error = await rejection(policy.sendRequest(request({ method: 'POST', repeatable: false }), next));
    expect(error).toMatchObject({ status, retryAfterSeconds: undefined });
    expect(next.seen).toHaveLength(1);
  });

  it('is not repeated after a failed connection, even one that failed before any reply', async () => {
    const req = request({ method: 'DELETE', repeatable: false });
    const next = scriptedNext(sendError(req), response(201, { text: '{}' }));
    expect(await rejection(policy.sendRequest(req, next))).toMatchObject({ kind: 'network', beforeReply: true });
    expect(next.seen).toHaveLength(1);
  });

  it('is repeated after a 429 (Graph refused it unprocessed)', async () => {
    const next = scriptedNext(response(429, { headers: { 'retry-after': '0.01' }, text: THROTTLED }), response(201, { text: '{}' }));
    expect((await policy.sendRequest(request({ method: 'POST', repeatable: false }), next)).status).toBe(201);
    expect(next.seen).toHaveLength(2);
  });
});

it('stamps Retry-Attempt on each repeat (not on the first attempt) and counts retries and 429 replies', async () => {
  const next = scriptedNext(response(429), response(503), response(200));
  const req = request();
  expect((await policy.sendRequest(req, next)).status).toBe(200);
  expect(next.seen.map((a) => [a.retries, a.headers['retry-attempt']])).toEqual([
    [0, undefined],
    [1, '1'],
    [2, '2'],
  ]);
  expect([callOf(req).retries, callOf(req).throttled]).toEqual([2, 1]);
});
