/**
 * Caches keyed by what callers send are bounded by entries and by the bytes they really hold: the estimate of a
 * parsed document's heap is measured here against V8's own count, for the shapes that hold the most per token.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parse, type DocumentNode } from 'graphql';
import { LocalPoolLocks } from '../../src/coordination/local';
import { createContext } from '../../src/graphql/context';
import { documentBytes } from '../../src/graphql/document-size';
import { createApolloServer } from '../../src/http/apollo';
import { boundedDocumentStore, boundedQueryCache } from '../../src/http/caches';
import { AuditLog } from '../../src/observability/audit';
import { createLogger } from '../../src/observability/logger';
import { FakeGraph } from '../support/fake-graph';

setFlagsFromString('--expose-gc');
// V8 drops the bytecode of functions unused for a few collections: earlier suites' code would be freed mid-measure.
setFlagsFromString('--no-flush-bytecode');
const gc = runInNewContext('gc') as () => void;

/** A full collection, twice: objects freed by the first one's finalization go in the second. */
function collect(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * The heap `make` keeps alive for `n` documents (what is freed when they are dropped: the only difference between
 * the two states, whatever else the process holds), and the estimate for them.
 */
function heapOf(make: (i: number) => string, n = 500): { measured: number; estimated: number } {
  const texts = Array.from({ length: n }, (_, i) => make(i));
  let kept: DocumentNode[] = texts.map((text) => parse(text));
  const withDocuments = collect();
  const estimated = kept.reduce((sum, document) => sum + documentBytes(document), 0);
  kept = [];
  const measured = withDocuments - collect();
  expect(kept).toHaveLength(0);
  return { measured, estimated };
}

describe('documentBytes', () => {
  it.each([
    ['one field, aliased (the hostile soak)', (i: number) => `query Distinct${i} { __typename a${i}: __typename }`],
    ['a flat list of short fields', (i: number) => `{ b${i} ${'a '.repeat(300)} }`],
    ['deep nesting', (i: number) => `{ b${i} ${'a{'.repeat(100)}a${'}'.repeat(100)} }`],
    ['many arguments', (i: number) => `{ b${i}(${Array.from({ length: 60 }, (_, j) => `x${j}: ${j}`).join(', ')}) }`],
    ['long strings', (i: number) => `{ a(x: "${'y'.repeat(2000)}${i}") }`],
  ])('is an upper estimate of what %s really holds, within 4×', async (_shape, make) => {
    // Earlier suites' garbage (finalizers, objects kept alive for the current job) is let go first.
    await new Promise((resolve) => setImmediate(resolve));
    collect();
    const { measured, estimated } = heapOf(make);
    expect(estimated).toBeGreaterThanOrEqual(measured);
    expect(estimated).toBeLessThanOrEqual(4 * measured);
  });
});

describe('boundedDocumentStore', () => {
  const documents = Array.from({ length: 300 }, (_, i) => parse(`query Q${i} { __typename a${i}: __typename }`));

  it('keeps at most maxBytes of documents, least recently used dropped first', async () => {
    const maxBytes = 50 * documentBytes(documents[0]);
    const store = boundedDocumentStore({ max: 10_000, maxBytes });
    for (const [i, document] of documents.entries()) await store.set(`k${i}`, document);
    expect(store.lru.calculatedSize).toBeLessThanOrEqual(maxBytes);
    expect(store.lru.size).toBeGreaterThan(20);
    expect(store.lru.size).toBeLessThan(50);
    expect(await store.get('k299')).toBe(documents[299]);
    expect(await store.get('k0')).toBeUndefined();
  });

  it('keeps at most max documents', async () => {
    const store = boundedDocumentStore({ max: 10, maxBytes: 2 ** 30 });
    for (const [i, document] of documents.entries()) await store.set(`k${i}`, document);
    expect(store.lru.size).toBe(10);
    expect(await store.get('k290')).toBe(documents[290]);
  });
});

it('boundedQueryCache counts each text (and its key) and honours TTLs in seconds', async () => {
  const cache = boundedQueryCache({ max: 1000, maxBytes: 100_000 });
  for (let i = 0; i < 100; i++) await cache.set(`apq:${i}`, `{ a${i}: __typename ${'b '.repeat(500)} }`);
  expect(cache.lru.calculatedSize).toBeLessThanOrEqual(100_000);
  expect(cache.lru.size).toBeLessThan(100);
  await cache.set('ttl', '{ __typename }', { ttl: 300 });
  expect(cache.lru.getRemainingTTL('ttl')).toBeGreaterThan(299_000);
});

it("Apollo Server keeps its parsed documents in the bounded store it is given", async () => {
  const documentStore = boundedDocumentStore({ max: 10, maxBytes: 2 ** 30 });
  const logger = createLogger('silent');
  const server = createApolloServer({ config: { production: false, introspection: true }, logger, documentStore });
  const edits = { locks: new LocalPoolLocks(), audit: new AuditLog(logger), lockWaitMs: 1000 };
  await server.start();
  try {
    for (let i = 0; i < 30; i++) {
      const response = await server.executeOperation({ query: `query Distinct${i} { __typename a${i}: __typename }` }, { contextValue: createContext(`r${i}`, new FakeGraph(), undefined, undefined, edits) });
      expect(response.body.kind).toBe('single');
    }
    expect(documentStore.lru.size).toBe(10);
  } finally {
    await server.stop();
  }
});
