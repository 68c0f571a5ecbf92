/** The operation limits' defaults (docs/identity.md has what typical operations cost; the deepest served has depth 7). */
const LIMITS = {
  /** Deepest field nesting (inline fragments and spreads don't count as levels). */
  maxDepth: 10,
  /** Aliased fields (`__typename` aliases excepted). */
  maxAliases: 15,
  /** Lexical tokens of the document. */
  maxTokens: 1000,
  /** Apollo demand-control cost, weighted by Graph requests: at most Intune's per-tenant budget of one 20 s window. */
  maxCost: 1000,
  /** Directives in the document. */
  maxDirectives: 20,
  /** Representations per operation, summed over its (aliased) `_entities` fields: 25 $batch requests of 20 at most. */
  maxEntities: 500,
  /** Aliases and tokens of an operation of `_entities`/`_service` only, when ROUTER_SECRET is set: merged entity fetches. */
  routerMaxAliases: 500,
  routerMaxTokens: 50_000,
};

export type OperationLimits = typeof LIMITS;
export const DEFAULT_LIMITS: Readonly<OperationLimits> = LIMITS;
