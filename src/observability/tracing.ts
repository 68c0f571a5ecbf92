/** OpenTelemetry tracing, on only with an OTLP endpoint configured; off, the SDK is never loaded. */
import { trace, type Tracer } from '@opentelemetry/api';

export async function startTracing(url: string, serviceName: string, version: string): Promise<{ tracer: Tracer; shutdown(): Promise<void> }> {
  // Loaded only here, so that a process without tracing never loads the SDK.
  const { NodeTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'service.version': version }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  provider.register();
  return {
    tracer: trace.getTracer('esim-pools-subgraph', version),
    shutdown: () => provider.shutdown(),
  };
}
