// Types for scripts/lint-dockerfile.js (plain CommonJS, run by `npm run lint:dockerfile`), for the unit tests.

/**
 * Lints a Dockerfile's text and its .dockerignore's text (null or undefined when there is no .dockerignore).
 * Returns one message per problem, each naming the file, line and rule; an empty array when every rule passes.
 */
export declare function lintDockerfile(content: string, dockerignore: string | null | undefined): string[];

/** Splits `[registry/]name[:tag][@digest]` (the name lower-cased; a digest only when it is a sha256). */
export declare function parseImageReference(image: string): { name: string; tag: string | null; digest: string | null };

/** The rules lintDockerfile applies, in report order. */
export declare const RULES: readonly string[];
