// Types of scripts/schema-check.js, for the tests.
/** `type`: graphql-js' BreakingChangeType / DangerousChangeType, or ENTITY_KEY_REMOVED (federation). */
export type SchemaChange = { type: string; description: string };
export declare function compareSchemas(baseSdl: string, headSdl: string): { breaking: SchemaChange[]; dangerous: SchemaChange[] };
export declare function main(argv: string[], io?: { cwd?: string; out?: (line: string) => void; err?: (line: string) => void }): number;
