/**
 * An operation's cost as Apollo Router's demand control estimates it (`static_estimated`) from `@cost`/`@listSize`:
 * the one definition, for MAX_COST and the supergraph tests (docs/federation.md, "Cost (demand control)").
 * Hand-written: no kept package implements Apollo's algorithm over a graphql-js schema.
 * - A field costs `count × (weight + its selections) + its arguments`; a mutation 10 more.
 * - `weight`: `@cost` on the field, else its type, else 1 for composites and 0 for leaves; `count`: 1, or a list's
 *   `@listSize` (slicing argument, else `assumedSize`, else `defaultListSize`).
 * - An argument costs its `@cost`, else 1 per input object; `__typename` and literal `@skip`/`@include` cost 0.
 */
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  OperationTypeNode,
  valueFromASTUntyped,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

export interface CostOptions {
  /** The variables of the request (sizes and arguments given as variables); unset: none. */
  variables?: Readonly<Record<string, unknown>>;
  /** Only this operation of the document; unset: every operation (as Apollo's estimate does). */
  operationName?: string | null;
  /** The size of a list without `@listSize` (Apollo Router's `static_estimated.list_size`). */
  defaultListSize: number;
  /** The size of a list field Apollo cannot know but the caller does (the subgraph: `_entities`' representations). */
  knownListSize?: (field: FieldNode, variables: Readonly<Record<string, unknown>>) => number | undefined;
}

function directive(nodes: ReadonlyArray<ConstDirectiveNode> | undefined, name: string): ConstDirectiveNode | undefined {
  return nodes?.find((d) => d.name.value === name);
}

function argumentOf(node: ConstDirectiveNode | undefined, name: string): unknown {
  const arg = node?.arguments?.find((a) => a.name.value === name);
  return arg === undefined ? undefined : valueFromASTUntyped(arg.value);
}

function typeDirective(type: GraphQLNamedType, name: string): ConstDirectiveNode | undefined {
  return directive(type.astNode?.directives, name) ?? type.extensionASTNodes.map((n) => directive(n.directives, name)).find((d) => d !== undefined);
}

type Weighted = { astNode?: { directives?: ReadonlyArray<ConstDirectiveNode> } | null; type: Parameters<typeof getNamedType>[0] };
/** Weights by schema element (read once: a variable's value is priced on every request). */
const weights = new WeakMap<Weighted, number | undefined>();

/** `@cost(weight:)` of a field, argument or input field, else of its type. */
function weightOf(element: Weighted): number | undefined {
  if (weights.has(element)) return weights.get(element);
  const weight = readWeight(element);
  weights.set(element, weight);
  return weight;
}

function readWeight(element: Weighted): number | undefined {
  const own = argumentOf(directive(element.astNode?.directives ?? undefined, 'cost'), 'weight');
  if (typeof own === 'number') return own;
  const named = getNamedType(element.type);
  const ofType = named ? argumentOf(typeDirective(named, 'cost'), 'weight') : undefined;
  return typeof ofType === 'number' ? ofType : undefined;
}

