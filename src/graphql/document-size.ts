/** What a parsed document holds in memory (its tokens, not its JSON), for caches keyed by what callers send. */
import type { DocumentNode } from 'graphql';

/** Heap bytes per token of a parsed document, rounded up from the worst shape measured (a flat list of fields). */
export const BYTES_PER_TOKEN = 500;

/** Counted when a document has no locations (parsed with `noLocation`): the default token limit's worth. */
const UNKNOWN_DOCUMENT_BYTES = 1000 * BYTES_PER_TOKEN;

/** The tokens of a parsed document (walks its token list once). */
export function documentTokens(document: DocumentNode): number {
  let count = 0;
  for (let token = document.loc?.startToken ?? null; token !== null; token = token.next) count++;
  return count;
}

/** An upper estimate of the heap a parsed document holds, tokens and source text included. */
export function documentBytes(document: DocumentNode): number {
  if (document.loc === undefined) return UNKNOWN_DOCUMENT_BYTES;
  return documentTokens(document) * BYTES_PER_TOKEN + 2 * document.loc.source.body.length;
}
