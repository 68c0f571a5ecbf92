/** The preloaded examples as the tests expect them: read from src/graphql/examples.ts, so a new example is expected too. */
import { Kind, parse } from 'graphql';
import { EXAMPLE_DOCUMENT } from '../../src/graphql/examples';

/** The names of the example document's operations, in document order (parsed here, not by the page's code). */
export function exampleOperationNames(): string[] {
  return parse(EXAMPLE_DOCUMENT).definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : []));
}
