/** OpenTelemetry tracing, on only with an OTLP endpoint configured; off, the SDK is never loaded. */
import type { Tracer } from '@opentelemetry/api';

export interface Tracing {
  tracer: Tracer;
  shutdown(): Promise<void>;
}

export function startTracing(url: string, serviceName: string, version: string): Tracing {
  // Loaded only here, so that a process without tracing never loads the SDK.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': serviceName,
      'service.version': version,
    }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  provider.register();
  return {
    tracer: api.trace.getTracer('esim-pools-subgraph', version),
    shutdown: () => provider.shutdown(),
  };
}
