/**
 * The example operations of src/graphql/examples.ts as explorer tabs: one tab per operation, each with the
 * comment lines above it and only the variables it declares. Read from the example document itself, so operations
 * added there later become tabs without a change here.
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

export function exampleTabs(document: string, variables: Record<string, unknown>, headers: Record<string, string>): ExplorerTab[] {
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
  const tabs: ExplorerTab[] = [];
  ast.definitions.forEach((definition, index) => {
    if (definition.kind !== Kind.OPERATION_DEFINITION) return;
    const name = definition.name?.value ?? `Operation ${index + 1}`;
    // A tab is a document of its own: it carries the fragments its operation uses (transitively) and no others,
    // since GraphQL rejects a document with an unused fragment.
    const used = new Set<string>();
    const pending = spreadNames(definition);
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const fragment = fragments.get(next);
      if (used.has(next) || !fragment) continue;
      used.add(next);
      pending.push(...spreadNames(fragment));
    }
    const text = [texts.get(definition), ...[...fragments].filter(([n]) => used.has(n)).map(([, f]) => texts.get(f))].join('\n\n');
    const own: Record<string, unknown> = {};
    for (const declared of definition.variableDefinitions ?? []) {
      const key = declared.variable.name.value;
      if (key in variables) own[key] = variables[key];
    }
    tabs.push({ name, query: text, variables: JSON.stringify(own, null, 2), headers: JSON.stringify(headers, null, 2) });
  });
  return tabs;
}

/** A short hash of the examples: GraphiQL's storage namespace, so saved tabs are dropped when the examples change. */
export function examplesVersion(document: string, variables: Record<string, unknown>): string {
  return createHash('sha256').update(document).update(JSON.stringify(variables)).digest('hex').slice(0, 12);
}
