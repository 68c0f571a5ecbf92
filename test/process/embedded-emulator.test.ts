/**
 * `npm start` in emulator mode embeds a Graph emulator: it honours the EMULATOR_* variables as
 * `npm run emulator` does (one parser), logs its URL at start, and refuses a bad value naming it.
 */
import { request } from 'undici';
import * as emulatorPackage from '@esim-pools/graph-emulator';
import { generatedPoolId } from '@esim-pools/graph-emulator';
import { EMULATOR_PACKAGE, type EmulatorPackage } from '../../src/service';
import { spawnService } from '../support/process';
import { postGraphQL } from '../support/stack';

async function getJson(url: string): Promise<unknown> {
  const res = await request(url);
  return res.body.json();
}

it('the service loads the emulator package by the name it has, with the functions it uses (checked by the compiler too)', () => {
  const used: EmulatorPackage = emulatorPackage;
  expect(require.resolve(EMULATOR_PACKAGE)).toMatch(/packages[\\/]graph-emulator[\\/]/);
  expect(typeof used.startGraphEmulator).toBe('function');
  expect(typeof used.embeddedEmulatorOptions).toBe('function');
});

it('EMULATOR_EXTRA_POOLS, EMULATOR_LATENCY_MS and EMULATOR_FAULTS reach the embedded emulator, whose URL is logged at start', async () => {
  const faults = { match: '/no-such-path', failureRate: 1 };
  const service = await spawnService({
    GRAPH_AUTH_MODE: 'emulator',
    EMULATOR_EXTRA_POOLS: '7',
    EMULATOR_LATENCY_MS: '3',
    EMULATOR_FAULTS: JSON.stringify(faults),
    EMULATOR_SEED: '42',
  });
  try {
    const line = service.logs().find((l) => String(l.msg).startsWith('embedded Graph emulator listening on'));
    expect(line).toBeDefined();
    const emulatorUrl = String(line?.emulatorUrl);
    expect(emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(String(line?.msg)).toBe(`embedded Graph emulator listening on ${emulatorUrl}`);

    // Through the subgraph: a generated pool exists only when EMULATOR_EXTRA_POOLS was honoured.
    const reply = await postGraphQL(service.url, 'query($id: ID!) { embeddedSIMActivationCodePool(id: $id) { id displayName } }', { id: generatedPoolId(6) });
    expect(reply.status).toBe(200);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data).toEqual({ embeddedSIMActivationCodePool: { id: generatedPoolId(6), displayName: 'Generated pool 7' } });

    // And on the emulator itself, over its control API.
    expect(await getJson(`${emulatorUrl}/_emulator/latency`)).toEqual({ ms: 3 });
    expect(await getJson(`${emulatorUrl}/_emulator/faults`)).toEqual({ faults });
  } finally {
    expect(await service.stop()).toBe(0);
  }
}, 30_000);

it.each([
  ['EMULATOR_EXTRA_POOLS', 'many'],
  ['EMULATOR_LATENCY_MS', 'fast'],
  ['EMULATOR_FAULTS', '{"failureRate":9}'],
  ['EMULATOR_SEED', 'seed'],
])('%s=%p stops the start with a message naming the variable', async (name, value) => {
  let message = '';
  try {
    const service = await spawnService({ GRAPH_AUTH_MODE: 'emulator', [name]: value });
    await service.stop();
  } catch (err) {
    message = err instanceof Error ? err.message : String(err);
  }
  expect(message).toContain('exited with 1');
  expect(message).toContain(`failed to start: ${name}:`);
  expect(message).not.toMatch(/at .*\.js:\d+/);
}, 30_000);
