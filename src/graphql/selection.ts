/** Walking an operation's selections through its fragments: the cost, the cache policy, the limits and look-ahead. */
import {
  isAbstractType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLNamedType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type InlineFragmentNode,
  type SelectionSetNode,
} from 'graphql';
import { getOrSet } from './per-operation';

export type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

export function fragmentsOf(document: DocumentNode): Fragments {
  return new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
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

/** Look-ahead answers, per field node and `type.field`. */
const remembered = new WeakMap<object, Map<string, boolean>>();

interface Walk {
  typeName: string;
  field: string;
  fragments: Record<string, FragmentDefinitionNode>;
  schema: GraphQLSchema;
  seen: Set<string>;
}

/** A fragment applies to `typeName` when it has no condition, names it, or names an interface or union. */
function applies(condition: string | undefined, walk: Walk): boolean {
  if (condition === undefined || condition === walk.typeName) return true;
  const type = walk.schema.getType(condition);
  return type !== undefined && isAbstractType(type);
}

function selects(selectionSet: SelectionSetNode | undefined, walk: Walk): boolean {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === walk.field) return true;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (applies(selection.typeCondition?.name.value, walk) && selects(selection.selectionSet, walk)) return true;
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments[name];
      if (fragment === undefined || walk.seen.has(name) || !applies(fragment.typeCondition.name.value, walk)) continue;
      walk.seen.add(name);
      if (selects(fragment.selectionSet, walk)) return true;
    }
  }
  return false;
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
    const walk: Walk = { typeName, field, fragments: info.fragments, schema: info.schema, seen: new Set() };
    answer = info.fieldNodes.some((node) => selects(node.selectionSet, walk));
    answers.set(key, answer);
  }
  return answer;
}
