/**
 * The create input is checked before any call to Graph: every rule is BAD_USER_INPUT naming the field (index and
 * property), with nothing sent and no value quoted. The most codes accepted fit the default body limit with the
 * longest codes accepted. graphql-js's own errors (a code of the wrong type, a missing or unknown property) do
 * not quote a code either.
 */
import { MAX_ACTIVATION_CODES, MAX_MATCHING_ID_LENGTH, MAX_SMDP_ADDRESS_LENGTH } from '../../src/graphql/lifecycle/validation';
import { secretsOf, testCodes, type TestCode } from '../support/activation-codes';
import { startStack, type GraphQLReply, type Stack } from '../support/stack';

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateEmbeddedSIMActivationCodePoolInput!) {
    createEmbeddedSIMActivationCodePool(input: $input) { pool { id activationCodeCount } }
  }
`;
const MAX_BODY_BYTES = 262_144;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { maxBodyBytes: MAX_BODY_BYTES } });
});
afterAll(async () => {
  await stack.stop();
});
beforeEach(() => stack.emulator.reset());

const create = (input: unknown): Promise<GraphQLReply> => stack.graphql(CREATE, { input });
const codes = testCodes(5);
const withCode = (index: number, change: Partial<TestCode>) => codes.map((c, i) => (i === index ? { ...c, ...change } : c));

/** The refusal: BAD_USER_INPUT naming `field`, nothing sent to Graph, no code value in the answer. */
function expectRefused(reply: GraphQLReply, field: string, values: readonly string[] = secretsOf(codes)): void {
  expect(reply.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  expect(reply.body.errors?.[0].message).toContain(field);
  const text = JSON.stringify(reply.body);
  for (const value of values) if (value.length > 0) expect(text).not.toContain(value);
  expect(stack.emulator.requests).toHaveLength(0);
}

describe('the rules, each refused with nothing sent', () => {
  it.each([
    ['a 18-digit ICCID', 3, { integratedCircuitCardIdentifier: '890141032111185107' }, 'integratedCircuitCardIdentifier'],
    ['a 21-digit ICCID', 3, { integratedCircuitCardIdentifier: '890141032111185107201' }, 'integratedCircuitCardIdentifier'],
    ['an ICCID with a letter', 0, { integratedCircuitCardIdentifier: '8901410321111851072F' }, 'integratedCircuitCardIdentifier'],
    ['a matching id with a space', 1, { matchingIdentifier: 'QR SECRET 1' }, 'matchingIdentifier'],
    ['a matching id with an underscore', 4, { matchingIdentifier: 'QR_SECRET_1' }, 'matchingIdentifier'],
    ['a too long matching id', 2, { matchingIdentifier: 'M'.repeat(MAX_MATCHING_ID_LENGTH + 1) }, 'matchingIdentifier'],
    ['an SM-DP+ address without a dot', 2, { smdpPlusServerAddress: 'localhost' }, 'smdpPlusServerAddress'],
    ['an SM-DP+ address with a port', 2, { smdpPlusServerAddress: 'smdp.example.com:443' }, 'smdpPlusServerAddress'],
    ['an SM-DP+ address with a one-letter TLD', 2, { smdpPlusServerAddress: 'rsp.operator.x' }, 'smdpPlusServerAddress'],
    ['an SM-DP+ URL', 2, { smdpPlusServerAddress: 'https://smdp.example.com' }, 'smdpPlusServerAddress'],
    ['a too long SM-DP+ address', 2, { smdpPlusServerAddress: `${'a'.repeat(MAX_SMDP_ADDRESS_LENGTH)}.com` }, 'smdpPlusServerAddress'],
  ])('%s', async (_name, index, change, property) => {
    const input = { displayName: 'Pool', activationCodes: withCode(index, change) };
    expectRefused(await create(input), `input.activationCodes[${index}].${property}`, [...secretsOf(codes), ...Object.values(change)]);
  });

  it('an ICCID twice: the second names the first by index only', async () => {
    const twice = withCode(3, { integratedCircuitCardIdentifier: codes[1].integratedCircuitCardIdentifier });
    const reply = await create({ displayName: 'Pool', activationCodes: twice });
    expectRefused(reply, 'input.activationCodes[3].integratedCircuitCardIdentifier');
    expect(reply.body.errors?.[0].message).toContain('input.activationCodes[1]');
  });

  it.each([
    ['empty', ''],
    ['blank', ' \t '],
    ['too long (257 characters)', 'n'.repeat(257)],
    ['with a line break', 'Pool\nname'],
    ['with a control character', 'Pool\u0007'],
  ])('a display name that is %s', async (_name, displayName) => {
    expectRefused(await create({ displayName, activationCodes: codes }), 'input.displayName');
  });

  it('a display name of 256 characters (after trimming) is accepted', async () => {
    const reply = await create({ displayName: `  ${'n'.repeat(256)}  `, activationCodes: codes });
    expect(reply.body.errors).toBeUndefined();
  });

  it('no codes, or more than the maximum', async () => {
    expectRefused(await create({ displayName: 'Pool', activationCodes: [] }), 'input.activationCodes');
    const tooMany = await create({ displayName: 'Pool', activationCodes: testCodes(MAX_ACTIVATION_CODES + 1, 7) });
    expectRefused(tooMany, 'input.activationCodes', []);
    expect(tooMany.body.errors?.[0].message).toContain(String(MAX_ACTIVATION_CODES));
  });
});

describe('the maximum number of codes', () => {
  /** The longest codes the rules accept: 20 digits, and the longest matching id and SM-DP+ address. */
  const longest = (count: number): TestCode[] =>
    testCodes(count, 9).map((c, i) => ({
      integratedCircuitCardIdentifier: c.integratedCircuitCardIdentifier,
      matchingIdentifier: `${String(i).padStart(4, '0')}-${'M'.repeat(MAX_MATCHING_ID_LENGTH - 5)}`,
      smdpPlusServerAddress: `${'s'.repeat(MAX_SMDP_ADDRESS_LENGTH - 4)}.com`,
    }));

  it(`${MAX_ACTIVATION_CODES} of the longest codes fit MAX_BODY_BYTES (262144), pretty-printed too, and are created`, async () => {
    const input = { displayName: 'N'.repeat(256), activationCodes: longest(MAX_ACTIVATION_CODES) };
    const compact = Buffer.byteLength(JSON.stringify({ query: CREATE, variables: { input } }));
    const pretty = Buffer.byteLength(JSON.stringify({ query: CREATE, variables: { input } }, null, 2));
    expect(pretty).toBeLessThan(MAX_BODY_BYTES);
    expect(compact).toBeLessThan(0.75 * MAX_BODY_BYTES);
    const reply = await create(input);
    expect(reply.status).toBe(200);
    expect(reply.body.errors).toBeUndefined();
    const pool = (reply.body.data?.createEmbeddedSIMActivationCodePool as { pool: { id: string; activationCodeCount: number } }).pool;
    expect(pool.activationCodeCount).toBe(MAX_ACTIVATION_CODES);
    expect(stack.emulator.getActivationCodes(pool.id)).toEqual(input.activationCodes);
  });
});

describe("graphql-js's own errors never quote a code", () => {
  it.each([
    ['an ICCID given as a number', [{ ...codes[0], integratedCircuitCardIdentifier: 89014103211118510000 }], 'input.activationCodes[0].integratedCircuitCardIdentifier'],
    ['a code without its SM-DP+ address', [{ integratedCircuitCardIdentifier: codes[0].integratedCircuitCardIdentifier, matchingIdentifier: codes[0].matchingIdentifier }], 'input.activationCodes[0]'],
    ['a code with a property the type does not define', [codes[0], { ...codes[1], pin: '1234' }], 'input.activationCodes[1]'],
    ['a code that is a string', [`${codes[0].integratedCircuitCardIdentifier}$${codes[0].matchingIdentifier}`], 'input.activationCodes[0]'],
  ])('%s (variables)', async (_name, activationCodes, path) => {
    const reply = await stack.graphql(CREATE, { input: { displayName: 'Pool', activationCodes } });
    expect(reply.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const message = reply.body.errors?.[0].message ?? '';
    expect(message).toContain(`"${path}"`);
    expect(message).toContain('not shown');
    const text = JSON.stringify(reply.body);
    for (const value of [...secretsOf(codes), '89014103211118510000']) expect(text).not.toContain(value);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it("graphql-js's reason is kept when it quotes nothing", async () => {
    const reply = await stack.graphql(CREATE, { input: { displayName: 'Pool', activationCodes: [{ integratedCircuitCardIdentifier: codes[0].integratedCircuitCardIdentifier }] } });
    expect(reply.body.errors?.[0].message).toMatch(/Field "matchingIdentifier" of required type "String!" was not provided/);
  });

  it('literals in the document and variables used inside it; a syntax error in a document with codes', async () => {
    const [a, b] = codes;
    const literal = `mutation { createEmbeddedSIMActivationCodePool(input: { displayName: "Pool", activationCodes: [
      { integratedCircuitCardIdentifier: ${a.integratedCircuitCardIdentifier}, matchingIdentifier: "${a.matchingIdentifier}", smdpPlusServerAddress: "${a.smdpPlusServerAddress}" }
    ] }) { pool { id } } }`;
    const viaVariable = `mutation ($mid: Int!) { createEmbeddedSIMActivationCodePool(input: { displayName: "Pool", activationCodes: [
      { integratedCircuitCardIdentifier: "${b.integratedCircuitCardIdentifier}", matchingIdentifier: $mid, smdpPlusServerAddress: "${b.smdpPlusServerAddress}" }
    ] }) { pool { id } } }`;
    const broken = `mutation { createEmbeddedSIMActivationCodePool(input: { displayName: "Pool", activationCodes: [
      { integratedCircuitCardIdentifier: "${a.integratedCircuitCardIdentifier}", matchingIdentifier: ${a.matchingIdentifier} ] }) { pool { id } } }`;
    for (const [query, variables] of [
      [literal, undefined],
      [viaVariable, { mid: 123456789 }],
      [broken, undefined],
    ] as const) {
      const reply = await stack.graphql(query, variables);
      expect(reply.body.errors?.length).toBeGreaterThan(0);
      const text = JSON.stringify(reply.body);
      for (const value of [...secretsOf([a, b]), '123456789']) expect(text).not.toContain(value);
    }
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('errors of requests without codes are left as graphql-js wrote them', async () => {
    const reply = await stack.graphql('query ($first: Int) { embeddedSIMActivationCodePools(first: $first) { totalCount } }', { first: 'ten' });
    expect(reply.body.errors?.[0].message).toContain('"ten"');
  });
});
