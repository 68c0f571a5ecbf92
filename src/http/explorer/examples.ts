/**
 * The example operations of src/graphql/examples.ts as explorer tabs (one per operation or group), each with its
 * comment lines and only the variables it declares.
 */
import { createHash } from 'node:crypto';
import { Kind, parse, visit, type ASTNode } from 'graphql';
import type { ExplorerTab } from './config';

/** Headers the tabs start with: a placeholder to replace when the subgraph requires bearer tokens. */
export function defaultHeaders(tokensRequired: boolean): Record<string, string> {
  return tokensRequired ? { Authorization: 'Bearer <paste an access token for this subgraph here>' } : {};
}

function spreadNames(node: ASTNode): string[] {
  const names: string[] = [];
  visit(node, { FragmentSpread: (spread) => void names.push(spread.name.value) });
  return names;
}

/** Operations shown together in one tab, by what the tab is for (see EXAMPLE_TAB_GROUPS). */
export type TabGroups = Readonly<Record<string, readonly string[]>>;

export function exampleTabs(document: string, variables: Record<string, unknown>, headers: Record<string, string>, groups: TabGroups = {}): ExplorerTab[] {
  const ast = parse(document);
  // Each definition's text starts after the previous one ends, so comments between two operations go with the
  // second one (the file puts an operation's description above it).
  const texts = new Map<ASTNode, string>();
  let start = 0;
  for (const definition of ast.definitions) {
    if (!definition.loc) throw new Error('the example document was parsed without locations');
    texts.set(definition, document.slice(start, definition.loc.end).trim());
    start = definition.loc.end;
  }
  const fragments = new Map(ast.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const operations = ast.definitions.flatMap((d, index) => (d.kind === Kind.OPERATION_DEFINITION ? [{ name: d.name?.value ?? `Operation ${index + 1}`, definition: d }] : []));
  const groupOf = new Map<string, string>();
  for (const [tab, members] of Object.entries(groups)) {
    for (const member of members) {
      if (!operations.some((o) => o.name === member)) throw new Error(`the example tab "${tab}" names ${member}, which the example document does not define`);
      groupOf.set(member, tab);
    }
  }
  const tabs: ExplorerTab[] = [];
  const grouped = new Set<string>();
  for (const operation of operations) {
    const tab = groupOf.get(operation.name);
    if (tab !== undefined && grouped.has(tab)) continue;
    // A group's tab stands where its first operation does and holds its operations in document order.
    const members = tab === undefined ? [operation] : operations.filter((o) => groupOf.get(o.name) === tab);
    if (tab !== undefined) grouped.add(tab);
    // A tab is a document of its own: it carries the fragments its operations use (transitively) and no others,
    // since GraphQL rejects a document with an unused fragment.
    const used = new Set<string>();
    const pending = members.flatMap((m) => spreadNames(m.definition));
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const fragment = fragments.get(next);
      if (used.has(next) || !fragment) continue;
      used.add(next);
      pending.push(...spreadNames(fragment));
    }
    const text = [...members.map((m) => texts.get(m.definition)), ...[...fragments].filter(([n]) => used.has(n)).map(([, f]) => texts.get(f))].join('\n\n');
    const own: Record<string, unknown> = {};
    for (const declared of members.flatMap((m) => m.definition.variableDefinitions ?? [])) {
      const key = declared.variable.name.value;
      if (key in variables) own[key] = variables[key];
    }
    // Named after its first operation, as GraphiQL names a tab.
    tabs.push({ name: members[0].name, query: text, variables: JSON.stringify(own, null, 2), headers: JSON.stringify(headers, null, 2) });
  }
  return tabs;
}

/** A short hash of the examples: GraphiQL's storage namespace, so saved tabs are dropped when the examples change. */
export function examplesVersion(document: string, variables: Record<string, unknown>, groups: TabGroups = {}): string {
  return createHash('sha256').update(document).update(JSON.stringify(variables)).update(JSON.stringify(groups)).digest('hex').slice(0, 12);
}
