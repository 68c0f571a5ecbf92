/** The defaults other modules fall back to, from the schema (src/config/env.ts); import them from src/config. */
export { FEDERATION_DEFAULTS, GRAPH_DEFAULTS, SERVER_DEFAULTS } from './env';
