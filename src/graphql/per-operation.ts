import type { DocumentNode, GraphQLSchema } from 'graphql';

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
