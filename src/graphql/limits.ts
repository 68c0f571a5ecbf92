/**
 * Limits on an operation's shape (graphql-armor; tokens by graphql-js's parser option `maxTokens`), its cost
 * (cost.ts, with its variables) and, in production, no field suggestions and no numbers in the messages.
 * docs/federation.md, "Operation limits", has the table.
 */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type ParseOptions, type ValidationRule } from 'graphql';
import type { OperationLimits } from '../auth/settings';
import { compileCost, CostError } from './cost';
import { perOperation } from './per-operation';
import { aliasAndTokenRules, entityFanOutPlugin, explainArmorLimit, limitMessage, representationCount } from './entity-limits';

export { DEFAULT_LIMITS, type OperationLimits } from '../auth/settings';

/** graphql-js's message when `maxTokens` stops the parser (it names the limit). */
const TOKEN_LIMIT_MESSAGE = /Document contains more tha[nt] \d+ tokens\. Parsing aborted\./;

/** In production: the token limit's message without the number. */
function hideTokenLimit(): ApolloServerPlugin {
  const listener: GraphQLRequestListener<Record<string, unknown>> = {
    async didEncounterErrors({ errors }) {
      for (const error of errors) {
        if (TOKEN_LIMIT_MESSAGE.test(error.message)) error.message = 'Syntax Error: The operation is too long.';
      }
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}

/** The size Apollo Router assumes for a list without `@listSize` (router.yaml `static_estimated.list_size`). */
export const DEFAULT_LIST_SIZE = 100;

/** Refuses, before any resolver runs, an operation costing over MAX_COST; `_entities` priced by its representations. */
export function costLimitPlugin(maxCost: number, exposeLimits: boolean): ApolloServerPlugin {
  const planOf = perOperation((schema, document, operationName) =>
    compileCost(schema, document, {
      operationName,
      defaultListSize: DEFAULT_LIST_SIZE,
      knownListSize: (field, variables) =>
        field.name.value === '_entities' ? representationCount(field.arguments?.find((a) => a.name.value === 'representations')?.value, variables) : undefined,
    }),
  );
  const listener: GraphQLRequestListener<Record<string, unknown>> = {
    async didResolveOperation({ schema, document, operationName, request }) {
      let cost: number;
      try {
        cost = planOf(schema, document, operationName)(request.variables ?? {});
      } catch (error) {
        if (!(error instanceof CostError)) throw error;
        throw new GraphQLError(error.message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } });
      }
      if (cost > maxCost) {
        const message = exposeLimits ? limitMessage('The operation costs', Math.ceil(cost), maxCost, 'MAX_COST') : 'The operation is too expensive.';
        throw new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } });
      }
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}

/** `trustedRouter`: ROUTER_SECRET is set, so every request Apollo sees carried it (see entity-limits.ts). */
export function operationLimits(
  limits: OperationLimits,
  production: boolean,
  trustedRouter = false,
): { plugins: ApolloServerPlugin[]; validationRules: ValidationRule[]; parseOptions: ParseOptions } {
  const exposeLimits = !production;
  const { plugins, validationRules } = new ApolloArmor({
    maxDepth: {
      n: limits.maxDepth,
      flattenFragments: true,
      ignoreIntrospection: true,
      exposeLimits,
      errorMessage: 'The operation is nested too deeply.',
      onReject: [explainArmorLimit('The operation is nested levels deep:', 'MAX_DEPTH')],
    },
    // Per operation kind (client or router), in aliasAndTokenRules.
    maxAliases: { enabled: false },
    maxTokens: { enabled: false },
    // costLimitPlugin prices operations from the schema's @cost/@listSize (armor's weights are fixed).
    costLimit: { enabled: false },
    maxDirectives: {
      n: limits.maxDirectives,
      exposeLimits,
      errorMessage: 'The operation has too many directives.',
      onReject: [explainArmorLimit('The operation has directives:', 'MAX_DIRECTIVES')],
    },
    // Apollo's hideSchemaDetailsFromClientErrors already does this in production; armor's mask is a second layer.
    blockFieldSuggestion: { enabled: production, mask: '' },
  }).protect();
  return {
    plugins: [...plugins, entityFanOutPlugin(limits), costLimitPlugin(limits.maxCost, exposeLimits), ...(production ? [hideTokenLimit()] : [])],
    validationRules: [...validationRules, ...aliasAndTokenRules({ limits, trustedRouter, exposeLimits })],
    // The parser's bound is the larger one; aliasAndTokenRules holds client operations to MAX_TOKENS.
    parseOptions: { maxTokens: trustedRouter ? Math.max(limits.maxTokens, limits.routerMaxTokens) : limits.maxTokens },
  };
}
