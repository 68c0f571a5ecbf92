/** One OpenTelemetry client span and one `onCall` event per Graph call, with its final outcome. */
import type { PipelinePolicy, PipelineResponse } from '@azure/core-rest-pipeline';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { toGraphError, type GraphError } from '../../errors';
import type { GraphClientOptions } from '../../options';
import { callOf } from '../request';

export type TelemetryOptions = Pick<GraphClientOptions, 'tracer' | 'onCall'>;

export function telemetryPolicy({ tracer, onCall }: TelemetryOptions): PipelinePolicy {
  return {
    name: 'telemetryPolicy',
    async sendRequest(request, next) {
      const started = Date.now();
      const call = callOf(request);
      const { method, pathTemplate, clientRequestId } = call;
      const span = tracer?.startSpan(`graph ${method} ${pathTemplate}`, {
        kind: SpanKind.CLIENT,
        attributes: { 'http.request.method': method, 'url.template': pathTemplate, 'graph.client_request_id': clientRequestId },
      });
      const finish = (response: PipelineResponse | undefined, error?: GraphError): void => {
        const status = response?.status ?? error?.status;
        const requestId = response?.headers.get('request-id') ?? error?.requestId;
        if (span) {
          if (status !== undefined) span.setAttribute('http.response.status_code', status);
          if (requestId) span.setAttribute('graph.request_id', requestId);
          span.setAttribute('graph.retries', call.retries);
          if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error.kind });
          span.end();
        }
        onCall?.({ method, pathTemplate, status, durationMs: Date.now() - started, retries: call.retries, requestId, clientRequestId, errorKind: error?.kind, throttled: call.throttled });
      };
      let response: PipelineResponse;
      try {
        response = await next(request);
      } catch (caught) {
        const error = toGraphError(caught, clientRequestId);
        finish(undefined, error);
        throw error;
      }
      finish(response);
      return response;
    },
  };
}
