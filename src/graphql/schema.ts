import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import { parse } from 'graphql';
import { resolvers } from './resolvers';

/**
 * schema/ is found next to src/ or dist/ (the image copies schema/ beside dist/), or one level further up when the
 * sources are compiled into dist-tools/src/ with the bench's tools.
 */
const NEXT_TO_SOURCES = join(__dirname, '..', '..', 'schema', 'schema.graphql');
export const SCHEMA_PATH = existsSync(NEXT_TO_SOURCES) ? NEXT_TO_SOURCES : join(__dirname, '..', '..', '..', 'schema', 'schema.graphql');

export function loadTypeDefs(path = SCHEMA_PATH): string {
  return readFileSync(path, 'utf8');
}

export function buildSchema(): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs: parse(loadTypeDefs()), resolvers }]);
}
