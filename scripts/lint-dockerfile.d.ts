// Types for scripts/lint-dockerfile.js (CommonJS, run by `npm run lint:dockerfile`), for the tests.

/** Lints a Dockerfile's text and its .dockerignore's text (null when there is none): one line per problem. */
export declare function lintDockerfile(content: string, dockerignore: string | null | undefined): string[];

/** The rules lintDockerfile applies, in report order. */
export declare const RULES: readonly string[];
