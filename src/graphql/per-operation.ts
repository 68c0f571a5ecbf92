import type { DocumentNode, GraphQLSchema } from 'graphql';

/**
 * `compute` memoized per parsed document (held weakly: Apollo's bounded document store owns them) and operation name
 * (bounded by the document: Apollo refuses a name the document lacks before any plugin hook sees it).
 */
export function perOperation<T>(
  compute: (schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined) => T,
): (schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined) => T {
  const byDocument = new WeakMap<DocumentNode, Map<string, { value: T }>>();
  return (schema, document, operationName) => {
    let byName = byDocument.get(document);
    if (byName === undefined) {
      byName = new Map();
      byDocument.set(document, byName);
    }
    const kept = byName.get(operationName ?? '');
    if (kept !== undefined) return kept.value;
    const value = compute(schema, document, operationName);
    byName.set(operationName ?? '', { value });
    return value;
  };
}
