/**
 * The built service logs a value Graph sent that this version does not know once (type and value, level warn),
 * however often it is read, and serves it as UNKNOWN_FUTURE_VALUE. Graph here is the embedded emulator with a quirk.
 */
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { spawnService } from '../support/process';
import { postGraphQL } from '../support/stack';

const P1 = SAMPLE_POOLS[0].id;

it('one warn line per unknown value, with its Graph type', async () => {
  const quirks = { replies: [{ path: '/deviceManagement/embeddedSIMActivationCodePools/*/deviceStates', set: { '/value/0/state': 'someNewValue' } }] };
  const service = await spawnService({ GRAPH_AUTH_MODE: 'emulator', EMULATOR_QUIRKS: JSON.stringify(quirks) });
  try {
    const query = `{ embeddedSIMActivationCodePool(id: "${P1}") { deviceStates(first: 2) { edges { node { state } } } } }`;
    for (let i = 0; i < 3; i++) {
      const reply = await postGraphQL(service.url, query);
      expect(reply.body.errors).toBeUndefined();
      expect(reply.body.data).toEqual({ embeddedSIMActivationCodePool: { deviceStates: { edges: [{ node: { state: 'UNKNOWN_FUTURE_VALUE' } }, { node: { state: 'FAILED' } }] } } });
    }
    const lines = service.logs().filter((l) => l.msg === 'Microsoft Graph sent a value this version does not know');
    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', graphType: 'microsoft.graph.embeddedSIMDeviceStateValue', value: 'someNewValue', servedAs: 'UNKNOWN_FUTURE_VALUE' }),
    ]);
  } finally {
    expect(await service.stop()).toBe(0);
  }
}, 30_000);
