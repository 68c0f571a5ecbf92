/**
 * Shutdown of the built process (dist/index.js): a second signal exits at once, the end of the grace period says
 * how many requests it cut off, a black-holed Entra ID does not hold the process, and stop() is bounded even when
 * a step (here the trace exporter's flush to a collector that never answers) would wait longer.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SAMPLE_POOLS, startGraphEmulator, type GraphEmulator } from '@esim-pools/graph-emulator';
import { appToken, bearer } from '../support/auth';
import { createTestCertificates } from '../support/certs';
import { startTestIdp, type TestIdp } from '../support/idp';
import { spawnService, type ServiceProcess } from '../support/process';
import { postGraphQL } from '../support/stack';

const READ = `query ($id: ID!) { embeddedSIMActivationCodePool(id: $id) { id } }`;

let emulator: GraphEmulator;
beforeAll(async () => {
  emulator = await startGraphEmulator();
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => emulator.reset());

async function until(condition: () => boolean, what: string, maxWaitMs = 10_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 25) {
    if (waited > maxWaitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const messages = (service: ServiceProcess): string[] => service.logs().map((l) => String(l.msg));

/** `n` reads that the (slowed) emulator is still answering. */
async function inFlight(service: ServiceProcess, n: number): Promise<Array<Promise<unknown>>> {
  const calls = Array.from({ length: n }, () => postGraphQL(service.url, READ, { id: SAMPLE_POOLS[0].id }).catch((error: unknown) => error));
  await until(() => emulator.requests.length >= n, 'the calls to reach Graph');
  return calls;
}

it.each([
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const)('a second %s exits at once with %i, without waiting for the grace period', async (signal, code) => {
  emulator.setLatency(20_000);
  const service = await spawnService({ GRAPH_BASE_URL: emulator.url, SHUTDOWN_GRACE_MS: '60000' });
  const calls = await inFlight(service, 1);
  service.child.kill(signal);
  await until(() => messages(service).some((m) => m.startsWith('shutting down')), '"shutting down"');
  service.child.kill(signal);
  expect(await service.exited).toBe(code);
  expect(messages(service)).toContain('second signal: exiting now, without finishing in-flight requests');
  await Promise.all(calls);
});

it('when the grace period ends with requests in flight, a line says how many were cut off; "shutting down" comes before "stopped"', async () => {
  emulator.setLatency(20_000);
  const service = await spawnService({ GRAPH_BASE_URL: emulator.url, SHUTDOWN_GRACE_MS: '300' });
  const calls = await inFlight(service, 3);
  expect(await service.stop('SIGTERM')).toBe(0);
  const lines = service.logs();
  const cut = lines.find((l) => String(l.msg).startsWith('grace period over'));
  expect(cut).toMatchObject({ cutOff: 3, msg: 'grace period over: 3 request(s) still in flight were cut off' });
  const order = messages(service);
  expect(order.findIndex((m) => m.startsWith('shutting down'))).toBeLessThan(order.indexOf('stopped'));
  expect(order.indexOf('stopped')).toBeGreaterThan(order.findIndex((m) => m.startsWith('grace period over')));
  await Promise.all(calls);
});

it('stop() is bounded: a step still waiting after grace + margin is named, and the process exits 1', async () => {
  // An OTLP collector that accepts connections and never answers: the exporter's flush waits its own 10 s.
  const sockets = new Set<Socket>();
  const blackHole: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  try {
    const collector = `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}`;
    const service = await spawnService({ GRAPH_BASE_URL: emulator.url, OTEL_EXPORTER_OTLP_ENDPOINT: collector, SHUTDOWN_GRACE_MS: '100' });
    expect((await postGraphQL(service.url, READ, { id: SAMPLE_POOLS[0].id })).body.errors).toBeUndefined(); // spans to flush
    expect(await service.stop('SIGTERM')).toBe(1);
    const late = service.logs().find((l) => String(l.msg).startsWith('shutdown did not finish in time'));
    expect(late).toMatchObject({ unfinished: ['tracing'] });
    expect(messages(service)).not.toContain('stopped');
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => blackHole.close(resolve));
  }
}, 30_000);

describe('app mode with an Entra ID that does not answer', () => {
  let idp: TestIdp;
  const CLIENT_ID = '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d';
  beforeAll(async () => {
    const certs = await createTestCertificates();
    idp = await startTestIdp({ certs });
    idp.clients.set(CLIENT_ID, { secret: 'shutdown-test-secret' });
  }, 30_000);
  afterAll(async () => {
    await idp?.close();
  });

  it('SIGTERM with no traffic: "shutting down", then "stopped" and exit 0 (Entra ID unreachable)', async () => {
    // The reported case, as written (login.microsoftonline.com is unreachable here), on a free port.
    const service = await spawnService({
      GRAPH_AUTH_MODE: 'app',
      AZURE_TENANT_ID: '11111111-2222-3333-4444-555555555555',
      AZURE_CLIENT_ID: '66666666-7777-8888-9999-000000000000',
      AZURE_CLIENT_SECRET: 'x',
      AUTH_AUDIENCE: 'api://66666666-7777-8888-9999-000000000000',
    });
    expect(await service.stop('SIGTERM')).toBe(0);
    const order = messages(service);
    expect(order.findIndex((m) => m.startsWith('shutting down'))).toBeLessThan(order.indexOf('stopped'));
  });

  it('SIGTERM while a call waits for a token from a black-holed token endpoint: cut off at the grace period, exit 0', async () => {
    const service = await spawnService({
      GRAPH_AUTH_MODE: 'app',
      GRAPH_BASE_URL: emulator.url,
      AZURE_TENANT_ID: idp.tenantId,
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_CLIENT_SECRET: 'shutdown-test-secret',
      AZURE_AUTHORITY_HOST: idp.url,
      AZURE_DISABLE_INSTANCE_DISCOVERY: 'true',
      NODE_EXTRA_CA_CERTS: idp.caFile,
      AUTH_AUDIENCE: idp.apiAudience,
      // Long waits on purpose: only the grace period may end this call.
      GRAPH_TIMEOUT_MS: '60000',
      GRAPH_TOKEN_TIMEOUT_MS: '60000',
      SHUTDOWN_GRACE_MS: '300',
    });
    idp.setTokenEndpoint('hang');
    try {
      const call = postGraphQL(service.url, READ, { id: SAMPLE_POOLS[0].id }, bearer(await appToken(idp, ['EsimPools.Read']))).catch((e: unknown) => e);
      await until(() => idp.hungRequests > 0, 'the token request');
      expect(await service.stop('SIGTERM')).toBe(0);
      expect(service.logs().find((l) => String(l.msg).startsWith('grace period over'))).toMatchObject({ cutOff: 1 });
      await call;
    } finally {
      idp.recover();
    }
  });
});
