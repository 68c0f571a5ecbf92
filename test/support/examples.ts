/** The preloaded examples as the tests expect them: read from src/graphql/examples.ts, so a new example is expected too. */
import { Kind, parse } from 'graphql';
import { EXAMPLE_DOCUMENT, EXAMPLE_TAB_GROUPS } from '../../src/graphql/examples';

/** The names of the example document's operations, in document order (parsed here, not by the page's code). */
export function exampleOperationNames(): string[] {
  return parse(EXAMPLE_DOCUMENT).definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : []));
}

/** The explorer's tab names: each operation's, but for the later operations of a group, which share its first one's tab. */
export function exampleTabNames(): string[] {
  const later = new Set(Object.values(EXAMPLE_TAB_GROUPS).flatMap((members) => members.slice(1)));
  return exampleOperationNames().filter((name) => !later.has(name));
}
