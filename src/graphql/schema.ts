import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import { parse } from 'graphql';
import { resolvers } from './resolvers';

/** schema/ is found next to src/ or dist/ (the image copies schema/ beside dist/). */
export const SCHEMA_PATH = join(__dirname, '..', '..', 'schema', 'schema.graphql');

export function loadTypeDefs(path = SCHEMA_PATH): string {
  return readFileSync(path, 'utf8');
}

export function buildSchema(): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs: parse(loadTypeDefs()), resolvers }]);
}