function sizeOfValue(value: unknown): number | undefined {
  if (Array.isArray(value)) return value.length;
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** A `@listSize` that requires one slicing argument met none or several (Apollo refuses such an operation). */
export class CostError extends Error {}

type Variables = Readonly<Record<string, unknown>>;
/** A cost known from the document alone (a number), or once the request's variables are (a function of them). */
type Term = number | ((variables: Variables) => number);

interface ListSizeTerm {
  /** The expected size from `@listSize` (throws CostError for a missing or repeated slicing argument). */
  expected: (variables: Variables) => number | undefined;
  sizedFields: readonly string[];
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

/** The options a compiled cost needs before the variables are known. */
export type CostPlanOptions = Omit<CostOptions, 'variables'>;

/**
 * Compiles the cost of a document (once): what depends on variables (sizes, input objects given as variables,
 * `_entities`' representations) stays a function of them, the rest is added up now.
 */
class CostCompiler {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  /** Selection sets compiled, by parent type and the list size handed down (a fragment spread again is not walked again). */
  private readonly compiled = new Map<SelectionSetNode, Map<GraphQLNamedType, Map<ListSizeTerm | undefined, Term>>>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly document: DocumentNode,
    private readonly options: CostPlanOptions,
  ) {
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(d.name.value, d);
  }

  total(): Term {
    const terms: Term[] = [];
    for (const d of this.document.definitions) {
      if (d.kind !== Kind.OPERATION_DEFINITION) continue;
      if (this.options.operationName && d.name?.value !== this.options.operationName) continue;
      const root = this.schema.getRootType(d.operation);
      if (!root) continue;
      terms.push(d.operation === OperationTypeNode.MUTATION ? 10 : 0, this.selectionSet(d.selectionSet, root, undefined, new Set()));
    }
    return sum(terms);
  }

  private selectionSet(set: SelectionSetNode, parent: GraphQLNamedType, sized: ListSizeTerm | undefined, fragmentPath: ReadonlySet<string>): Term {
    let byParent = this.compiled.get(set);
    if (byParent === undefined) {
      byParent = new Map();
      this.compiled.set(set, byParent);
    }
    let bySize = byParent.get(parent);
    if (bySize === undefined) {
      bySize = new Map();
      byParent.set(parent, bySize);
    }
    let term = bySize.get(sized);
    if (term === undefined && !bySize.has(sized)) {
      term = this.compileSelectionSet(set, parent, sized, fragmentPath);
      bySize.set(sized, term);
    }
    return term ?? 0;
  }

  private compileSelectionSet(set: SelectionSetNode, parent: GraphQLNamedType, sized: ListSizeTerm | undefined, fragmentPath: ReadonlySet<string>): Term {
    const terms: Term[] = [];
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const fromParent = sized?.sizedFields.includes(selection.name.value) ? sized.expected : undefined;
        terms.push(this.field(selection, parent, fromParent, fragmentPath));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? this.schema.getType(selection.typeCondition.name.value) : parent;
        if (type) terms.push(this.selectionSet(selection.selectionSet, type, sized, fragmentPath));
      } else {
        const name = selection.name.value;
        const fragment = this.fragments.get(name);
        const type = fragment ? this.schema.getType(fragment.typeCondition.name.value) : undefined;
        // A cycle is invalid (validation reports it); it costs nothing more here.
        if (fragment && type && !fragmentPath.has(name)) terms.push(this.selectionSet(fragment.selectionSet, type, sized, new Set([...fragmentPath, name])));
      }
    }
    return sum(terms);
  }

  private skipped(node: FieldNode): boolean {
    const literal = (name: string): boolean | undefined => {
      const arg = node.directives?.find((d) => d.name.value === name)?.arguments?.find((a) => a.name.value === 'if');
      return arg?.value.kind === Kind.BOOLEAN ? arg.value.value : undefined;
    };
    return literal('skip') === true || literal('include') === false;
  }

  private field(node: FieldNode, parent: GraphQLNamedType, sizeFromParent: ListSizeTerm['expected'] | undefined, fragmentPath: ReadonlySet<string>): Term {
    if (node.name.value === '__typename' || this.skipped(node)) return 0;
    if (!isObjectType(parent) && !isInterfaceType(parent)) return 0;
    const definition = parent.getFields()[node.name.value];
    // An unknown field is validation's to report.
    if (!definition) return 0;
    const listSize = this.listSize(definition, node);
    const isList = isListType(getNullableType(definition.type));
    const named = getNamedType(definition.type);
    const typeCost = sum([weightOf(definition) ?? (isCompositeType(named) ? 1 : 0), node.selectionSet ? this.selectionSet(node.selectionSet, named, listSize, fragmentPath) : 0]);
    const argumentTerms: Term[] = [];
    for (const arg of node.arguments ?? []) {
      const argDefinition = definition.args.find((a) => a.name === arg.name.value);
      if (argDefinition) argumentTerms.push(this.argument(arg.value, argDefinition));
    }
    const argumentsCost = sum(argumentTerms);
    const { defaultListSize, knownListSize } = this.options;
    if (!isList && listSize === undefined && typeof typeCost === 'number' && typeof argumentsCost === 'number') return typeCost + argumentsCost;
    return (variables) => {
      // In the order of the estimate: the field's own sizes (which may refuse it), then its selections, then its arguments.
      const expected = listSize?.expected(variables);
      const count = !isList ? 1 : (sizeFromParent?.(variables) ?? knownListSize?.(node, variables) ?? expected ?? defaultListSize);
      return count * valueOf(typeCost, variables) + valueOf(argumentsCost, variables);
    };
  }

  private listSize(definition: GraphQLField<unknown, unknown>, node: FieldNode): ListSizeTerm | undefined {
    const d = directive(definition.astNode?.directives, 'listSize');
    if (!d) return undefined;
    const assumed = argumentOf(d, 'assumedSize');
    const slicing = argumentOf(d, 'slicingArguments');
    const sizedFields = argumentOf(d, 'sizedFields');
    const requireOne = argumentOf(d, 'requireOneSlicingArgument') ?? true;
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

  private argument(value: ValueNode, definition: GraphQLArgument | GraphQLInputField): Term {
    if (value.kind === Kind.VARIABLE) {
      const name = value.name.value;
      return (variables) => variableCost(variables[name], definition);
    }
    if (value.kind === Kind.NULL) return 0;
    const weight = weightOf(definition);
    const type = getNamedType(definition.type);
    if (value.kind === Kind.OBJECT && isInputObjectType(type)) {
      const fields = type.getFields();
      const terms: Term[] = [weight ?? 1];
      for (const field of value.fields) {
        const inner = fields[field.name.value];
        if (inner) terms.push(this.argument(field.value, inner));
      }
      return sum(terms);
    }
    if (value.kind === Kind.LIST) return sum([weight ?? 0, ...value.values.map((item) => this.argument(item, definition))]);
    return weight ?? 0;
  }
}

/** The cost of an argument or input field given as a variable's value. */
function variableCost(value: unknown, definition: GraphQLArgument | GraphQLInputField): number {
  if (value === undefined || value === null) return 0;
  const weight = weightOf(definition);
  const type = getNamedType(definition.type);
  if (Array.isArray(value)) return value.reduce<number>((total, item) => total + variableCost(item, definition), weight ?? 0);
  if (typeof value === 'object' && isInputObjectType(type)) {
    const fields = type.getFields();
    let cost = weight ?? 1;
    for (const [name, inner] of Object.entries(value)) {
      const field = fields[name];
      if (field) cost += variableCost(inner, field);
    }
    return cost;
  }
  return weight ?? 0;
}

/** Apollo's estimated cost of `document` as a function of the request's variables (see the module comment). */
export function compileCost(schema: GraphQLSchema, document: DocumentNode, options: CostPlanOptions): (variables: Variables) => number {
  const term = new CostCompiler(schema, document, options).total();
  return (variables) => valueOf(term, variables);
}

/** Apollo's estimated cost of `document` against `schema` (see the module comment). */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, options: CostOptions): number {
  return compileCost(schema, document, options)(options.variables ?? {});
}
