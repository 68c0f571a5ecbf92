/**
 * The limits' messages: graphql-armor prefixes "Syntax Error:" although the syntax is fine. Outside production the
 * message says what was exceeded, by how much and which variable sets the limit; in production, no numbers.
 */
import { ApolloServer } from '@apollo/server';
import { parse, validate } from 'graphql';
import { DEFAULT_LIMITS, operationLimits, requestLimitsPlugin } from '../../src/graphql/limits';
import { buildSchema } from '../../src/graphql/schema';

const schema = buildSchema();
const POOL = '6f2c1b9e-4a3d-4c8e-9b1a-2f5e7d8c9a01';

function messages(query: string, production: boolean, limits = DEFAULT_LIMITS): string[] {
  return validate(schema, parse(query), operationLimits(limits, production).validationRules).map((error) => error.message);
}

const COST_LIMIT = 50;

/** The cost limit runs after validation (it prices the operation from the schema's @cost/@listSize): its message. */
async function costMessage(query: string, production: boolean): Promise<string | undefined> {
  const server = new ApolloServer({ schema, plugins: [requestLimitsPlugin({ ...DEFAULT_LIMITS, maxCost: COST_LIMIT }, production)] });
  await server.start();
  try {
    const reply = await server.executeOperation({ query });
    return reply.body.kind === 'single' ? reply.body.singleResult.errors?.[0]?.message : undefined;
  } finally {
    await server.stop();
  }
}

const EXPENSIVE = '{ embeddedSIMActivationCodePools(first: 100) { edges { node { id deviceStates(first: 100) { edges { node { id state } } } } } } }';
const DEEP = `{ embeddedSIMActivationCodePool(id: "${POOL}") { assignments { target { ... on GroupAssignmentTarget { group { id } } } } } }`;
const DIRECTIVES = `{ __typename ${Array.from({ length: 21 }, () => '@skip(if: false)').join(' ')} }`;
const ALIASES = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: embeddedSIMActivationCodePool(id: "${POOL}") { id }`).join(' ')} }`;

describe('outside production', () => {
  it('cost: how much, over by how much, MAX_COST', async () => {
    const message = await costMessage(EXPENSIVE, false);
    expect(message).toMatch(/^The operation costs (\d+), (\d+) over the limit of 50 \(MAX_COST\)\.$/);
    const [, found, over] = /costs (\d+), (\d+) over/.exec(message ?? '') ?? [];
    expect(Number(found) - Number(over)).toBe(COST_LIMIT);
  });

  it('depth: MAX_DEPTH', () => {
    expect(messages(DEEP, false, { ...DEFAULT_LIMITS, maxDepth: 3 })).toEqual([expect.stringMatching(/^The operation is nested levels deep: \d+, \d+ over the limit of 3 \(MAX_DEPTH\)\.$/)]);
  });

  it('directives: MAX_DIRECTIVES', () => {
    expect(messages(DIRECTIVES, false)).toEqual(['The operation has directives: 21, 1 over the limit of 20 (MAX_DIRECTIVES).']);
  });

  it('aliases: MAX_ALIASES', () => {
    expect(messages(ALIASES, false)).toEqual(['The operation has aliases: 16, 1 over the limit of 15 (MAX_ALIASES).']);
  });
});

it('in production: what was exceeded, without numbers, never "Syntax Error:"', async () => {
  expect(await costMessage(EXPENSIVE, true)).toBe('The operation is too expensive.');
  expect(messages(DEEP, true, { ...DEFAULT_LIMITS, maxDepth: 3 })).toEqual(['The operation is nested too deeply.']);
  expect(messages(DIRECTIVES, true)).toEqual(['The operation has too many directives.']);
  expect(messages(ALIASES, true)).toEqual(['The operation has too many aliases.']);
});
