/**
 * Composition with @apollo/composition's composeServices: the subgraph files supergraph.yaml lists compose without
 * errors into the supergraph the router runs (what `npm run supergraph` writes), carrying the directives routers
 * plan and cache with; the running subgraph's `_service { sdl }` composes to the very same supergraph; and
 * supergraph.yaml stays in step with package.json and the server's defaults.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { Kind, parse, print, type DocumentNode, type ObjectTypeDefinitionNode } from 'graphql';
import { composeSupergraph, readSupergraphConfig, type SupergraphConfig } from '../../scripts/compose-supergraph';
import { DEFAULT_CONFIG } from '../support/config';
import { startDirectorySubgraph, type DirectorySubgraph } from '../support/directory-subgraph';
import { fetchSubgraphSdl } from '../support/federation';
import { startStack, type Stack } from '../support/stack';

const ROOT = resolve(__dirname, '..', '..');

function readSupergraphYaml(): SupergraphConfig {
  return readSupergraphConfig(join(ROOT, 'supergraph.yaml'));
}

/** The federation spec version a subgraph SDL links, e.g. 2.14. */
function linkedFederationVersion(sdl: string): [number, number] {
  const m = /specs\.apollo\.dev\/federation\/v(\d+)\.(\d+)/.exec(sdl);
  if (!m) throw new Error('no federation @link');
  return [Number(m[1]), Number(m[2])];
}

