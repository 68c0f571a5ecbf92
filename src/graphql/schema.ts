import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { applyCacheHints, type CacheHintSettings } from './cache-hints';
import { resolvers } from './resolvers';

/** schema/ beside src/ or dist/, or one level further up under dist-tools/src/. */
const NEXT_TO_SOURCES = join(__dirname, '..', '..', 'schema', 'schema.graphql');
const SCHEMA_PATH = existsSync(NEXT_TO_SOURCES) ? NEXT_TO_SOURCES : join(__dirname, '..', '..', '..', 'schema', 'schema.graphql');

export function loadTypeDefs(path = SCHEMA_PATH): string {
  return readFileSync(path, 'utf8');
}

/** The subgraph's schema with the cache hints of this deployment (the file's own when `hints` is unset). */
export function buildSchema(hints?: CacheHintSettings): GraphQLSchema {
  const typeDefs = parse(loadTypeDefs());
  return buildSubgraphSchema([{ typeDefs: hints ? applyCacheHints(typeDefs, hints) : typeDefs, resolvers }]);
}
