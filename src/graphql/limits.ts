/**
 * Limits on an operation's shape (graphql-armor; tokens by graphql-js's parser option `maxTokens`), its
 * representations (MAX_ENTITIES) and its cost (cost.ts), router-scale for router operations when ROUTER_SECRET is
 * set; in production no field suggestions and no numbers in the messages (docs/federation.md, "Operation limits").
 */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import {
  GraphQLError,
  Kind,
  Lexer,
  OperationTypeNode,
  Source,
  TokenKind,
  print,
  type DocumentNode,
  type FieldNode,
  type ParseOptions,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { OperationLimits } from '../auth/settings';
import { compileCost } from './cost';
import { fragmentsOf, operationsOf, perOperation, representationsOf } from './selection';

export { DEFAULT_LIMITS } from '../auth/settings';

export const TOO_MANY_ENTITIES = 'TOO_MANY_ENTITIES';

/** graphql-armor's message when it shows the limit: `Syntax Error: <Rule> limit of <n> exceeded, found <m>.` */
const ARMOR_LIMIT = /^Syntax Error: .*limit of (\d+) exceeded, found (\d+)\.$/;

/** graphql-js's message when `maxTokens` stops the parser (it names the limit). */
const TOKEN_LIMIT_MESSAGE = /Document contains more tha[nt] \d+ tokens\. Parsing aborted\./;

/** The size Apollo Router assumes for a list without `@listSize` (router.yaml `static_estimated.list_size`). */
const DEFAULT_LIST_SIZE = 100;

const ROUTER_ROOT_FIELDS = new Set(['_entities', '_service', '__typename']);

/** What was exceeded, by how much, and the variable that sets the limit (`what` is e.g. "The operation costs"). */
function limitMessage(what: string, found: number, limit: number, variable: string): string {
  return `${what} ${found}, ${found - limit} over the limit of ${limit} (${variable}).`;
}

/** A graphql-armor onReject handler: no "Syntax Error:" prefix; with limits shown, what, how much, which variable. */
function explainArmorLimit(what: string, variable: string): (context: ValidationContext | null, error: GraphQLError) => void {
  return (_context, error) => {
    const shown = ARMOR_LIMIT.exec(error.message);
    error.message = shown ? limitMessage(what, Number(shown[2]), Number(shown[1]), variable) : error.message.replace(/^Syntax Error: /, '');
  };
}

/** The root fields of `operationName` (unset: of every operation), through inline fragments and spreads (each once). */
function operationRootFields(document: DocumentNode, operationName?: string | null): FieldNode[] {
  const fragments = fragmentsOf(document);
  const fieldsOf = (set: SelectionSetNode, seen: Set<string>): FieldNode[] =>
    set.selections.flatMap((selection) => {
      if (selection.kind === Kind.FIELD) return [selection];
      if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsOf(selection.selectionSet, seen);
      const fragment = fragments.get(selection.name.value);
      if (seen.has(selection.name.value) || !fragment) return [];
      seen.add(selection.name.value);
      return fieldsOf(fragment.selectionSet, seen);
    });
  return operationsOf(document, operationName).flatMap((operation) => fieldsOf(operation.selectionSet, new Set()));
}

/** Whether every operation of the document is a query of router fields only (what a gateway writes). */
function isRouterOperation(document: DocumentNode): boolean {
  const operations = operationsOf(document);
  return (
    operations.every((op) => op.operation === OperationTypeNode.QUERY) &&
    operations.length > 0 &&
    operationRootFields(document).every((f) => ROUTER_ROOT_FIELDS.has(f.name.value))
  );
}

/** Tokens as graphql-js's parser counts them for `maxTokens` (comments and the end excluded), up to `stopAfter + 1`. */
export function countTokens(body: string, stopAfter: number): number {
  const lexer = new Lexer(new Source(body));
  let count = 0;
  while (count <= stopAfter && lexer.advance().kind !== TokenKind.EOF) count++;
  return count;
}

/**
 * The alias limit (graphql-armor's rule) with the router-scale bound for router operations when the router is
 * trusted, and — when the parser ran with the router-scale token bound — the client token bound for the rest.
 */
function aliasAndTokenRules(limits: OperationLimits, trustedRouter: boolean, exposeLimits: boolean): ValidationRule[] {
  // As ApolloArmor wires its rules: reported to the validation context (a 400), not thrown (a 500).
  const common = (variable: string) => ({
    exposeLimits,
    errorMessage: 'The operation has too many aliases.',
    propagateOnRejection: false,
    onReject: [
      explainArmorLimit('The operation has aliases:', variable),
      (context: ValidationContext | null, error: GraphQLError) => context?.reportError(new GraphQLError(error.message)),
    ],
  });
  const clientAliases = maxAliasesRule({ ...common('MAX_ALIASES'), n: limits.maxAliases });
  if (!trustedRouter) return [clientAliases];
  const routerAliases = maxAliasesRule({ ...common('ROUTER_MAX_ALIASES'), n: limits.routerMaxAliases });
  const routerOrClient: ValidationRule = (context) => {
    const document = context.getDocument();
    if (isRouterOperation(document)) return routerAliases(context);
    if (countTokens(document.loc?.source.body ?? print(document), limits.maxTokens) > limits.maxTokens) {
      const message = exposeLimits ? `Document contains more than ${limits.maxTokens} tokens.` : 'The operation is too long.';
      context.reportError(new GraphQLError(message));
    }
    return clientAliases(context);
  };
  return [routerOrClient];
}

function refused(message: string, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, http: { status: 400 } } });
}

