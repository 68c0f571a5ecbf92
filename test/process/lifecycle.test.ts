/**
 * Probes, graceful shutdown, logs and metrics of the real process (dist/index.js) against a slow emulator.
 */
import { expect } from '@jest/globals';
import { request } from 'undici';
import { generatedPoolId, SAMPLE_POOLS, startGraphEmulator, type GraphEmulator } from '@esim-pools/graph-emulator';
import { spawnService } from '../support/process';
import { postGraphQL } from '../support/stack';
import { ASSIGN_SAMPLE_GROUP as ASSIGN } from '../support/documents';

let emulator: GraphEmulator;
beforeAll(async () => {
  // Extra pools for the load below: writes to one pool are serialized by its edit lock, to ten pools they run at once.
  emulator = await startGraphEmulator({ extraPools: 10 });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => emulator.reset());

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await request(url);
  return { status: res.statusCode, text: await res.body.text() };
}

it.each(['development', 'production'])('SIGTERM under load (%s): readiness 503, in-flight requests finish, new connections refused, exit 0', async (nodeEnv) => {
  emulator.setLatency(800);
  const service = await spawnService({
    NODE_ENV: nodeEnv,
    GRAPH_AUTH_MODE: 'emulator',
    GRAPH_BASE_URL: emulator.url,
    SHUTDOWN_DELAY_MS: '300',
    SHUTDOWN_GRACE_MS: '5000',
  });
  const base = service.url.replace(/\/graphql$/, '');
  expect((await get(`${base}/readyz`)).status).toBe(200);
  const inFlight = Array.from({ length: 10 }, (_, i) => postGraphQL(service.url, ASSIGN, { poolId: generatedPoolId(i) }));
  await new Promise((r) => setTimeout(r, 150));
  service.child.kill('SIGTERM');
  // Readiness turns 503 in the same turn as this line is logged, well inside SHUTDOWN_DELAY_MS.
  await service.waitForLog((l) => String(l.msg).startsWith('shutting down'));
  expect((await get(`${base}/readyz`)).status).toBe(503);
  expect((await get(`${base}/healthz`)).status).toBe(200);
  const replies = await Promise.all(inFlight);
  for (const reply of replies) {
    expect(reply.status).toBe(200);
    expect(reply.body.errors).toBeUndefined();
  }
  expect(await service.exited).toBe(0);
  await expect(get(`${base}/healthz`)).rejects.toThrow(/ECONNREFUSED|other side closed|connect/i);
}, 20_000);

it('logs one line per operation and per Graph call, with no secrets', async () => {
  const service = await spawnService({ GRAPH_BASE_URL: emulator.url });
  try {
    const requestId = '5b0c8f4e-2d1a-4c3b-9e8f-7a6b5c4d3e2f';
    await postGraphQL(service.url, ASSIGN, { poolId: SAMPLE_POOLS[0].id }, { 'x-request-id': requestId, authorization: 'Bearer caller-secret-token' });
    // The operation's line is written last, once its Graph call has been logged.
    await service.waitForLog((l) => l.msg === 'graphql operation');
    const logs = service.logs();
    const operation = logs.find((l) => l.msg === 'graphql operation');
    expect(operation).toMatchObject({ requestId, operationName: 'Assign', outcome: 'ok', durationMs: expect.any(Number) });
    // The assign's line (the group it sends was checked first, in a $batch of its own line).
    expect(logs.find((l) => l.msg === 'graph call' && l.pathTemplate === '/$batch(/groups/{id}|/deviceManagement/assignmentFilters/{id})')).toBeDefined();
    const call = logs.find((l) => l.msg === 'graph call' && typeof l.pathTemplate === 'string' && l.pathTemplate.endsWith('/assign'));
    expect(call).toMatchObject({
      method: 'POST',
      pathTemplate: '/deviceManagement/embeddedSIMActivationCodePools/{id}/assign',
      status: 200,
      retries: 0,
      clientRequestId: requestId,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      durationMs: expect.any(Number),
    });
    expect(service.output()).not.toContain('caller-secret-token');
    expect(service.output()).not.toContain('emulator-token');
  } finally {
    await service.stop();
  }
});

it('serves Prometheus metrics', async () => {
  const service = await spawnService({ GRAPH_BASE_URL: emulator.url });
  try {
    await postGraphQL(service.url, ASSIGN, { poolId: SAMPLE_POOLS[0].id });
    emulator.setFaults({ match: '/assign', throttle: { retryAfterSeconds: 1 } });
    await postGraphQL(service.url, ASSIGN, { poolId: SAMPLE_POOLS[0].id });
    const { status, text } = await get(service.url.replace(/\/graphql$/, '/metrics'));
    expect(status).toBe(200);
    expect(text).toMatch(/graphql_operations_total\{operation="Assign",type="mutation",outcome="ok"\} 2/);
    expect(text).toMatch(/graph_calls_total\{method="POST",path="\/deviceManagement\/embeddedSIMActivationCodePools\/\{id\}\/assign",status="200"\} 2/);
    expect(text).toMatch(/graph_retries_total\{method="POST",path="[^"]*"\} 1/);
    expect(text).toMatch(/graph_throttled_total\{source="graph"\} 1/);
    expect(text).toMatch(/graph_token_acquisitions_total 1/);
    expect(text).toContain('graph_bulkhead_queue_length 0');
    expect(text).toContain('process_resident_memory_bytes');
  } finally {
    await service.stop();
  }
});
