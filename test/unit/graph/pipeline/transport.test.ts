/** The transport against a real HTTP server on loopback: what goes on the wire, and how the wire fails. */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { isGraphError } from '../../../../src/graph/errors';
import { GRAPH_CLIENT_DEFAULTS } from '../../../../src/graph/options';
import { GraphTransport, type TransportOptions } from '../../../../src/graph/pipeline/transport';
import { listenOnLoopback } from '../../../support/net';
import { rejection, request } from '../../../support/pipeline';

interface Received {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let origin: string;
const received: Received[] = [];
let handle: (res: ServerResponse) => void = (res) => res.end();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      handle(res);
    });
  });
  origin = `http://127.0.0.1:${await listenOnLoopback(server)}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  received.length = 0;
});

const options = (overrides: Partial<TransportOptions> = {}): TransportOptions => ({ ...GRAPH_CLIENT_DEFAULTS, maxConnections: 2, ...overrides });

async function withTransport(endpoint: string, body: (t: GraphTransport) => Promise<void>, overrides?: Partial<TransportOptions>): Promise<void> {
  const transport = new GraphTransport(endpoint, options(overrides));
  try {
    await body(transport);
  } finally {
    await transport.close();
  }
}

it('sends the request below the version segment (and any path prefix) with its headers and body', async () => {
  handle = (res) => res.writeHead(201, { 'request-id': 'graph-1', 'content-type': 'application/json' }).end('{"ok":true}');
  await withTransport(`${origin}/proxy/`, async (transport) => {
    const req = request({ method: 'POST', path: '/pools/1/assign', body: '{"assignments":[]}' });
    req.headers.authorization = 'Bearer t';
    const reply = await transport.sendRequest(req);
    expect(reply).toMatchObject({ status: 201, text: '{"ok":true}', requestId: 'graph-1' });
    expect(reply.headers['content-type']).toBe('application/json');
    expect(transport.basePath).toBe('/proxy/beta');
  });
  expect(received).toHaveLength(1);
  expect(received[0]).toMatchObject({ method: 'POST', url: '/proxy/beta/pools/1/assign', body: '{"assignments":[]}' });
  expect(received[0].headers).toMatchObject({ authorization: 'Bearer t', accept: 'application/json', 'content-type': 'application/json' });
  expect(received[0].headers['client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
});

it('returns an error status as a reply: what it means is for the retry policy', async () => {
  handle = (res) => res.writeHead(503, { 'retry-after': '3' }).end('busy');
  await withTransport(origin, async (transport) => {
    const reply = await transport.sendRequest(request());
    expect(reply).toMatchObject({ status: 503, text: 'busy' });
    expect(reply.headers['retry-after']).toBe('3');
  });
});

it('a refused connection is `network` before any reply (repeatable)', async () => {
  const closed = createServer();
  const port = await listenOnLoopback(closed);
  await new Promise((resolve) => closed.close(resolve));
  await withTransport(`http://127.0.0.1:${port}`, async (transport) => {
    const error = await rejection(transport.sendRequest(request()));
    expect(error).toMatchObject({ kind: 'network', beforeReply: true });
  });
});

it('a connection reset in the middle of the body is `network` after the reply began (not repeatable)', async () => {
  handle = (res) => {
    res.writeHead(200, { 'content-length': '100', 'request-id': 'graph-2' });
    res.write('{"value":[');
    setImmediate(() => res.socket?.destroy());
  };
  await withTransport(origin, async (transport) => {
    const error = await rejection(transport.sendRequest(request()));
    expect(error).toMatchObject({ kind: 'network', beforeReply: false, requestId: 'graph-2' });
  });
});

it('a fired signal (whatever its reason) is `aborted`', async () => {
  handle = () => undefined; // never answers
  await withTransport(origin, async (transport) => {
    const controller = new AbortController();
    const req = request({}, { signal: controller.signal });
    req.deadline = Date.now() + 60_000;
    const call = transport.sendRequest(req);
    while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    const error = await rejection(call);
    expect(isGraphError(error) && error.kind).toBe('aborted');
  });
});

it("undici's headers timeout, bounded by the call's deadline, is `timeout`", async () => {
  handle = () => undefined;
  await withTransport(origin, async (transport) => {
    const req = request();
    req.deadline = Date.now() + 50;
    const error = await rejection(transport.sendRequest(req));
    expect(isGraphError(error) && error.kind).toBe('timeout');
  });
});
