/** `npm run supergraph`: composes supergraph.yaml's subgraphs into supergraph.graphql with @apollo/composition, offline;
 * `--no-cache-tags` leaves out `@cacheTag` (which @apollo/gateway refuses). Exits 1 naming every error. */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { Kind, parse, visit, type DocumentNode } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../src/config';
import { applyCacheHints, type CacheHintSettings } from '../src/graphql/cache-hints';

/** This subgraph's name in supergraph.yaml. */
export const SUBGRAPH_NAME = 'esim-pools';

export interface SupergraphSubgraph {
  name: string;
  routingUrl: string;
  /** The schema file, relative to supergraph.yaml. */
  file: string;
}

export interface SupergraphConfig {
  federationVersion: string;
  subgraphs: SupergraphSubgraph[];
}

/** Reads rover's supergraph.yaml (file schemas only: what this repository's composition needs). */
export function readSupergraphConfig(path: string): SupergraphConfig {
  const raw = parseYaml(readFileSync(path, 'utf8')) as {
    federation_version?: unknown;
    subgraphs?: Record<string, { routing_url?: unknown; schema?: { file?: unknown } }>;
  };
  const subgraphs = Object.entries(raw.subgraphs ?? {}).map(([name, s]) => {
    if (typeof s.routing_url !== 'string' || typeof s.schema?.file !== 'string') {
      throw new Error(`${path}: subgraph ${name} needs routing_url and schema.file`);
    }
    return { name, routingUrl: s.routing_url, file: s.schema.file };
  });
  return { federationVersion: typeof raw.federation_version === 'string' || typeof raw.federation_version === 'number' ? String(raw.federation_version) : '', subgraphs };
}

export interface ComposeOptions {
  /** supergraph.yaml (default: the repository's). */
  configPath?: string;
  /** The cache hints of this subgraph's SDL (default: the file's own). */
  hints?: CacheHintSettings;
  /** Routing URLs to use instead of supergraph.yaml's, by subgraph name. */
  routingUrls?: Readonly<Record<string, string>>;
  /** false: without `@cacheTag`, for @apollo/gateway (default true). */
  cacheTags?: boolean;
}

/** `typeDefs` without `@cacheTag` (applications and import), for gateways that cannot run its spec. */
export function withoutCacheTags(typeDefs: DocumentNode): DocumentNode {
  return visit(typeDefs, {
    Directive(node) {
      return node.name.value === 'cacheTag' ? null : undefined;
    },
    ListValue(node) {
      const values = node.values.filter((v) => !(v.kind === Kind.STRING && v.value === '@cacheTag'));
      return values.length === node.values.length ? undefined : { ...node, values };
    },
  });
}

export interface Composed {
  supergraphSdl: string;
  /** Each subgraph's SDL as composed (this one with its hints applied). */
  subgraphs: Array<{ name: string; url: string; typeDefs: DocumentNode }>;
}

/** Composes supergraph.yaml's subgraphs; throws an Error listing the composition errors. */
export function composeSupergraph(options: ComposeOptions = {}): Composed {
  const configPath = options.configPath ?? join(repositoryRoot(), 'supergraph.yaml');
  const root = dirname(configPath);
  const config = readSupergraphConfig(configPath);
  const subgraphs = config.subgraphs.map((s) => {
    let typeDefs = parse(readFileSync(join(root, s.file), 'utf8'));
    if (s.name === SUBGRAPH_NAME && options.hints) typeDefs = applyCacheHints(typeDefs, options.hints);
    if (options.cacheTags === false) typeDefs = withoutCacheTags(typeDefs);
    return { name: s.name, url: options.routingUrls?.[s.name] ?? s.routingUrl, typeDefs };
  });
  const result = composeServices(subgraphs);
  if (result.errors) throw new Error(`composition failed:\n${result.errors.map((e) => `  ${e.message}`).join('\n')}`);
  return { supergraphSdl: result.supergraphSdl, subgraphs };
}

function repositoryRoot(): string {
  // scripts/ (ts-jest) or dist-tools/scripts/ (npm run supergraph).
  const up = resolve(__dirname, '..');
  return up.endsWith('dist-tools') ? resolve(up, '..') : up;
}

if (require.main === module) {
  try {
    const { federation } = loadConfig(process.env);
    const root = repositoryRoot();
    const { supergraphSdl } = composeSupergraph({
      configPath: join(root, 'supergraph.yaml'),
      hints: { maxAgeS: federation.cacheMaxAgeS, privateScope: federation.privateScope },
      cacheTags: !process.argv.includes('--no-cache-tags'),
    });
    const out = join(root, 'supergraph.graphql');
    writeFileSync(out, supergraphSdl);
    console.log(`supergraph.graphql written (${supergraphSdl.length} characters) from supergraph.yaml`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
