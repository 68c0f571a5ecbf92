// ESLint (flat config): typescript-eslint's recommended-type-checked for TypeScript, recommended for the plain
// JavaScript scripts. `npm run lint`; `.ci/run` runs it. Scope: src/, test/, scripts/ and the
// emulator package.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const files = ['src/**/*.{ts,tsx}', 'test/**/*.ts', 'scripts/**/*.{ts,js,mjs}', 'packages/graph-emulator/{src,test}/**/*.ts', 'eslint.config.mjs'];

export default defineConfig(
  { ignores: ['**/node_modules/**', 'dist/**', 'dist-tools/**', 'src/generated/**', '**/*.d.ts', 'packages/*/dist/**'] },
  {
    files,
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `==` coerces ("0" == 0): say which one is meant; `x == null` stays, the idiom for "null or undefined".
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // Type-only imports stay type-only, so isolatedModules builds (ts-jest, esbuild) erase them without guessing.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // A switch over a union (GraphQL enums, error kinds) must handle a member added later, or say `default`.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // `return await` inside try, so its catch and finally see the rejection; nowhere else.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // `async` on a method that fulfils a Promise-returning contract (Apollo plugin hooks, TokenCredential, the API's
      // fakes) keeps a throw a rejection, as callers expect; without an `await` it is still right, so the rule is off.
      '@typescript-eslint/require-await': 'off',
      // `reject(x)` is judged as `throw x` is (only-throw-error's defaults): passing on a caught error or an AbortSignal's
      // reason, whose types are unknown/any, is right.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // `_name` marks a parameter a signature needs but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // The plain JavaScript scripts run under Node without a build and have no types to check against.
    files: ['scripts/**/*.{js,mjs}', 'eslint.config.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', structuredClone: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['scripts/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
