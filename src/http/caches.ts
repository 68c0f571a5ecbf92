/** Apollo's caches, keyed by what callers send: bounded by entries and by the bytes they hold (docs/performance.md). */
import type { ApolloServerOptions } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import { documentBytes } from '../graphql/document-size';

type DocumentStore = NonNullable<ApolloServerOptions<object>['documentStore']>;
type QueryCache = Exclude<NonNullable<ApolloServerOptions<object>['cache']>, 'bounded'>;

/** Bytes of one cache entry beside its key and value (lru-cache's slots, the key's string header). */
const ENTRY_OVERHEAD_BYTES = 200;

/** Most entries kept, and most bytes (keys, values and per-entry overhead), least recently used dropped first. */
type CacheBounds = { max: number; maxBytes: number };

/** Parsed and validated documents: Apollo's `documentStore`. */
export const DOCUMENT_STORE_BOUNDS: CacheBounds = { max: 10_000, maxBytes: 32 * 2 ** 20 };
/** Query texts of automatic persisted queries: Apollo's `cache`. */
export const QUERY_CACHE_BOUNDS: CacheBounds = { max: 10_000, maxBytes: 8 * 2 ** 20 };

/** Apollo's KeyValueCache interface over lru-cache (TTLs in seconds, as Apollo gives them). */
function keyValueCache<V extends object | string>(bounds: CacheBounds, bytes: (value: V) => number) {
  const lru = new LRUCache<string, V>({
    max: bounds.max,
    maxSize: bounds.maxBytes,
    // A value larger than the whole budget is not kept at all (lru-cache refuses it).
    sizeCalculation: (value, key) => Math.max(1, bytes(value) + 2 * key.length + ENTRY_OVERHEAD_BYTES),
  });
  return {
    lru,
    async get(key: string): Promise<V | undefined> {
      return lru.get(key);
    },
    async set(key: string, value: V, options?: { ttl?: number | null }): Promise<void> {
      lru.set(key, value, options?.ttl ? { ttl: options.ttl * 1000 } : undefined);
    },
    async delete(key: string): Promise<boolean> {
      return lru.delete(key);
    },
  };
}

/** Apollo's `documentStore`, sized by what each parsed document really holds (document-size.ts). */
export function boundedDocumentStore(bounds = DOCUMENT_STORE_BOUNDS): DocumentStore & { readonly lru: LRUCache<string, DocumentNode> } {
  return keyValueCache<DocumentNode>(bounds, documentBytes);
}

/** Apollo's `cache` (automatic persisted queries' texts), sized by the texts (two bytes per UTF-16 unit at most). */
export function boundedQueryCache(bounds = QUERY_CACHE_BOUNDS): QueryCache & { readonly lru: LRUCache<string, string> } {
  return keyValueCache<string>(bounds, (text) => 2 * text.length);
}
