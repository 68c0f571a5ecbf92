/**
 * One OpenTelemetry client span and one `onCall` event per Graph call, retries and waits included: it sits outside
 * the retry and deadline policies so it sees the call's final outcome, its retry count and its whole duration.
 */
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { GraphCallEvent } from '../../api';
import { toGraphError, type GraphError } from '../../errors';
import type { GraphResponse, PipelinePolicy } from '../types';

export interface TelemetryOptions {
  tracer?: Tracer;
  onCall?: (event: GraphCallEvent) => void;
}

export function telemetryPolicy({ tracer, onCall }: TelemetryOptions): PipelinePolicy {
  return {
    name: 'telemetryPolicy',
    async sendRequest(request, next) {
      const started = Date.now();
      const { method, pathTemplate, clientRequestId } = request;
      const span = tracer?.startSpan(`graph ${method} ${pathTemplate}`, {
        kind: SpanKind.CLIENT,
        attributes: { 'http.request.method': method, 'url.template': pathTemplate, 'graph.client_request_id': clientRequestId },
      });
      const finish = (response: GraphResponse | undefined, error?: GraphError): void => {
        const status = response?.status ?? error?.status;
        const requestId = response?.requestId ?? error?.requestId;
        if (span) {
          if (status !== undefined) span.setAttribute('http.response.status_code', status);
          if (requestId) span.setAttribute('graph.request_id', requestId);
          span.setAttribute('graph.retries', request.retries);
          if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error.kind });
          span.end();
        }
        onCall?.({
          method,
          pathTemplate,
          status,
          durationMs: Date.now() - started,
          retries: request.retries,
          requestId,
          clientRequestId,
          errorKind: error?.kind,
          throttled: request.throttled,
        });
      };
      let response: GraphResponse;
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
