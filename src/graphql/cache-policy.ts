/** An operation's cache policy worked out once per document by the rules of Apollo's cache-control plugin. */
import {
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { isRecord } from '../graph/json';
import { directiveArguments, fragmentsOf, fragmentTarget, getOrSet, inclusion, operationsOf, representationsOf, typeDirectiveArguments } from './selection';

/** Apollo's `CacheHint`: what a field or an operation allows. */
export interface CacheHint {
  maxAge?: number;
  scope?: 'PUBLIC' | 'PRIVATE';
}

/** A `@cacheControl` application; `inheritMaxAge` only says not to apply the default. */
interface CacheAnnotation extends CacheHint {
  inheritMaxAge?: true;
}

/** What a document's operation allows, before its variables are known. */
export interface DocumentCachePolicy {
  /** The hints of the fields every execution resolves (the root fields). */
  always: CacheHint;
  /** The root `_entities` field and its hint before its representations' types (undefined: not selected). */
  entities?: { field: FieldNode; hint: CacheHint };
  /** Hints by maxAge/scope of fields resolved only for some data (below the root, in fragments, under `@skip($var)`). */
  conditional: Map<string, CacheHint>;
  /** Only the data can tell (introspection, `_entities` under a condition): Apollo's per-field hooks must run. */
  dynamic: boolean;
}

function restrict(policy: CacheHint, hint: CacheHint): void {
  if (hint.maxAge !== undefined && (policy.maxAge === undefined || hint.maxAge < policy.maxAge)) policy.maxAge = hint.maxAge;
  if (hint.scope !== undefined && policy.scope !== 'PRIVATE') policy.scope = hint.scope;
}

/** The `Cache-Control` header Apollo writes for a policy of an answer without errors. */
function header(policy: CacheHint): string {
  return policy.maxAge === undefined || policy.maxAge === 0 ? 'no-store' : `max-age=${policy.maxAge}, ${(policy.scope ?? 'PUBLIC').toLowerCase()}`;
}

/** A `@cacheControl` application's arguments as Apollo reads them. */
function annotationOf(args: Record<string, unknown> | undefined): CacheAnnotation | undefined {
  if (!args) return undefined;
  const scope = args.scope === 'PUBLIC' || args.scope === 'PRIVATE' ? args.scope : undefined;
  if (args.inheritMaxAge === true) return { inheritMaxAge: true, scope };
  return { maxAge: typeof args.maxAge === 'number' ? args.maxAge : undefined, scope };
}

const typeAnnotations = new WeakMap<GraphQLCompositeType, CacheAnnotation>();

/** A type's `@cacheControl` (its definition first, then its extensions). */
function typeAnnotation(type: GraphQLCompositeType): CacheAnnotation {
  return getOrSet(typeAnnotations, type, () => annotationOf(typeDirectiveArguments(type, 'cacheControl')) ?? {});
}

/** A field's hint as Apollo's plugin sets it when the resolver starts, and whether the default then applies. */
function fieldHint(field: GraphQLField<unknown, unknown>, root: boolean): { hint: CacheHint; takesDefault: boolean } {
  const target = getNamedType(field.type);
  const composite = isCompositeType(target);
  const fromType = composite ? typeAnnotation(target) : {};
  const own = annotationOf(directiveArguments(field.astNode?.directives, 'cacheControl')) ?? {};
  // The field's inheritMaxAge counts where its type sets no maxAge; otherwise the field's values replace the type's.
  if (own.inheritMaxAge && fromType.maxAge === undefined) return { hint: { scope: own.scope ?? fromType.scope }, takesDefault: root };
  const hint = { maxAge: own.maxAge ?? fromType.maxAge, scope: own.scope ?? fromType.scope };
  return { hint, takesDefault: (composite && !fromType.inheritMaxAge) || root };
}

/** The policy of `operationName` (or the only operation) of a validated document; mutations are never cached. */
export function documentCachePolicy(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined | null, defaultMaxAge: number): DocumentCachePolicy {
  const operation = operationsOf(document, operationName).at(0);
  const rootType = operation ? schema.getRootType(operation.operation) : undefined;
  if (!operation || !rootType || operation.operation !== OperationTypeNode.QUERY) return { always: { maxAge: 0 }, conditional: new Map(), dynamic: false };
  const policy: DocumentCachePolicy = { always: {}, conditional: new Map(), dynamic: false };
  const fragments = fragmentsOf(document);
  /** The walks of each selection set, by parent type and flags: repeated fragments cost no more than once. */
  const walked = new Map<SelectionSetNode, Set<string>>();

  function addHint(hint: CacheHint, takesDefault: boolean, always: boolean): void {
    const full = { ...hint };
    if (full.maxAge === undefined && takesDefault) full.maxAge = defaultMaxAge;
    if (always) return restrict(policy.always, full);
    policy.conditional.set(`${full.maxAge ?? ''}/${full.scope ?? ''}`, full);
  }

  /** `root`: the operation's own selection set; `always`: its fields resolve on every execution. */
  function selectionSet(set: SelectionSetNode, parent: GraphQLNamedType, root: boolean, always: boolean, path: ReadonlySet<string>): void {
    const walks = getOrSet(walked, set, () => new Set<string>());
    const key = `${parent.name}/${root}/${always}`;
    if (walks.has(key)) return;
    walks.add(key);
    for (const selection of set.selections) {
      const included = inclusion(selection.directives);
      if (included === 'never') continue;
      const sure = always && included === 'always';
      if (selection.kind === Kind.FIELD) {
        field(selection, parent, root, sure, path);
        continue;
      }
      const target = fragmentTarget(selection, parent, schema, fragments, path);
      if (target) selectionSet(target.set, target.type, root, sure && target.type === parent, target.path);
    }
  }

  function field(node: FieldNode, parent: GraphQLNamedType, root: boolean, always: boolean, path: ReadonlySet<string>): void {
    const name = node.name.value;
    // No resolver hook for __typename; introspection's own types carry no hints (Apollo's default applies).
    if (name === '__typename') return;
    if (name === '__schema' || name === '__type') {
      policy.dynamic = true;
      return;
    }
    // At run time the parent is an object type: a field selected on an interface takes the object type's definition.
    const parents: readonly GraphQLObjectType[] = isObjectType(parent) ? [parent] : isInterfaceType(parent) ? schema.getPossibleTypes(parent) : [];
    for (const type of parents) {
      const definition = type.getFields()[name];
      // An unknown field is validation's to report.
      if (!definition) continue;
      const { hint, takesDefault } = fieldHint(definition, root);
      if (root && name === '_entities') {
        if (always && policy.entities === undefined) policy.entities = { field: node, hint };
        else policy.dynamic = true;
      } else {
        addHint(hint, takesDefault, always && parents.length === 1);
      }
      if (node.selectionSet) selectionSet(node.selectionSet, getNamedType(definition.type), false, false, path);
    }
  }

  selectionSet(operation.selectionSet, rootType, true, true, new Set());
  return policy;
}

/**
 * One request's policy, `_entities` restricted by each representation's type; undefined when only the data can tell
 * (then Apollo's per-field hooks decide).
 */
export function requestCacheHint(
  policy: DocumentCachePolicy,
  schema: GraphQLSchema,
  variables: Readonly<Record<string, unknown>>,
  defaultMaxAge: number,
): CacheHint | undefined {
  if (policy.dynamic) return undefined;
  const overall = { ...policy.always };
  if (policy.entities !== undefined) {
    const entities = { ...policy.entities.hint };
    for (const representation of representationsOf(policy.entities.field, variables)) {
      const typename = isRecord(representation) ? representation.__typename : undefined;
      const type = typeof typename === 'string' ? schema.getType(typename) : undefined;
      // Any other representation is refused with an error: the answer is not cached whatever its hints.
      if (isObjectType(type) || isInterfaceType(type)) restrict(entities, typeAnnotation(type));
    }
    if (entities.maxAge === undefined) entities.maxAge = defaultMaxAge;
    restrict(overall, entities);
  }
  const answer = header(overall);
  for (const hint of policy.conditional.values()) {
    const restricted = { ...overall };
    restrict(restricted, hint);
    if (header(restricted) !== answer) return undefined;
  }
  return overall;
}
