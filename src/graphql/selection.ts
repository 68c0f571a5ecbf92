/** An operation's selections walked through its fragments once per document: cost, cache policy, limits, look-ahead. */
import {
  isAbstractType,
  Kind,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLNamedType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type InlineFragmentNode,
  type NamedTypeNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** `map`'s value for `key`, made by `make` and kept the first time. */
export function getOrSet<K, V>(map: { get(key: K): V | undefined; set(key: K, value: V): unknown }, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/**
 * `compute` memoized per parsed document (held weakly: Apollo's bounded document store owns them) and operation name
 * (bounded by the document: Apollo refuses a name the document lacks before any plugin hook sees it).
 */
export function perOperation<T>(
  compute: (schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined) => T,
): (schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined) => T {
  const byDocument = new WeakMap<DocumentNode, Map<string, { value: T }>>();
  return (schema, document, operationName) => {
    const byName = getOrSet(byDocument, document, () => new Map<string, { value: T }>());
    return getOrSet(byName, operationName ?? '', () => ({ value: compute(schema, document, operationName) })).value;
  };
}

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

export function fragmentsOf(document: DocumentNode): Fragments {
  return new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
}

/** The operation of a document that `operationName` names; unset: every operation. */
export function operationsOf(document: DocumentNode, operationName?: string | null): OperationDefinitionNode[] {
  return document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
}

/** The arguments of directive `name` among `directives`, as literal values; undefined when it is not applied. */
export function directiveArguments(directives: readonly DirectiveNode[] | undefined, name: string): Record<string, unknown> | undefined {
  const directive = directives?.find((d) => d.name.value === name);
  const args = directive?.arguments ?? [];
  return directive && Object.fromEntries(args.map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
}

/** The arguments of a type's directive `name` as Apollo reads them: on its definition first, then its extensions. */
export function typeDirectiveArguments(type: GraphQLNamedType, name: string): Record<string, unknown> | undefined {
  const nodes = [type.astNode, ...type.extensionASTNodes];
  return nodes.map((node) => directiveArguments(node?.directives, name)).find((args) => args !== undefined);
}

/**
 * What a fragment selects and on which type (an inline one without condition: `parent`), with the named fragments on
 * the way; undefined for an unknown fragment or type, or a cycle (validation's to report).
 */
export function fragmentTarget(
  selection: InlineFragmentNode | FragmentSpreadNode,
  parent: GraphQLNamedType,
  schema: GraphQLSchema,
  fragments: Fragments,
  path: ReadonlySet<string>,
): { set: SelectionSetNode; type: GraphQLNamedType; path: ReadonlySet<string> } | undefined {
  if (selection.kind === Kind.INLINE_FRAGMENT) {
    const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
    return type ? { set: selection.selectionSet, type, path } : undefined;
  }
  const name = selection.name.value;
  const fragment = fragments.get(name);
  const type = fragment ? schema.getType(fragment.typeCondition.name.value) : undefined;
  return fragment && type && !path.has(name) ? { set: fragment.selectionSet, type, path: new Set([...path, name]) } : undefined;
}

/** graphql-js's `@skip`/`@include` on a selection: literal values decide now, variables per request. */
export function inclusion(directives: readonly DirectiveNode[] | undefined): 'always' | 'never' | 'maybe' {
  let result: 'always' | 'maybe' = 'always';
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const value = directive.arguments?.find((a) => a.name.value === 'if')?.value;
    if (value?.kind !== Kind.BOOLEAN) result = 'maybe';
    else if (value.value === (name === 'skip')) return 'never';
  }
  return result;
}

/** An `_entities` field's representations as graphql-js coerces `[_Any!]!` (a single value is a list of one). */
export function representationsOf(field: FieldNode, variables: Readonly<Record<string, unknown>>): unknown[] {
  const argument = field.arguments?.find((a) => a.name.value === 'representations');
  const value = argument ? valueFromASTUntyped(argument.value, variables) : undefined;
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

/** Look-ahead answers, per field node and `type.field`. */
const remembered = new WeakMap<object, Map<string, boolean>>();

/** Whether `set` selects `field` on `typeName` or on an abstract type, through fragments (each named one once). */
function selects(set: SelectionSetNode | undefined, typeName: string, field: string, info: GraphQLResolveInfo, seen: Set<string>): boolean {
  // A fragment applies when it has no condition, names `typeName`, or names an interface or union.
  const applies = (condition: NamedTypeNode | undefined): boolean => {
    if (condition === undefined || condition.name.value === typeName) return true;
    const type = info.schema.getType(condition.name.value);
    return type !== undefined && isAbstractType(type);
  };
  return (set?.selections ?? []).some((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === field;
    if (selection.kind === Kind.INLINE_FRAGMENT) return applies(selection.typeCondition) && selects(selection.selectionSet, typeName, field, info, seen);
    const fragment = info.fragments[selection.name.value];
    if (fragment === undefined || seen.has(selection.name.value) || !applies(fragment.typeCondition)) return false;
    seen.add(selection.name.value);
    return selects(fragment.selectionSet, typeName, field, info, seen);
  });
}

/**
 * Whether the current field's selection selects `field` on `typeName` or on an abstract type (same-named fields
 * count), through fragments; directives are not evaluated (at worst a field is read needlessly).
 */
export function selectsField(info: GraphQLResolveInfo, typeName: string, field: string): boolean {
  const answers = getOrSet(remembered, info.fieldNodes[0], () => new Map<string, boolean>());
  const key = `${typeName}.${field}`;
  let answer = answers.get(key);
  if (answer === undefined) {
    const seen = new Set<string>();
    answer = info.fieldNodes.some((node) => selects(node.selectionSet, typeName, field, info, seen));
    answers.set(key, answer);
  }
  return answer;
}
