/**
 * A tiny scripted stand-in for Microsoft Graph on loopback, for replies the emulator is (rightly) never made to give:
 * an `@odata.nextLink` to another host or path, for example. Each call — plain or a `$batch` item — is answered by
 * the test's function and recorded; `$batch` is dispatched item by item like Graph does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './net';

export interface ScriptedCall {
  method: string;
  /** The pathname as received (percent-encoding kept), e.g. /beta/deviceManagement/embeddedSIMActivationCodePools */
  path: string;
  query: Record<string, string>;
  /** True for an item of a `$batch`. */
  inBatch: boolean;
  /** The request's `Authorization` header (the `$batch` envelope's for its items). */
  authorization?: string;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface ScriptedGraph {
  /** The origin, e.g. http://127.0.0.1:40123 */
  url: string;
  /** Every call answered, `$batch` items included (the `$batch` request itself is not a call). */
  readonly calls: ScriptedCall[];
  /** HTTP requests received (a `$batch` counts once). */
  readonly httpRequests: number;
  close(): Promise<void>;
}

function split(target: string): { path: string; query: Record<string, string> } {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query: Record<string, string> = {};
  if (q >= 0) for (const [name, value] of new URLSearchParams(target.slice(q + 1))) query[name] = value;
  return { path, query };
}

export async function startScriptedGraph(answer: (call: ScriptedCall, origin: string) => ScriptedAnswer): Promise<ScriptedGraph> {
  const calls: ScriptedCall[] = [];
  let httpRequests = 0;
  let origin = '';
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    httpRequests++;
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const { path, query } = split(req.url ?? '/');
      const authorization = req.headers.authorization;
      let reply: ScriptedAnswer;
      if (method === 'POST' && path === '/beta/$batch') {
        const batch = JSON.parse(text) as { requests: Array<{ id: string; method: string; url: string }> };
        const responses = batch.requests.map((item) => {
          const itemTarget = split(`/beta${item.url.startsWith('/') ? '' : '/'}${item.url}`);
          const call: ScriptedCall = { method: item.method, ...itemTarget, inBatch: true, authorization };
          calls.push(call);
          const a = answer(call, origin);
          return { id: item.id, status: a.status, headers: { 'content-type': 'application/json', ...a.headers }, body: a.body };
        });
        reply = { status: 200, body: { responses } };
      } else {
        const call: ScriptedCall = { method, path, query, inBatch: false, authorization };
        calls.push(call);
        reply = answer(call, origin);
      }
      const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': 'application/json', 'request-id': `scripted-${httpRequests}`, ...reply.headers }).end(body);
    });
  });
  origin = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  return {
    url: origin,
    calls,
    get httpRequests() {
      return httpRequests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
