/**
 * The limits that depend on who wrote the operation and on its variables (docs/federation.md, "Operation limits"):
 * router-scale aliases and tokens for router operations when ROUTER_SECRET is set; MAX_ENTITIES representations.
 */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import {
  BREAK,
  GraphQLError,
  Kind,
  Lexer,
  OperationTypeNode,
  Source,
  TokenKind,
  print,
  visit,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import type { OperationLimits } from '../auth/settings';

export const TOO_MANY_ENTITIES = 'TOO_MANY_ENTITIES';

/** graphql-armor's message when it shows the limit: `Syntax Error: <Rule> limit of <n> exceeded, found <m>.` */
const ARMOR_LIMIT = /^Syntax Error: .*limit of (\d+) exceeded, found (\d+)\.$/;

/** What was exceeded, by how much, and the variable that sets the limit (`what` is e.g. "The operation costs"). */
export function limitMessage(what: string, found: number, limit: number, variable: string): string {
  return `${what} ${found}, ${found - limit} over the limit of ${limit} (${variable}).`;
}

/**
 * A graphql-armor onReject handler that drops armor's misleading "Syntax Error:" prefix and, with limits shown,
 * says what was exceeded, by how much, and which variable sets the limit.
 */
export function explainArmorLimit(what: string, variable: string): (context: ValidationContext | null, error: GraphQLError) => void {
  return (_context, error) => {
    const shown = ARMOR_LIMIT.exec(error.message);
    error.message = shown ? limitMessage(what, Number(shown[2]), Number(shown[1]), variable) : error.message.replace(/^Syntax Error: /, '');
  };
}
const ROUTER_ROOT_FIELDS = new Set(['_entities', '_service', '__typename']);

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

function fragmentsOf(document: DocumentNode): Fragments {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** The root fields of a selection set, through inline fragments and spreads (a spread is visited once). */
function rootFields(set: SelectionSetNode, fragments: Fragments, seen = new Set<string>()): Array<{ name: string; node: FieldNode }> {
  const fields: Array<{ name: string; node: FieldNode }> = [];
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) fields.push({ name: selection.name.value, node: selection });
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...rootFields(selection.selectionSet, fragments, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) fields.push(...rootFields(fragment.selectionSet, fragments, seen));
    }
  }
  return fields;
}

/** Whether every operation of the document is a query of router fields only (what a gateway writes). */
export function isRouterOperation(document: DocumentNode): boolean {
  const fragments = fragmentsOf(document);
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  return (
    operations.length > 0 &&
    operations.every((op) => op.operation === OperationTypeNode.QUERY && rootFields(op.selectionSet, fragments).every((f) => ROUTER_ROOT_FIELDS.has(f.name)))
  );
}

/** Tokens as graphql-js's parser counts them for `maxTokens` (comments and the end excluded). */
export function countTokens(body: string, stopAfter: number): number {
  const lexer = new Lexer(new Source(body));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) {
    if (++count > stopAfter) break;
  }
  return count;
}

export interface TrustedLimitOptions {
  limits: OperationLimits;
  /** ROUTER_SECRET is set: every request carried it (the gate checked it before Apollo). */
  trustedRouter: boolean;
  exposeLimits: boolean;
}

/**
 * The alias limit (graphql-armor's rule) with the router-scale bound for router operations when the router is
 * trusted, and — when the parser ran with the router-scale token bound — the client token bound for the rest.
 */
export function aliasAndTokenRules({ limits, trustedRouter, exposeLimits }: TrustedLimitOptions): ValidationRule[] {
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
  const aliases: ValidationRule = (context) => (isRouterOperation(context.getDocument()) ? routerAliases(context) : clientAliases(context));
  const tokens: ValidationRule = (context: ValidationContext): ASTVisitor => {
    const document = context.getDocument();
    if (isRouterOperation(document)) return {};
    const body = document.loc?.source.body ?? print(document);
    const found = countTokens(body, limits.maxTokens);
    if (found > limits.maxTokens) {
      const message = exposeLimits ? `Document contains more than ${limits.maxTokens} tokens.` : 'The operation is too long.';
      context.reportError(new GraphQLError(message));
    }
    return {};
  };
  return [aliases, tokens];
}

/** The number of representations a `representations` argument holds (a variable is looked up). */
export function representationCount(value: ValueNode | undefined, variables: Readonly<Record<string, unknown>>): number {
  if (value === undefined) return 0;
  if (value.kind === Kind.LIST) return value.values.length;
  if (value.kind === Kind.VARIABLE) {
    const bound = variables[value.name.value];
    if (Array.isArray(bound)) return bound.length;
    // A single object is coerced to a list of one.
    return bound === undefined || bound === null ? 0 : 1;
  }
  return value.kind === Kind.NULL ? 0 : 1;
}

export interface EntityLoad {
  representations: number;
}

/** The representations of an operation's `_entities` fields. */
export function entityLoad(document: DocumentNode, operationName: string | undefined | null, variables: Readonly<Record<string, unknown>>): EntityLoad {
  const fragments = fragmentsOf(document);
  const load: EntityLoad = { representations: 0 };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operationName && definition.name?.value !== operationName) continue;
    for (const field of rootFields(definition.selectionSet, fragments)) {
      if (field.name !== '_entities') continue;
      const n = representationCount(field.node.arguments?.find((a) => a.name.value === 'representations')?.value, variables);
      load.representations += n;
    }
  }
  return load;
}

function refused(message: string, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, http: { status: 400 } } });
}

/** Whether a document has an `_entities` field anywhere (once per document: Apollo hands the cached one back). */
const hasEntities = new WeakMap<DocumentNode, boolean>();
function mentionsEntities(document: DocumentNode): boolean {
  let found = hasEntities.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      Field(node) {
        if (node.name.value !== '_entities') return undefined;
        found = true;
        return BREAK;
      },
    });
    hasEntities.set(document, found);
  }
  return found;
}

/** Refuses, before any resolver or loader runs, an operation asking for more entities than MAX_ENTITIES allows. */
export function entityFanOutPlugin(limits: Pick<OperationLimits, 'maxEntities'>): ApolloServerPlugin {
  const listener: GraphQLRequestListener<Record<string, unknown>> = {
    async didResolveOperation({ document, operationName, request }) {
      // Most operations have no _entities: nothing to count, and no walk of the document per request.
      if (!mentionsEntities(document)) return;
      const load = entityLoad(document, operationName, request.variables ?? {});
      if (load.representations > limits.maxEntities) {
        throw refused(`The operation asks for ${load.representations} entities; at most ${limits.maxEntities} are served per operation.`, {
          code: TOO_MANY_ENTITIES,
          limit: limits.maxEntities,
          found: load.representations,
        });
      }
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}
