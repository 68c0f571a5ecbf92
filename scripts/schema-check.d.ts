// Types for scripts/schema-check.js (plain CommonJS, run by `npm run schema:check`), for the tests.

export interface SchemaChange {
  /** graphql-js' BreakingChangeType / DangerousChangeType, or ENTITY_KEY_REMOVED (federation). */
  type: string;
  description: string;
}

/** Compares two subgraph SDLs (base, then the new one). Throws an Error when either is not a valid subgraph schema. */
export declare function compareSchemas(baseSdl: string, headSdl: string): { breaking: SchemaChange[]; dangerous: SchemaChange[] };

/** The CLI (`argv` without node and the script), run in `cwd`; returns 0 ok or no base, 1 breaking, 2 usage or schema error. */
export declare function main(
  argv: string[],
  io?: { cwd?: string; out?: (line: string) => void; err?: (line: string) => void },
): number;