/**
 * Refuses, before any resolver or loader runs, an operation asking for more representations than MAX_ENTITIES, then
 * one costing over MAX_COST (`_entities` priced by its representations); both worked out once per document.
 */
export function requestLimitsPlugin(limits: Pick<OperationLimits, 'maxCost' | 'maxEntities'>, production: boolean): ApolloServerPlugin {
  const planOf = perOperation((schema, document, operationName) => ({
    entities: operationRootFields(document, operationName).filter((f) => f.name.value === '_entities'),
    cost: compileCost(schema, document, {
      operationName,
      defaultListSize: DEFAULT_LIST_SIZE,
      knownListSize: (field, variables) => (field.name.value === '_entities' ? representationsOf(field, variables).length : undefined),
    }),
  }));
  const listener: GraphQLRequestListener<Record<string, unknown>> = {
    async didResolveOperation({ schema, document, operationName, request }) {
      const plan = planOf(schema, document, operationName);
      const variables = request.variables ?? {};
      const entities = plan.entities.reduce((n, field) => n + representationsOf(field, variables).length, 0);
      if (entities > limits.maxEntities) {
        const message = `The operation asks for ${entities} entities; at most ${limits.maxEntities} are served per operation.`;
        throw refused(message, { code: TOO_MANY_ENTITIES, limit: limits.maxEntities, found: entities });
      }
      // A CostError is the client's: a 400.
      const cost = plan.cost(variables);
      if (cost > limits.maxCost) {
        const shown = limitMessage('The operation costs', Math.ceil(cost), limits.maxCost, 'MAX_COST');
        throw refused(production ? 'The operation is too expensive.' : shown, { code: 'GRAPHQL_VALIDATION_FAILED' });
      }
    },
    async didEncounterErrors({ errors }) {
      // In production: the token limit's message without the number.
      for (const error of errors) {
        if (production && TOKEN_LIMIT_MESSAGE.test(error.message)) error.message = 'Syntax Error: The operation is too long.';
      }
    },
  };
  return { requestDidStart: async () => listener };
}

/** `trustedRouter`: ROUTER_SECRET is set, so every request Apollo sees carried it (the gate checked it). */
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
    // requestLimitsPlugin prices operations from the schema's @cost/@listSize (armor's weights are fixed).
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
    plugins: [...plugins, requestLimitsPlugin(limits, production)],
    validationRules: [...validationRules, ...aliasAndTokenRules(limits, trustedRouter, exposeLimits)],
    // The parser's bound is the larger one; aliasAndTokenRules holds client operations to MAX_TOKENS.
    parseOptions: { maxTokens: trustedRouter ? Math.max(limits.maxTokens, limits.routerMaxTokens) : limits.maxTokens },
  };
}
