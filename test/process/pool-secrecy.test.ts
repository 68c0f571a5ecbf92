/**
 * Activation codes are credentials: the built process, at LOG_LEVEL=trace and with tracing exported to a local
 * OTLP/HTTP receiver, is driven through every way a code could travel (created with the entity and with a 204,
 * refused by our validation, by graphql-js's coercion and validation, by Graph with a message quoting it, lost in a
 * 503). Afterwards no ICCID or matching id used may be found in the process's whole output, in any response body,
 * or in any exported span, while Graph did receive the codes of the pools it created.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGraphEmulator, type GraphEmulator } from '@esim-pools/graph-emulator';
import { secretsOf, testCodes, type TestCode } from '../support/activation-codes';
import { spawnService, type ServiceProcess } from '../support/process';
import { postGraphQL, type GraphQLReply } from '../support/stack';

const CREATE = `mutation Create($input: CreateEmbeddedSIMActivationCodePoolInput!) {
  createEmbeddedSIMActivationCodePool(input: $input) { pool { id displayName activationCodeCount } }
}`;
const POOLS = '/deviceManagement/embeddedSIMActivationCodePools';

let emulator: GraphEmulator;
let receiver: Server;
let service: ServiceProcess;
let exported = '';
const replies: GraphQLReply[] = [];
const used: TestCode[] = [];

beforeAll(async () => {
  emulator = await startGraphEmulator();
  receiver = createServer((req, res) => {
    req.on('data', (d: Buffer) => (exported += d.toString()));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  service = await spawnService({
    GRAPH_BASE_URL: emulator.url,
    LOG_LEVEL: 'trace',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
  });
}, 30_000);

afterAll(async () => {
  await service?.stop();
  await emulator?.close();
  await new Promise((resolve) => receiver.close(resolve));
});

async function send(query: string, variables?: Record<string, unknown>): Promise<GraphQLReply> {
  const reply = await postGraphQL(service.url, query, variables);
  replies.push(reply);
  return reply;
}
function series(n: number): TestCode[] {
  const codes = testCodes(4, 100 + n);
  used.push(...codes);
  return codes;
}
const createdId = (reply: GraphQLReply): string => {
  expect(reply.body.errors).toBeUndefined();
  return (reply.body.data?.createEmbeddedSIMActivationCodePool as { pool: { id: string } }).pool.id;
};

it('no ICCID or matching id in any log line, response or span, however a create goes', async () => {
  const created = series(1);
  const withEntity = createdId(await send(CREATE, { input: { displayName: 'Secret pool', activationCodes: created } }));

  emulator.setWriteReply('noContent');
  const quiet = series(2);
  const withoutEntity = createdId(await send(CREATE, { input: { displayName: 'Quiet pool', activationCodes: quiet } }));
  emulator.setWriteReply('entity');

  const refused = series(3);
  refused[1] = { ...refused[1], smdpPlusServerAddress: 'no-dot' };
  expect((await send(CREATE, { input: { displayName: 'Refused', activationCodes: refused } })).body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

  const [mistyped, partial] = series(4);
  await send(CREATE, { input: { displayName: 'Mistyped', activationCodes: [{ ...mistyped, integratedCircuitCardIdentifier: Number(mistyped.integratedCircuitCardIdentifier) }] } });
  await send(CREATE, { input: { displayName: 'Partial', activationCodes: [{ integratedCircuitCardIdentifier: partial.integratedCircuitCardIdentifier, matchingIdentifier: partial.matchingIdentifier }] } });

  const [literal] = series(5);
  await send(`mutation { createEmbeddedSIMActivationCodePool(input: { displayName: "Literal", activationCodes: [{
    integratedCircuitCardIdentifier: ${literal.integratedCircuitCardIdentifier}, matchingIdentifier: ${literal.matchingIdentifier}, smdpPlusServerAddress: "${literal.smdpPlusServerAddress}" }] }) { pool { id } } }`);

  const duplicate = series(6);
  const answer = (status: number, code: string, message: string) => ({
    replies: [{ method: 'POST', path: POOLS, reply: { status, body: { error: { code, message } } } }],
  });
  const [first, second] = duplicate;
  emulator.setQuirks(answer(400, 'BadRequest', `ICCID ${first.integratedCircuitCardIdentifier} / ${first.matchingIdentifier} exists in activationCodes[0]`));
  expect((await send(CREATE, { input: { displayName: 'Duplicate', activationCodes: duplicate } })).body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  const lost = series(7);
  emulator.setQuirks(answer(503, 'ServiceUnavailable', `lost ${second.matchingIdentifier} and ${lost[0].integratedCircuitCardIdentifier}`));
  expect((await send(CREATE, { input: { displayName: 'Lost', activationCodes: lost } })).body.errors?.[0].extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
  emulator.setQuirks(undefined);

  expect(await service.stop()).toBe(0); // flushes the span exporter
  // The codes did travel to Graph: the absence below means something.
  expect(emulator.getActivationCodes(withEntity)).toEqual(created);
  expect(emulator.getActivationCodes(withoutEntity)).toEqual(quiet);
  const output = service.output();
  expect(output).toContain('"audit":true');
  expect(service.logs().filter((l) => l.operation === 'createEmbeddedSIMActivationCodePool')).toHaveLength(5);
  expect(exported).toContain('mutation Create');
  const responses = JSON.stringify(replies.map((r) => r.body));
  for (const secret of [...secretsOf(used), String(Number(used[12].integratedCircuitCardIdentifier))]) {
    expect(output).not.toContain(secret);
    expect(responses).not.toContain(secret);
    expect(exported).not.toContain(secret);
  }
});
