/**
 * The example operations of src/graphql/examples.ts as explorer tabs (one per operation or group), each with its
 * comment lines and only the variables it declares.
 */
import { createHash } from 'node:crypto';
import { Kind, parse, separateOperations, type DefinitionNode, type OperationDefinitionNode } from 'graphql';
import type { ExplorerTab } from './config';

/** Headers the tabs start with: a placeholder to replace when the subgraph requires bearer tokens. */
export function defaultHeaders(tokensRequired: boolean): Record<string, string> {
  return tokensRequired ? { Authorization: 'Bearer <paste an access token for this subgraph here>' } : {};
}

/** Operations shown together in one tab, by what the tab is for (see EXAMPLE_TAB_GROUPS). */
type TabGroups = Readonly<Record<string, readonly string[]>>;

export function exampleTabs(document: string, variables: Record<string, unknown>, headers: Record<string, string>, groups: TabGroups = {}): ExplorerTab[] {
  const ast = parse(document);
  // Each definition's text starts after the previous one ends, so the comments above an operation go with it.
  const texts = new Map<DefinitionNode, string>();
  let start = 0;
  for (const definition of ast.definitions) {
    const end = definition.loc?.end ?? start;
    texts.set(definition, document.slice(start, end).trim());
    start = end;
  }
  const operations = ast.definitions.flatMap((d, index) => (d.kind === Kind.OPERATION_DEFINITION ? [{ name: d.name?.value ?? `Operation ${index + 1}`, d }] : []));
  const groupOf = new Map<string, string>();
  for (const [tab, members] of Object.entries(groups)) {
    for (const member of members) {
      if (!operations.some((o) => o.name === member)) throw new Error(`the example tab "${tab}" names ${member}, which the example document does not define`);
      groupOf.set(member, tab);
    }
  }
  // A group's tab stands where its first operation does, holds its operations in document order, and is named after the first.
  const tabs = new Map<string | OperationDefinitionNode, { name: string; d: OperationDefinitionNode }[]>();
  for (const operation of operations) {
    const key = groupOf.get(operation.name) ?? operation.d;
    tabs.set(key, [...(tabs.get(key) ?? []), operation]);
  }
  // Each operation with the fragments it uses, transitively: a tab carries those and no others (GraphQL refuses unused ones).
  const separated = separateOperations(ast);
  return [...tabs.values()].map((members) => {
    const used = new Set(members.flatMap(({ d }) => separated[d.name?.value ?? ''].definitions));
    const fragments = ast.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION && used.has(d));
    const declared = members.flatMap(({ d }) => d.variableDefinitions ?? []).map((v) => v.variable.name.value);
    const own = Object.fromEntries(declared.filter((key) => key in variables).map((key) => [key, variables[key]]));
    const query = [...members.map(({ d }) => d), ...fragments].map((d) => texts.get(d)).join('\n\n');
    return { name: members[0].name, query, variables: JSON.stringify(own, null, 2), headers: JSON.stringify(headers, null, 2) };
  });
}

/** A short hash of the examples: GraphiQL's storage namespace, so saved tabs are dropped when the examples change. */
export function examplesVersion(document: string, variables: Record<string, unknown>, groups: TabGroups = {}): string {
  return createHash('sha256').update(document).update(JSON.stringify(variables)).update(JSON.stringify(groups)).digest('hex').slice(0, 12);
}
