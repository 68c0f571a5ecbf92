/** `npm run supergraph`: composes supergraph.yaml's subgraphs into supergraph.graphql with @apollo/composition, offline;
 * `--no-cache-tags` leaves out `@cacheTag` (which @apollo/gateway refuses). Exits 1 naming every error. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { Kind, parse, visit, type DocumentNode } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '../src/config';
import { applyCacheHints, type CacheHintSettings } from '../src/graphql/cache-hints';

/** The repository: this file runs from scripts/ (ts-jest) or dist-tools/scripts/ (npm run supergraph). */
const ROOT = resolve(__dirname, __dirname.endsWith(join('dist-tools', 'scripts')) ? '../..' : '..');
/** This subgraph's name in supergraph.yaml. */
const SUBGRAPH_NAME = 'esim-pools';

/** rover's supergraph.yaml, file schemas only (what this repository's composition needs); `file` is relative to it. */
const SupergraphYaml = z
  .object({
    federation_version: z.union([z.string(), z.number()]).transform(String).optional(),
    subgraphs: z.record(z.object({ routing_url: z.string(), schema: z.object({ file: z.string() }) })).default({}),
  })
  .transform((raw) => ({
    federationVersion: raw.federation_version ?? '',
    subgraphs: Object.entries(raw.subgraphs).map(([name, s]) => ({ name, routingUrl: s.routing_url, file: s.schema.file })),
  }));
export type SupergraphConfig = z.output<typeof SupergraphYaml>;

export function readSupergraphConfig(path: string): SupergraphConfig {
  const parsed = SupergraphYaml.safeParse(parseYaml(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: every subgraph needs routing_url and schema.file (${parsed.error.message})`);
  return parsed.data;
}

/** `typeDefs` without `@cacheTag` (applications and import), for gateways that cannot run its spec. */
export function withoutCacheTags(typeDefs: DocumentNode): DocumentNode {
  return visit(typeDefs, {
    Directive: (node) => (node.name.value === 'cacheTag' ? null : undefined),
    ListValue(node) {
      const values = node.values.filter((v) => !(v.kind === Kind.STRING && v.value === '@cacheTag'));
      return values.length === node.values.length ? undefined : { ...node, values };
    },
  });
}

/** Composes supergraph.yaml's subgraphs, this one with `hints` (default: its SDL's own) and, unless `cacheTags: false`,
 * with `@cacheTag`; throws an Error listing the composition errors. */
export function composeSupergraph(options: { hints?: CacheHintSettings; cacheTags?: boolean } = {}) {
  const subgraphs = readSupergraphConfig(join(ROOT, 'supergraph.yaml')).subgraphs.map((s) => {
    let typeDefs = parse(readFileSync(join(ROOT, s.file), 'utf8'));
    if (s.name === SUBGRAPH_NAME && options.hints) typeDefs = applyCacheHints(typeDefs, options.hints);
    if (options.cacheTags === false) typeDefs = withoutCacheTags(typeDefs);
    return { name: s.name, url: s.routingUrl, typeDefs };
  });
  const result = composeServices(subgraphs);
  if (result.errors) throw new Error(`composition failed:\n${result.errors.map((e) => `  ${e.message}`).join('\n')}`);
  return { supergraphSdl: result.supergraphSdl, subgraphs };
}

if (require.main === module) {
  try {
    const { federation } = loadConfig(process.env);
    const hints = { maxAgeS: federation.cacheMaxAgeS, privateScope: federation.privateScope };
    const { supergraphSdl } = composeSupergraph({ hints, cacheTags: !process.argv.includes('--no-cache-tags') });
    writeFileSync(join(ROOT, 'supergraph.graphql'), supergraphSdl);
    console.log(`supergraph.graphql written (${supergraphSdl.length} characters) from supergraph.yaml`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
