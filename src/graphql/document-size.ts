/** What a parsed document holds in memory (its tokens, not its JSON), for caches keyed by what callers send. */
import type { DocumentNode, Token } from 'graphql';

/** Heap bytes per token of a parsed document, rounded up from the worst shape measured (a flat list of fields). */
const BYTES_PER_TOKEN = 500;

/**
 * An upper estimate of the heap a parsed document holds, tokens and source text included; without locations
 * (parsed with `noLocation`), the default token limit's worth.
 */
export function documentBytes(document: DocumentNode): number {
  if (document.loc === undefined) return 1000 * BYTES_PER_TOKEN;
  let tokens = 0;
  for (let token: Token | null = document.loc.startToken; token !== null; token = token.next) tokens++;
  return tokens * BYTES_PER_TOKEN + 2 * document.loc.source.body.length;
}
