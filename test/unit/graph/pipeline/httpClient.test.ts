/** The undici HttpClient against a real HTTP server on loopback: what goes on the wire, and how the wire fails. */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { isGraphError } from '../../../../src/graph/errors';
import { GRAPH_CLIENT_DEFAULTS } from '../../../../src/graph/options';
import { isRestError, RestError, type PipelineRequest } from '@azure/core-rest-pipeline';
import type { CallOptions } from '../../../../src/graph/api';
import { UndiciHttpClient, type HttpClientOptions } from '../../../../src/graph/pipeline/httpClient';
import { callOf, createRequest, type RequestSpec } from '../../../../src/graph/pipeline/request';
import { listenOnLoopback } from '../../../support/net';
import { rejection } from '../../../support/pipeline';

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

const options = (overrides: Partial<HttpClientOptions> = {}): HttpClientOptions => ({ ...GRAPH_CLIENT_DEFAULTS, maxConnections: 2, ...overrides });

/** A request to this client's Graph. */
const on = (client: UndiciHttpClient, spec: Partial<RequestSpec> = {}, callOptions?: CallOptions): PipelineRequest =>
  createRequest(client.urlBase, { method: 'GET', path: '/things', pathTemplate: '/things', ...spec }, callOptions);

async function withTransport(endpoint: string, body: (t: UndiciHttpClient) => Promise<void>, overrides?: Partial<HttpClientOptions>): Promise<void> {
  const transport = new UndiciHttpClient(endpoint, options(overrides));
  try {
    await body(transport);
  } finally {
    await transport.close();
  }
}

it('sends the request below the version segment (and any path prefix) with its headers and body', async () => {
  handle = (res) => res.writeHead(201, { 'request-id': 'graph-1', 'content-type': 'application/json' }).end('{"ok":true}');
  await withTransport(`${origin}/proxy/`, async (transport) => {
    const req = on(transport, { method: 'POST', path: '/pools/1/assign', body: '{"assignments":[]}' });
    req.headers.set('authorization', 'Bearer t');
    const reply = await transport.sendRequest(req);
    expect(reply).toMatchObject({ status: 201, bodyAsText: '{"ok":true}' });
    expect([reply.headers.get('request-id'), reply.headers.get('content-type')]).toEqual(['graph-1', 'application/json']);
    expect(transport.basePath).toBe('/proxy/beta');
    expect(req.url.startsWith('https://')).toBe(true); // what the bearer policy checks; the pool still speaks plain HTTP here
  });
  expect(received).toHaveLength(1);
  expect(received[0]).toMatchObject({ method: 'POST', url: '/proxy/beta/pools/1/assign', body: '{"assignments":[]}' });
  expect(received[0].headers).toMatchObject({ authorization: 'Bearer t', accept: 'application/json', 'content-type': 'application/json' });
  expect(received[0].headers['client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
});

it('returns an error status as a reply: what it means is for the retry policy', async () => {
  handle = (res) => res.writeHead(503, { 'retry-after': '3' }).end('busy');
  await withTransport(origin, async (transport) => {
    const reply = await transport.sendRequest(on(transport));
    expect(reply).toMatchObject({ status: 503, bodyAsText: 'busy' });
    expect(reply.headers.get('retry-after')).toBe('3');
  });
});

it('a refused connection is a RestError REQUEST_SEND_ERROR (the retry rules may repeat it)', async () => {
  const closed = createServer();
  const port = await listenOnLoopback(closed);
  await new Promise((resolve) => closed.close(resolve));
  await withTransport(`http://127.0.0.1:${port}`, async (transport) => {
    const req = on(transport);
    const error = await rejection(transport.sendRequest(req));
    expect(isRestError(error) && [error.code, error.request]).toEqual([RestError.REQUEST_SEND_ERROR, req]);
  });
});

it('a connection reset in the middle of the body is `network` after the reply began (not repeatable)', async () => {
  handle = (res) => {
    res.writeHead(200, { 'content-length': '100', 'request-id': 'graph-2' });
    res.write('{"value":[');
    setImmediate(() => res.socket?.destroy());
  };
  await withTransport(origin, async (transport) => {
    const error = await rejection(transport.sendRequest(on(transport)));
    expect(error).toMatchObject({ kind: 'network', beforeReply: false, requestId: 'graph-2' });
  });
});

it('a fired signal (whatever its reason) is `aborted`', async () => {
  handle = () => undefined; // never answers
  await withTransport(origin, async (transport) => {
    const controller = new AbortController();
    const req = on(transport, {}, { signal: controller.signal });
    callOf(req).deadline = Date.now() + 60_000;
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
    const req = on(transport);
    callOf(req).deadline = Date.now() + 50;
    const error = await rejection(transport.sendRequest(req));
    expect(isGraphError(error) && error.kind).toBe('timeout');
  });
});