function objectType(document: DocumentNode, name: string): ObjectTypeDefinitionNode {
  const def = document.definitions.find((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === name);
  if (!def) throw new Error(`no type ${name} in the supergraph`);
  return def;
}

const config = readSupergraphYaml();
const services = config.subgraphs.map((s) => ({ name: s.name, url: s.routingUrl, typeDefs: parse(readFileSync(join(ROOT, s.file), 'utf8')) }));

describe('supergraph.yaml', () => {
  it('lists this subgraph (schema/) and the directory, with their routing URLs', () => {
    expect(config.subgraphs).toEqual([
      { name: 'esim-pools', routingUrl: 'http://localhost:4000/graphql', file: './schema/schema.graphql' },
      { name: 'directory', routingUrl: 'http://localhost:4002/graphql', file: './examples/directory-subgraph/schema.graphql' },
    ]);
    // The routing URL is the server's default address and endpoint; the directory's port is not the emulator's.
    expect(new URL(config.subgraphs[0].routingUrl).port).toBe(String(DEFAULT_CONFIG.port));
    expect(new URL(config.subgraphs[1].routingUrl).port).not.toBe(String(DEFAULT_CONFIG.emulator.port));
    expect(new URL(config.subgraphs[1].routingUrl).port).not.toBe(String(DEFAULT_CONFIG.port));
  });

  it('pins federation_version to the @apollo/composition the tests compose with, at least the linked spec', () => {
    const installed = (JSON.parse(readFileSync(require.resolve('@apollo/composition/package.json'), 'utf8')) as { version: string }).version;
    expect(config.federationVersion).toBe(`=${installed}`);
    const [major, minor] = installed.split('.').map(Number);
    for (const s of config.subgraphs) {
      const [linkedMajor, linkedMinor] = linkedFederationVersion(readFileSync(join(ROOT, s.file), 'utf8'));
      expect(major * 1000 + minor).toBeGreaterThanOrEqual(linkedMajor * 1000 + linkedMinor);
    }
  });
});

describe('composeServices', () => {
  const result = composeServices(services);

  it('composes the subgraphs of supergraph.yaml without errors', () => {
    expect(result.errors?.map((e) => e.message)).toBeUndefined();
    expect(result.supergraphSdl).toContain('@join__graph(name: "esim-pools", url: "http://localhost:4000/graphql")');
    expect(result.supergraphSdl).toContain('@join__graph(name: "directory", url: "http://localhost:4002/graphql")');
    // What `npm run supergraph` writes (the file's hints: CACHE_MAX_AGE_S and GRAPH_AUTH_MODE unset).
    expect(composeSupergraph({ hints: { maxAgeS: 30, privateScope: false } }).supergraphSdl).toBe(result.supergraphSdl);
  });

  it('carries the cost, cache-hint and cache-tag directives routers read', () => {
    const sdl = result.supergraphSdl ?? '';
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])');
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/cacheTag/v0.1", for: EXECUTION)');
    expect(sdl).toMatch(/directive @cacheControl\(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean\)/);
    const supergraph = parse(sdl);
    const pool = objectType(supergraph, 'EmbeddedSIMActivationCodePool');
    expect(pool.directives?.map((d) => print(d))).toEqual([
      '@join__type(graph: ESIM_POOLS, key: "id")',
      '@join__directive(graphs: [ESIM_POOLS], name: "federation__cacheTag", args: {format: "pool-{$key.id}"})',
      '@cacheControl(maxAge: 30)',
      '@cost(weight: 0)',
    ]);
    const field = (type: string, name: string) => objectType(supergraph, type).fields?.find((f) => f.name.value === name);
    const directivesOf = (type: string, name: string) => (field(type, name)?.directives ?? []).map((d) => print(d)).filter((d) => !d.startsWith('@join__'));
    expect(directivesOf('Query', 'embeddedSIMActivationCodePools')).toEqual([
      '@cost(weight: 1)',
      '@listSize(slicingArguments: ["first"], sizedFields: ["edges"], assumedSize: 20, requireOneSlicingArgument: false)',
    ]);
    expect(print(field('Query', 'embeddedSIMActivationCodePools') ?? parse('{a}'))).toContain('@join__directive(graphs: [ESIM_POOLS], name: "federation__cacheTag", args: {format: "pools"})');
    expect(directivesOf('EmbeddedSIMActivationCodePool', 'assignments')).toEqual(['@cost(weight: 1)', '@listSize(assumedSize: 1)']);
    expect(directivesOf('EmbeddedSIMActivationCodePool', 'deviceStates')[1]).toContain('slicingArguments: ["first"], sizedFields: ["edges"]');
    expect(objectType(supergraph, 'EmbeddedSIMActivationCodePoolAssignment').directives?.map((d) => print(d))).toContain('@cacheControl(inheritMaxAge: true)');
  });

  it('carries the max age and scope the subgraph serves (CACHE_MAX_AGE_S, obo: PRIVATE)', () => {
    const sdl = composeSupergraph({ hints: { maxAgeS: 120, privateScope: true } }).supergraphSdl;
    const pool = objectType(parse(sdl), 'EmbeddedSIMActivationCodePool');
    expect(pool.directives?.map((d) => print(d))).toContain('@cacheControl(maxAge: 120, scope: PRIVATE)');
    expect(sdl).not.toContain('@cacheControl(maxAge: 30');
  });

  it('without @cacheTag for @apollo/gateway (npm run supergraph -- --no-cache-tags)', () => {
    const sdl = composeSupergraph({ cacheTags: false }).supergraphSdl;
    expect(sdl).not.toContain('cacheTag');
    expect(sdl).toContain('@cost(weight: 1)');
  });

  it('Group is resolved by the directory; this subgraph only references it (resolvable: false)', () => {
    const supergraph = parse(result.supergraphSdl ?? '');
    const group = objectType(supergraph, 'Group');
    expect(group.directives?.map((d) => print(d)).sort()).toEqual([
      '@join__type(graph: DIRECTORY, key: "id")',
      '@join__type(graph: ESIM_POOLS, key: "id", resolvable: false)',
    ]);
    expect(group.fields?.map((f) => [f.name.value, print(f.type), (f.directives ?? []).map((d) => print(d))])).toEqual([
      ['id', 'ID!', []],
      ['displayName', 'String', ['@join__field(graph: DIRECTORY)']],
    ]);
    for (const target of ['GroupAssignmentTarget', 'ExclusionGroupAssignmentTarget']) {
      const field = objectType(supergraph, target).fields?.find((f) => f.name.value === 'group');
      // Nullable: Graph's groupId is (a target without one has no group).
      expect(field && print(field.type)).toBe('Group');
    }
    expect(objectType(supergraph, 'EmbeddedSIMActivationCodePool').directives?.map((d) => print(d))).toContain('@join__type(graph: ESIM_POOLS, key: "id")');
  });

  it('fails — so the test above can — when a subgraph contradicts this one', () => {
    const clash = parse(`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.14", import: ["@key"])
      type EmbeddedSIMActivationCodePool @key(fields: "id") { id: ID! displayName: Int! }
    `);
    const failed = composeServices([...services, { name: 'clash', url: 'http://localhost:4002/graphql', typeDefs: clash }]);
    expect(failed.errors?.length).toBeGreaterThan(0);
    expect(failed.errors?.map((e) => e.message).join('\n')).toMatch(/displayName/);
  });
});

describe('the running subgraph', () => {
  let stack: Stack;
  let directory: DirectorySubgraph;
  beforeAll(async () => {
    stack = await startStack();
    directory = await startDirectorySubgraph();
  });
  afterAll(async () => {
    await stack?.stop();
    await directory?.stop();
  });

  it("composes from its live _service { sdl } to exactly the supergraph of schema/'s file (default hints)", async () => {
    const live = composeServices([
      { name: 'esim-pools', url: config.subgraphs[0].routingUrl, typeDefs: parse(await fetchSubgraphSdl(stack.url)) },
      { name: 'directory', url: config.subgraphs[1].routingUrl, typeDefs: parse(await fetchSubgraphSdl(directory.url)) },
    ]);
    expect(live.errors).toBeUndefined();
    expect(live.supergraphSdl).toBe(composeServices(services).supergraphSdl);
  });
});
