/**
 * Composition with @apollo/composition's composeServices: the subgraph files supergraph.yaml lists compose without
 * errors into the supergraph the router runs, the running subgraph's `_service { sdl }` composes to the very same
 * supergraph, and supergraph.yaml stays in step with package.json and the server's defaults.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { Kind, parse, print, type DocumentNode, type ObjectTypeDefinitionNode } from 'graphql';
import { loadConfig } from '../../src/config';
import { startDirectorySubgraph, type DirectorySubgraph } from '../support/directory-subgraph';
import { fetchSubgraphSdl } from '../support/federation';
import { startStack, type Stack } from '../support/stack';

const ROOT = resolve(__dirname, '..', '..');

interface SupergraphConfig {
  federationVersion: string;
  subgraphs: Array<{ name: string; routingUrl: string; file: string }>;
}

/**
 * Reads supergraph.yaml. Only the subset of YAML rover's format needs here (nested `key: value` maps, comments) —
 * anything else fails the test, so the file stays this simple.
 */
function readSupergraphYaml(): SupergraphConfig {
  const lines = readFileSync(join(ROOT, 'supergraph.yaml'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/\s+#.*$|^\s*#.*$/, ''))
    .filter((line) => line.trim().length > 0);
  let federationVersion = '';
  const subgraphs: SupergraphConfig['subgraphs'] = [];
  let current: { name: string; routingUrl: string; file: string } | undefined;
  for (const line of lines) {
    const m = /^( *)([A-Za-z0-9_-]+):(?: (.*))?$/.exec(line);
    if (!m) throw new Error(`supergraph.yaml: unexpected line ${JSON.stringify(line)}`);
    const [, indent, key, value] = m;
    if (indent === '' && key === 'federation_version') federationVersion = value ?? '';
    else if (indent === '' && key === 'subgraphs' && value === undefined) continue;
    else if (indent === '  ' && value === undefined) subgraphs.push((current = { name: key, routingUrl: '', file: '' }));
    else if (indent === '    ' && key === 'routing_url' && current) current.routingUrl = value ?? '';
    else if (indent === '    ' && key === 'schema' && value === undefined) continue;
    else if (indent === '      ' && key === 'file' && current) current.file = value ?? '';
    else throw new Error(`supergraph.yaml: unexpected line ${JSON.stringify(line)}`);
  }
  return { federationVersion, subgraphs };
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
      { name: 'directory', routingUrl: 'http://localhost:4001/graphql', file: './test/support/directory.graphql' },
    ]);
    // The routing URL is the server's default address and endpoint.
    expect(new URL(config.subgraphs[0].routingUrl).port).toBe(String(loadConfig({}).port));
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
    expect(result.supergraphSdl).toContain('@join__graph(name: "directory", url: "http://localhost:4001/graphql")');
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
      ['displayName', 'String!', ['@join__field(graph: DIRECTORY)']],
    ]);
    for (const target of ['GroupAssignmentTarget', 'ExclusionGroupAssignmentTarget']) {
      const field = objectType(supergraph, target).fields?.find((f) => f.name.value === 'group');
      // Nullable: Graph's groupId is (a target without one has no group).
      expect(field && print(field.type)).toBe('Group');
    }
    expect(objectType(supergraph, 'EmbeddedSIMActivationCodePool').directives?.map((d) => print(d))).toEqual([
      '@join__type(graph: ESIM_POOLS, key: "id")',
    ]);
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

  it("composes from its live _service { sdl } to exactly the supergraph of schema/'s file", async () => {
    const live = composeServices([
      { name: 'esim-pools', url: config.subgraphs[0].routingUrl, typeDefs: parse(await fetchSubgraphSdl(stack.url)) },
      { name: 'directory', url: config.subgraphs[1].routingUrl, typeDefs: parse(await fetchSubgraphSdl(directory.url)) },
    ]);
    expect(live.errors).toBeUndefined();
    expect(live.supergraphSdl).toBe(composeServices(services).supergraphSdl);
  });
});
