/**
 * Look-ahead: whether a field's selection asks for a field of a type, through fragments; directives are not
 * evaluated (at worst a field is read needlessly). Answers are remembered per field node.
 */
import { isAbstractType, Kind, type FragmentDefinitionNode, type GraphQLResolveInfo, type GraphQLSchema, type SelectionSetNode } from 'graphql';

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

/** Whether the current field's selection selects `field` on `typeName` or on an abstract type (same-named fields count). */
export function selectsField(info: GraphQLResolveInfo, typeName: string, field: string): boolean {
  const node = info.fieldNodes[0];
  const key = `${typeName}.${field}`;
  let answers = remembered.get(node);
  const known = answers?.get(key);
  if (known !== undefined) return known;
  let answer = false;
  const walk: Walk = { typeName, field, fragments: info.fragments, schema: info.schema, seen: new Set() };
  for (const fieldNode of info.fieldNodes) {
    if (selects(fieldNode.selectionSet, walk)) {
      answer = true;
      break;
    }
  }
  if (answers === undefined) {
    answers = new Map();
    remembered.set(node, answers);
  }
  answers.set(key, answer);
  return answer;
}
