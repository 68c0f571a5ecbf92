/**
 * An operation's cost as Apollo Router's demand control estimates it (`static_estimated`) from `@cost`/`@listSize`:
 * the one definition, for MAX_COST and the supergraph tests (docs/federation.md, "Cost (demand control)").
 * Hand-written: no kept package implements Apollo's algorithm over a graphql-js schema.
 */
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isCompositeType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  OperationTypeNode,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { directiveArguments, fragmentsOf, fragmentTarget, getOrSet, inclusion, operationsOf, typeDirectiveArguments } from './selection';

type Variables = Readonly<Record<string, unknown>>;

export interface CostOptions {
  /** Only this operation of the document; unset: every operation (as Apollo's estimate does). */
  operationName?: string | null;
  /** The size of a list without `@listSize` (Apollo Router's `static_estimated.list_size`). */
  defaultListSize: number;
  /** The size of a list field Apollo cannot know but the caller does (the subgraph: `_entities`' representations). */
  knownListSize?: (field: FieldNode, variables: Variables) => number | undefined;
}

/** A `@listSize` that requires one slicing argument met none or several: Apollo refuses such an operation (a 400). */
export class CostError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } });
  }
}

/** A cost known from the document alone (a number), or once the request's variables are (a function of them). */
type Term = number | ((variables: Variables) => number);

interface ListSizeTerm {
  /** The expected size from `@listSize` (throws CostError for a missing or repeated slicing argument). */
  expected: (variables: Variables) => number | undefined;
  sizedFields: readonly string[];
}

type Weighted = GraphQLField<unknown, unknown> | GraphQLArgument | GraphQLInputField;
/** Weights by schema element, null for none (read once: a variable's value is priced on every request). */
const weights = new WeakMap<Weighted, number | null>();

/** `@cost(weight:)` of a field, argument or input field, else of its type. */
function weightOf(element: Weighted): number | null {
  return getOrSet(weights, element, () => {
    const own = directiveArguments(element.astNode?.directives, 'cost')?.weight;
    const ofType = typeDirectiveArguments(getNamedType(element.type), 'cost')?.weight;
    return typeof own === 'number' ? own : typeof ofType === 'number' ? ofType : null;
  });
}

