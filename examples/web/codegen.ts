/**
 * graphql-codegen's client preset: typed documents for every `graphql(...)` call in src/, generated from the
 * subgraph's own schema (the repository's schema/schema.graphql, its single source of truth). `npm run codegen`
 * writes src/gql/ (committed, never edited by hand); `npm run codegen:check` fails when it is stale.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  overwrite: true,
  schema: '../../schema/schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: {
        // Components read the fields their fragments select directly; Apollo Client's own data masking is off too.
        fragmentMasking: false,
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string' },
        defaultScalarType: 'unknown',
      },
    },
    // Which concrete types implement the target interface, for Apollo Client's cache (fragments on interfaces).
    'src/gql/possible-types.ts': {
      plugins: ['fragment-matcher'],
      config: { apolloClientVersion: 3, useExplicitTyping: true },
    },
  },
};

export default config;
