/**
 * OpenTelemetry: with an OTLP endpoint configured, the process exports a server span per GraphQL request and a
 * child client span per Graph call, continuing the caller's W3C trace context. A local OTLP/HTTP receiver
 * collects them.
 */
import { createServer, type Server } from 'node:http';
import { SAMPLE_GROUP_IDS, SAMPLE_POOLS, startGraphEmulator, type GraphEmulator } from '@esim-pools/graph-emulator';
import { spawnService } from '../support/process';
import { postGraphQL } from '../support/stack';
import { listenOnLoopback } from '../support/net';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
}

let receiver: Server;
let receiverUrl: string;
const spans: OtlpSpan[] = [];
let emulator: GraphEmulator;

beforeAll(async () => {
  emulator = await startGraphEmulator();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
      for (const rs of parsed.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  receiverUrl = `http://127.0.0.1:${await listenOnLoopback(receiver)}`;
});

afterAll(async () => {
  await emulator.close();
  await new Promise((resolve) => receiver.close(resolve));
});

it('exports a server span and a child Graph span in the caller’s trace', async () => {
  const service = await spawnService({ GRAPH_BASE_URL: emulator.url, OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl });
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const reply = await postGraphQL(
    service.url,
    `mutation AssignForTrace { assignEmbeddedSIMActivationCodePool(poolId: "${SAMPLE_POOLS[0].id}", assignments: [{ target: { kind: GROUP, groupId: "${SAMPLE_GROUP_IDS[0]}" } }]) { assignments { id } } }`,
    undefined,
    { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
  );
  expect(reply.body.errors).toBeUndefined();
  expect(await service.stop()).toBe(0); // shutdown flushes the batch processor
  const server = spans.find((s) => s.name === 'mutation AssignForTrace');
  const client = spans.find((s) => s.name === 'graph POST /deviceManagement/embeddedSIMActivationCodePools/{id}/assign');
  expect(spans.map((s) => s.name)).toContain("mutation AssignForTrace");
  expect(server).toBeDefined();
  expect(client).toBeDefined();
  expect(server?.traceId).toBe(traceId);
  expect(server?.parentSpanId).toBe('00f067aa0ba902b7');
  expect(client?.traceId).toBe(traceId);
  expect(client?.parentSpanId).toBe(server?.spanId);
  const status = client?.attributes?.find((a) => a.key === 'http.response.status_code')?.value;
  expect(status).toEqual({ intValue: 200 });
});

it('exports nothing when no endpoint is configured', async () => {
  const before = spans.length;
  const service = await spawnService({ GRAPH_BASE_URL: emulator.url });
  await postGraphQL(service.url, `{ embeddedSIMActivationCodePool(id: "${SAMPLE_POOLS[0].id}") { id } }`);
  expect(await service.stop()).toBe(0);
  expect(spans.length).toBe(before);
  expect(service.output()).not.toContain('OpenTelemetry tracing on');
});
