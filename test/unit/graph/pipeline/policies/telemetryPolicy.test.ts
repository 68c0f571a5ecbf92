import { expect } from '@jest/globals';
import type { PipelineRequest } from '@azure/core-rest-pipeline';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { GraphCallEvent } from '../../../../../src/graph/api';
import { GraphError, isGraphError } from '../../../../../src/graph/errors';
import { telemetryPolicy } from '../../../../../src/graph/pipeline/pipeline';
import { callOf } from '../../../../../src/graph/pipeline/request';
import { rejection, request, response, scriptedNext } from '../../../../support/pipeline';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');
afterAll(() => provider.shutdown());
beforeEach(() => exporter.reset());

/** A `next` that stands for two retries, one of them after a 429, then answers. */
const afterTwoRetries = (status: number, fail?: GraphError) => async (req: PipelineRequest) => {
  callOf(req).retries = 2;
  callOf(req).throttled = 1;
  if (fail) throw fail;
  return response(status, { requestId: 'graph-req-1' });
};

it('one event per call with the final status, retries and throttled replies counted below it', async () => {
  const events: GraphCallEvent[] = [];
  const req = request({ pathTemplate: '/pools/{id}' }, { requestId: '6F9619FF-8B86-D011-B42D-00C04FC964FF' });
  await telemetryPolicy({ onCall: (e) => events.push(e) }).sendRequest(req, scriptedNext(afterTwoRetries(200)));
  expect(events).toEqual([
    {
      method: 'GET',
      pathTemplate: '/pools/{id}',
      status: 200,
      durationMs: expect.any(Number),
      retries: 2,
      requestId: 'graph-req-1',
      clientRequestId: '6f9619ff-8b86-d011-b42d-00c04fc964ff',
      errorKind: undefined,
      throttled: 1,
    },
  ]);
});

it('a failed call is reported with its error kind and status, and the error passes on', async () => {
  const events: GraphCallEvent[] = [];
  const failure = new GraphError('slow down', { kind: 'throttled', status: 429, requestId: 'graph-req-2' });
  const error = await rejection(telemetryPolicy({ onCall: (e) => events.push(e) }).sendRequest(request(), scriptedNext(afterTwoRetries(0, failure))));
  expect(error).toBe(failure);
  expect(events).toMatchObject([{ status: 429, errorKind: 'throttled', requestId: 'graph-req-2', retries: 2, throttled: 1 }]);
});

it('a failure that is not a GraphError is reported and thrown as one', async () => {
  const events: GraphCallEvent[] = [];
  const error = await rejection(telemetryPolicy({ onCall: (e) => events.push(e) }).sendRequest(request(), scriptedNext(new TypeError('bug'))));
  expect(isGraphError(error) && error.kind).toBe('network');
  expect(events.map((e) => e.errorKind)).toEqual(['network']);
});

it('one client span per call, named by the path template, with the outcome and no ids of the path', async () => {
  const req = request({ method: 'POST', path: '/pools/0d3c/assign', pathTemplate: '/pools/{id}/assign', body: '{}' });
  await telemetryPolicy({ tracer }).sendRequest(req, scriptedNext(afterTwoRetries(200)));
  const failure = new GraphError('gone', { kind: 'http', status: 404 });
  await rejection(telemetryPolicy({ tracer }).sendRequest(request(), scriptedNext(failure)));
  const [ok, failed] = exporter.getFinishedSpans();
  expect(ok.name).toBe('graph POST /pools/{id}/assign');
  expect(ok.kind).toBe(SpanKind.CLIENT);
  expect(ok.attributes).toEqual({
    'http.request.method': 'POST',
    'url.template': '/pools/{id}/assign',
    'graph.client_request_id': callOf(req).clientRequestId,
    'http.response.status_code': 200,
    'graph.request_id': 'graph-req-1',
    'graph.retries': 2,
  });
  expect(ok.status.code).toBe(SpanStatusCode.UNSET);
  expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message: 'http' });
  expect(failed.attributes['http.response.status_code']).toBe(404);
});