function sizeOfValue(value: unknown): number | undefined {
  if (Array.isArray(value)) return value.length;
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

const valueOf = (term: Term, variables: Variables): number => (typeof term === 'number' ? term : term(variables));

/**
 * The sum of terms, a number when every term is one; a term used twice is computed once per set of variables, so
 * nested repeated fragments cost linear time.
 */
function sum(terms: readonly Term[]): Term {
  let constant = 0;
  const variable = new Map<(variables: Variables) => number, number>();
  for (const term of terms) {
    if (typeof term === 'number') constant += term;
    else variable.set(term, (variable.get(term) ?? 0) + 1);
  }
  if (variable.size === 0) return constant;
  let lastVariables: Variables | undefined;
  let lastTotal = 0;
  return (variables) => {
    if (variables === lastVariables) return lastTotal;
    let total = constant;
    for (const [term, times] of variable) total += times * term(variables);
    lastVariables = variables;
    lastTotal = total;
    return total;
  };
}

/** An argument's or input field's cost for its value: its `@cost`, else 1 per input object, plus its items' and fields'. */
function valueCost(value: unknown, definition: GraphQLArgument | GraphQLInputField): number {
  if (value === undefined || value === null) return 0;
  const weight = weightOf(definition);
  const type = getNamedType(definition.type);
  if (Array.isArray(value)) return value.reduce<number>((total, item) => total + valueCost(item, definition), weight ?? 0);
  if (typeof value !== 'object' || !isInputObjectType(type)) return weight ?? 0;
  const fields = type.getFields();
  let cost = weight ?? 1;
  for (const [name, inner] of Object.entries(value)) {
    const field = fields[name];
    if (field) cost += valueCost(inner, field);
  }
  return cost;
}

const hasVariable = (value: ValueNode): boolean =>
  value.kind === Kind.VARIABLE ||
  (value.kind === Kind.LIST && value.values.some(hasVariable)) ||
  (value.kind === Kind.OBJECT && value.fields.some((field) => hasVariable(field.value)));

/** An argument's cost: now for a literal, per request for what holds variables. */
function argumentCost(value: ValueNode, definition: GraphQLArgument): Term {
  if (!hasVariable(value)) return valueCost(valueFromASTUntyped(value), definition);
  return (variables) => valueCost(valueFromASTUntyped(value, variables), definition);
}

/** A field's `@listSize`: its slicing arguments (given or default), else its `assumedSize`; its `sizedFields`. */
function listSizeOf(definition: GraphQLField<unknown, unknown>, node: FieldNode): ListSizeTerm | undefined {
  const listSize = directiveArguments(definition.astNode?.directives, 'listSize');
  if (!listSize) return undefined;
  const { assumedSize: assumed, slicingArguments: slicing, sizedFields } = listSize;
  const requireOne = listSize.requireOneSlicingArgument ?? true;
  const assumedSize = typeof assumed === 'number' ? assumed : undefined;
  const fields = Array.isArray(sizedFields) ? sizedFields.filter((f): f is string => typeof f === 'string') : [];
  if (!Array.isArray(slicing)) return { expected: () => assumedSize, sizedFields: fields };
  const sources = slicing.map((name) => ({ given: node.arguments?.find((a) => a.name.value === name)?.value, defaultValue: definition.args.find((a) => a.name === name)?.defaultValue }));
  const expected = (variables: Variables): number | undefined => {
    const sizes: number[] = [];
    for (const { given, defaultValue } of sources) {
      const size = sizeOfValue(given ? valueFromASTUntyped(given, variables) : defaultValue);
      if (size !== undefined) sizes.push(size);
    }
    if (requireOne === true && sizes.length !== 1) throw new CostError(`Exactly one slicing argument is required, but found ${sizes.length}`);
    return sizes.length > 0 ? Math.max(...sizes) : assumedSize;
  };
  return { expected, sizedFields: fields };
}

/**
 * Apollo's estimated cost of `document` as a function of the request's variables, compiled once: what depends on
 * them (sizes, arguments given as variables, `_entities`' representations) stays a function, the rest is added up.
 */
export function compileCost(schema: GraphQLSchema, document: DocumentNode, options: CostOptions): (variables: Variables) => number {
  const fragments = fragmentsOf(document);
  /** By parent type and the list size handed down: a fragment spread again is not compiled again. */
  const compiled = new Map<SelectionSetNode, Map<GraphQLNamedType, Map<ListSizeTerm | undefined, Term>>>();

  function selectionSet(set: SelectionSetNode, parent: GraphQLNamedType, sized: ListSizeTerm | undefined, path: ReadonlySet<string>): Term {
    const byParent = getOrSet(compiled, set, (): Map<GraphQLNamedType, Map<ListSizeTerm | undefined, Term>> => new Map());
    return getOrSet(getOrSet(byParent, parent, (): Map<ListSizeTerm | undefined, Term> => new Map()), sized, () =>
      sum(
        set.selections.map((selection) => {
          if (selection.kind === Kind.FIELD) {
            return field(selection, parent, sized?.sizedFields.includes(selection.name.value) ? sized.expected : undefined, path);
          }
          const target = fragmentTarget(selection, parent, schema, fragments, path);
          return target ? selectionSet(target.set, target.type, sized, target.path) : 0;
        }),
      ),
    );
  }

  function field(node: FieldNode, parent: GraphQLNamedType, sizeFromParent: ListSizeTerm['expected'] | undefined, path: ReadonlySet<string>): Term {
    // An unknown field is validation's to report.
    const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[node.name.value] : undefined;
    if (node.name.value === '__typename' || inclusion(node.directives) === 'never' || !definition) return 0;
    const listSize = listSizeOf(definition, node);
    const isList = isListType(getNullableType(definition.type));
    const named = getNamedType(definition.type);
    const typeCost = sum([weightOf(definition) ?? (isCompositeType(named) ? 1 : 0), node.selectionSet ? selectionSet(node.selectionSet, named, listSize, path) : 0]);
    const argumentsCost = sum(
      (node.arguments ?? []).map((arg) => {
        const argDefinition = definition.args.find((a) => a.name === arg.name.value);
        return argDefinition ? argumentCost(arg.value, argDefinition) : 0;
      }),
    );
    const { defaultListSize, knownListSize } = options;
    if (!isList && listSize === undefined && typeof typeCost === 'number' && typeof argumentsCost === 'number') return typeCost + argumentsCost;
    return (variables) => {
      // In the order of the estimate: the field's own sizes (which may refuse it), then its selections, then its arguments.
      const expected = listSize?.expected(variables);
      const count = !isList ? 1 : (sizeFromParent?.(variables) ?? knownListSize?.(node, variables) ?? expected ?? defaultListSize);
      return count * valueOf(typeCost, variables) + valueOf(argumentsCost, variables);
    };
  }

  const total = sum(
    operationsOf(document, options.operationName).flatMap((d) => {
      const root = schema.getRootType(d.operation);
      return root ? [d.operation === OperationTypeNode.MUTATION ? 10 : 0, selectionSet(d.selectionSet, root, undefined, new Set())] : [];
    }),
  );
  return (variables) => valueOf(total, variables);
}
