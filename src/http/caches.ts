/** Apollo's caches, keyed by what callers send: bounded by entries and by the bytes they hold (docs/performance.md). */
import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import { documentBytes } from '../graphql/document-size';

/** Bytes of one cache entry beside its key and value (lru-cache's slots, the key's string header). */
const ENTRY_OVERHEAD_BYTES = 200;

/** Most entries kept, and most bytes (keys, values and per-entry overhead), least recently used dropped first. */
type CacheBounds = { max: number; maxBytes: number };

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
export function boundedDocumentStore(bounds: CacheBounds = { max: 10_000, maxBytes: 32 * 2 ** 20 }) {
  return keyValueCache<DocumentNode>(bounds, documentBytes);
}

/** Apollo's `cache` (automatic persisted queries' texts), sized by the texts (two bytes per UTF-16 unit at most). */
export function boundedQueryCache(bounds: CacheBounds = { max: 10_000, maxBytes: 8 * 2 ** 20 }) {
  return keyValueCache<string>(bounds, (text) => 2 * text.length);
}
