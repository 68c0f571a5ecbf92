import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { applyCacheHints, type CacheHintSettings } from './cache-hints';
import { resolvers } from './resolvers';

/** schema/ beside src/ or dist/, or one level further up under dist-tools/src/. */
const NEXT_TO_SOURCES = join(__dirname, '..', '..', 'schema');
export const SCHEMA_DIR = existsSync(NEXT_TO_SOURCES) ? NEXT_TO_SOURCES : join(__dirname, '..', '..', '..', 'schema');

export function loadTypeDefs(path = join(SCHEMA_DIR, 'schema.graphql')): string {
  return readFileSync(path, 'utf8');
}

/** The subgraph's schema with the cache hints of this deployment (the file's own when `hints` is unset). */
export function buildSchema(hints?: CacheHintSettings): GraphQLSchema {
  const typeDefs = parse(loadTypeDefs());
  return buildSubgraphSchema([{ typeDefs: hints ? applyCacheHints(typeDefs, hints) : typeDefs, resolvers }]);
}
