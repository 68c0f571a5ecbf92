/**
 * Caches keyed by what callers send are bounded by entries and by the bytes they really hold: the estimate of a
 * parsed document's heap is measured here against V8's own count, for the shapes that hold the most per token.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'graphql';
import { LocalPoolLocks } from '../../src/coordination/local';
import { createContext } from '../../src/graphql/context';
import { documentBytes } from '../../src/graphql/document-size';
import { createApolloServer } from '../../src/http/apollo';
import { boundedDocumentStore, boundedQueryCache } from '../../src/http/caches';
import { AuditLog } from '../../src/observability/audit';
import { createLogger } from '../../src/observability/logger';
import { DEFAULT_CONFIG } from '../support/config';
import { FakeGraph } from '../support/fake-graph';

const execFileAsync = promisify(execFile);

/**
 * The heap `make` keeps alive for `n` documents, measured in a fresh Node process (what is freed when they are
 * dropped): a jest worker's heap also frees earlier suites' code and contexts between two collections.
 */
async function measuredHeap(make: (i: number) => string, n: number): Promise<number> {
  const script = `
    const { parse } = require('graphql');
    const make = ${make.toString()};
    const collect = () => { gc(); gc(); return process.memoryUsage().heapUsed; };
    const texts = Array.from({ length: ${n} }, (_, i) => make(i));
    let kept = texts.map((text) => parse(text));
    const withDocuments = collect();
    kept = [];
    process.stdout.write(String(withDocuments - collect()));
    if (texts.length !== kept.length + ${n}) process.exit(1); // the texts stay alive in both counts`;
  const { stdout } = await execFileAsync(process.execPath, ['--expose-gc', '-e', script], { cwd: join(__dirname, '..', '..') });
  return Number(stdout);
}

/** The measured heap of `n` documents of a shape, and the estimate for them. */
async function heapOf(make: (i: number) => string, n = 500): Promise<{ measured: number; estimated: number }> {
  const estimated = Array.from({ length: n }, (_, i) => documentBytes(parse(make(i)))).reduce((a, b) => a + b, 0);
  return { measured: await measuredHeap(make, n), estimated };
}

describe('documentBytes', () => {
  it.each([
    ['one field, aliased (the hostile soak)', (i: number) => `query Distinct${i} { __typename a${i}: __typename }`],
    ['a flat list of short fields', (i: number) => `{ b${i} ${'a '.repeat(300)} }`],
    ['deep nesting', (i: number) => `{ b${i} ${'a{'.repeat(100)}a${'}'.repeat(100)} }`],
    ['many arguments', (i: number) => `{ b${i}(${Array.from({ length: 60 }, (_, j) => `x${j}: ${j}`).join(', ')}) }`],
    ['long strings', (i: number) => `{ a(x: "${'y'.repeat(2000)}${i}") }`],
  ])('is an upper estimate of what %s really holds, within 4×', async (_shape, make) => {
    const { measured, estimated } = await heapOf(make);
    expect(measured).toBeGreaterThan(0);
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
  const server = createApolloServer({ config: DEFAULT_CONFIG, logger, documentStore });
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
