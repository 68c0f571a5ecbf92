// Types of scripts/lint-dockerfile.js, for the tests.
export declare function lintDockerfile(content: string, dockerignore: string | null | undefined): string[];
export declare const RULES: readonly string[];
