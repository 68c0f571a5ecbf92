/**
 * What a router needs from a subgraph besides answering operations: `_service { sdl }` (for composition and
 * IntrospectAndCompose), and inline traces (`ftv1`) when it asks for them with `apollo-federation-include-trace`.
 */
import { Trace } from '@apollo/usage-reporting-protobuf';
import { Kind, parse, print } from 'graphql';
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { loadTypeDefs } from '../../src/graphql/schema';
import { startStack, type GraphQLReply, type Stack } from '../support/stack';

const [P1, P2] = SAMPLE_POOLS.map((p) => p.id);
const TRACE_HEADER = { 'apollo-federation-include-trace': 'ftv1' };

interface TraceNode {
  responseName?: string | null;
  index?: number | null;
  child?: TraceNode[] | null;
  error?: unknown[] | null;
}

/** All response names in a trace tree, depth first. */
function responseNames(node: TraceNode | null | undefined): string[] {
  if (!node) return [];
  const own = node.responseName ? [node.responseName] : [];
  return [...own, ...(node.child ?? []).flatMap((c) => responseNames(c))];
}

/** Type name → its directives as printed, for every type defined in an SDL document. */
function typeDirectives(sdl: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const def of parse(sdl).definitions) {
    if (
      def.kind === Kind.OBJECT_TYPE_DEFINITION ||
      def.kind === Kind.INTERFACE_TYPE_DEFINITION ||
      def.kind === Kind.ENUM_TYPE_DEFINITION ||
      def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION ||
      def.kind === Kind.SCALAR_TYPE_DEFINITION
    ) {
      out.set(def.name.value, (def.directives ?? []).map((d) => print(d)));
    }
  }
  return out;
}

/** The reply's top-level `extensions` (GraphQLReply types only data and errors). */
function ftv1Of(reply: GraphQLReply): unknown {
  const body: GraphQLReply['body'] & { extensions?: Record<string, unknown> } = reply.body;
  return body.extensions?.ftv1;
}

function decodeFtv1(value: unknown): Trace {
  expect(typeof value).toBe('string');
  return Trace.decode(Buffer.from(value as string, 'base64'));
}

describe.each([
  ['outside production', false, true],
  ['in production with introspection off', true, false],
])('%s', (_name, production, introspection) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { production, introspection } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers _service { sdl } with the SDL of schema/ (federation @link, @key, resolvable: false Group)', async () => {
    const reply = await stack.graphql('{ _service { sdl } }');
    expect(reply.body.errors).toBeUndefined();
    const sdl = (reply.body.data?._service as { sdl: string }).sdl;
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.14"');
    const served = typeDirectives(sdl);
    expect(served.get('EmbeddedSIMActivationCodePool')).toEqual(['@key(fields: "id")', '@cacheTag(format: "pool-{$key.id}")', '@cacheControl(maxAge: 30)', '@cost(weight: 0)']);
    expect(served.get('Group')).toEqual(['@key(fields: "id", resolvable: false)']);
    // Every type of schema/ is in it, with the same directives (it IS schema/, as buildSubgraphSchema prints it).
    const own = typeDirectives(loadTypeDefs());
    expect(own.size).toBeGreaterThan(20);
    for (const [name, directives] of own) expect(served.get(name)).toEqual(directives);
  });

  it('adds an ftv1 inline trace when the router asks for one, with the resolved fields in it', async () => {
    const reply = await stack.graphql(`{ embeddedSIMActivationCodePool(id: "${P1}") { id displayName assignments { id } } }`, undefined, TRACE_HEADER);
    expect(reply.body.errors).toBeUndefined();
    const trace = decodeFtv1(ftv1Of(reply));
    expect(trace.startTime).toBeTruthy();
    expect(trace.endTime).toBeTruthy();
    expect(Number(trace.durationNs)).toBeGreaterThan(0);
    expect(responseNames(trace.root)).toEqual(expect.arrayContaining(['embeddedSIMActivationCodePool', 'displayName', 'assignments']));
  });

  it('traces _entities calls too', async () => {
    const reply = await stack.graphql(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on EmbeddedSIMActivationCodePool { id displayName } } }`,
      { r: [P1, P2].map((id) => ({ __typename: 'EmbeddedSIMActivationCodePool', id })) },
      TRACE_HEADER,
    );
    expect(reply.body.errors).toBeUndefined();
    expect(responseNames(decodeFtv1(ftv1Of(reply)).root)).toEqual(expect.arrayContaining(['_entities', 'displayName']));
  });

  it('sends no trace unless asked', async () => {
    const reply = await stack.graphql(`{ embeddedSIMActivationCodePool(id: "${P1}") { id } }`);
    expect(reply.body.errors).toBeUndefined();
    expect(ftv1Of(reply)).toBeUndefined();
  });
});
