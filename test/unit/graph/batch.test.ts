/**
 * $batch items under the retry rules of single calls, with a stub `send` answering each batch from a script (the
 * end-to-end behaviour over HTTP is in test/federation/batching.test.ts).
 */
import { batchRead, GRAPH_BATCH_LIMIT, type BatchContext } from '../../../src/graph/batch';
import { GraphError, isGraphError } from '../../../src/graph/errors';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import type { GraphReply, RequestSpec } from '../../../src/graph/pipeline/request';
import type { Reply } from '../../../src/graph/odata';

interface Item {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A context whose `send` answers each batch with `answer(round, urls)` and records the requests. */
function scripted(answer: (round: number, item: { id: string; url: string }) => Item | undefined, maxRetries = 2) {
  const sent: RequestSpec[] = [];
  const context: BatchContext = {
    retry: { maxRetries, baseDelayMs: 1, maxDelayMs: 1, random: () => 0 },
    timeoutMs: 10_000,
    async send(req) {
      const round = sent.length;
      sent.push(req);
      const { requests } = JSON.parse(req.body ?? '') as { requests: Array<{ id: string; url: string }> };
      const responses = requests.map((item) => answer(round, item)).filter((item) => item !== undefined);
      return reply(200, JSON.stringify({ responses }), 'batch-req');
    },
  };
  const urls = (i: number) => (JSON.parse(sent[i].body ?? '') as { requests: Array<{ url: string }> }).requests.map((r) => r.url);
  return { context, sent, urls };
}

function reply(status: number, text: string, requestId?: string): GraphReply {
  return { status, text, requestId, headers: createHttpHeaders() };
}

const paths = (n: number) => Array.from({ length: n }, (_, i) => `/p/${i}`);
const ok = (id: string, url: string): Item => ({ id, status: 200, body: { url } });
/** The items' bodies (404: null, else the item's GraphError), through the paths as given. */
const read = (context: BatchContext, paths: string[]) => batchRead(context, paths, (path) => path, '/p/{id}', (r: Reply) => r.json);

it(`splits into batches of at most ${GRAPH_BATCH_LIMIT}, each costing one read slot per item and no write`, async () => {
  const { context, sent } = scripted((_round, { id, url }) => ok(id, url));
  expect(await read(context, paths(45))).toEqual(paths(45).map((url) => ({ url })));
  expect(sent.map((r) => r.cost)).toEqual([
    { writes: 0, reads: 20 },
    { writes: 0, reads: 20 },
    { writes: 0, reads: 5 },
  ]);
  expect(sent.every((r) => r.method === 'POST' && r.path === '/$batch' && r.pathTemplate === '/$batch(/p/{id})')).toBe(true);
});

it.each([429, 503, 504])('re-sends only the items answered %i, alone', async (status) => {
  const { context, urls } = scripted((round, { id, url }) => (round === 0 && url === '/p/1' ? { id, status } : ok(id, url)));
  expect(await read(context, paths(3))).toEqual(paths(3).map((url) => ({ url })));
  expect([urls(0), urls(1)]).toEqual([paths(3), ['/p/1']]);
});

it('does not re-send items whose status is not retried', async () => {
  const { context, sent } = scripted((_round, { id, url }) => (url === '/p/0' ? { id, status: 500 } : { id, status: 404 }));
  const results = await read(context, paths(2));
  expect(sent).toHaveLength(1);
  expect(results[0]).toMatchObject({ kind: 'http', status: 500 });
  expect(results[1]).toBeNull();
});

it("a throttled item whose retries run out is THROTTLED with Graph's wait (canonical-case headers read)", async () => {
  const { context, sent } = scripted((_round, { id }) => ({ id, status: 429, headers: { 'Retry-After': '0.001', 'Request-Id': 'item-req' } }), 2);
  const [result] = await read(context, paths(1));
  expect(sent).toHaveLength(3);
  expect(result).toMatchObject({ kind: 'throttled', status: 429, retryAfterSeconds: 1, requestId: 'item-req' });
});

it('an item Graph left out is invalid-response; a batch that failed is each of its items’ error', async () => {
  const { context } = scripted((_round, { id, url }) => (url === '/p/1' ? undefined : ok(id, url)));
  const results = await read(context, paths(2));
  expect(isGraphError(results[1]) && results[1].kind).toBe('invalid-response');
  const failure = new GraphError('down', { kind: 'network' });
  const failing: BatchContext = { ...context, send: () => Promise.reject(failure) };
  expect(await read(failing, paths(3))).toEqual([failure, failure, failure]);
});

it('a batch reply without `responses` is invalid-response for every item', async () => {
  const context: BatchContext = { ...scripted(() => undefined).context, send: async () => reply(200, '<html>') };
  const results = await read(context, paths(2));
  expect(results.map((r) => isGraphError(r) && r.kind)).toEqual(['invalid-response', 'invalid-response']);
});
