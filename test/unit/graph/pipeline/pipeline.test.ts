/**
 * The order of the pipeline, seen from outside: the real chain (createGraphPipeline) over the real HttpClient to a
 * scripted server on loopback, with a counting credential and counting budgets.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import type { PipelineResponse } from '@azure/core-rest-pipeline';
import { CoordinationError, type RateBudget } from '../../../../src/coordination/types';
import type { GraphCallEvent } from '../../../../src/graph/api';
import { CachedToken } from '../../../../src/graph/pipeline/token';
import { createGraphPipeline, createPipelineParts, type PipelineParts } from '../../../../src/graph/pipeline/pipeline';
import { createRequest, type RequestSpec } from '../../../../src/graph/pipeline/request';
import { listenOnLoopback } from '../../../support/net';
import { rejection } from '../../../support/pipeline';

describe('createGraphPipeline', () => {
  let server: Server;
  let origin: string;
  const seen: IncomingHttpHeaders[] = [];
  let answers: Array<(res: ServerResponse) => void> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push(req.headers);
        const answer = answers.length > 1 ? answers.shift() : answers[0];
        answer?.(res);
      });
    });
    origin = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    seen.length = 0;
  });

  const credential = {
    calls: 0,
    async getToken(): Promise<AccessToken> {
      this.calls++;
      return { token: `t${this.calls}`, expiresOnTimestamp: Date.now() + 3600_000 };
    },
  } satisfies TokenCredential & { calls: number };
  const budget = (failure?: CoordinationError): RateBudget & { taken: number } => ({
    enabled: true,
    taken: 0,
    async take() {
      if (failure) throw failure;
      this.taken++;
    },
  });

  async function withPipeline(
    setup: { timeoutMs?: number; writes?: RateBudget; reads?: RateBudget },
    body: (send: (spec?: Partial<RequestSpec>) => Promise<PipelineResponse>, events: GraphCallEvent[], parts: PipelineParts) => Promise<void>,
  ): Promise<void> {
    const events: GraphCallEvent[] = [];
    const parts = createPipelineParts(origin, {
      scope: 'https://graph.microsoft.com/.default',
      timeoutMs: setup.timeoutMs,
      retry: { baseDelayMs: 1, maxDelayMs: 1 },
      budgets: { writes: setup.writes, reads: setup.reads },
      onCall: (e) => events.push(e),
    });
    credential.calls = 0;
    try {
      const pipeline = createGraphPipeline(parts, new CachedToken(credential, parts.token));
      const send = (spec: Partial<RequestSpec> = {}) =>
        pipeline.sendRequest(parts.httpClient, createRequest(parts.httpClient.urlBase, { method: 'GET', path: '/things', pathTemplate: '/things', ...spec }));
      await body(send, events, parts);
    } finally {
      await parts.httpClient.close();
    }
  }

  it('telemetry sees the call once; every attempt gets the (cached) token and takes budget', async () => {
    answers = [(res) => res.writeHead(429, { 'retry-after': '0.01' }).end(), (res) => res.writeHead(200).end('{}')];
    const writes = budget();
    const reads = budget();
    await withPipeline({ writes, reads }, async (send, events) => {
      const reply = await send({ method: 'POST', path: '/pools/1/assign', pathTemplate: '/pools/{id}/assign', body: '{}' });
      expect(reply.status).toBe(200);
      expect(events).toMatchObject([{ status: 200, retries: 1, throttled: 1 }]);
    });
    expect(seen.map((h) => [h.authorization, h['retry-attempt']])).toEqual([
      ['Bearer t1', undefined],
      ['Bearer t1', '1'],
    ]);
    expect(credential.calls).toBe(1);
    expect([writes.taken, reads.taken]).toEqual([2, 2]);
  });

  it('the deadline bounds the retries: a wait past it is not taken', async () => {
    answers = [(res) => res.writeHead(503, { 'retry-after': '1' }).end()];
    await withPipeline({ timeoutMs: 300 }, async (send, events) => {
      const error = await rejection(send());
      expect(error).toMatchObject({ kind: 'http', status: 503, retryAfterSeconds: 1 });
      expect(events).toMatchObject([{ status: 503, retries: 0, errorKind: 'http' }]);
    });
    expect(seen).toHaveLength(1);
  });

  it('a hung call ends at the deadline as `timeout`, reported once', async () => {
    answers = [() => undefined];
    await withPipeline({ timeoutMs: 200 }, async (send, events) => {
      const error = await rejection(send());
      expect(error).toMatchObject({ kind: 'timeout' });
      expect(events).toMatchObject([{ errorKind: 'timeout', retries: 0 }]);
    });
  });

  it('a refused budget never reaches Graph, and is reported as `rejected`', async () => {
    answers = [(res) => res.writeHead(200).end('{}')];
    await withPipeline({ reads: budget(new CoordinationError('full', 'budget-exhausted', 4)) }, async (send, events) => {
      const error = await rejection(send());
      expect(error).toMatchObject({ kind: 'rejected', status: 429, retryAfterSeconds: 4 });
      expect(events).toMatchObject([{ errorKind: 'rejected', status: 429 }]);
    });
    expect(seen).toHaveLength(0);
  });

  it('without budgets given, writes go through an in-process budget from the defaults and reads are not budgeted', async () => {
    await withPipeline({}, async (_send, _events, parts) => {
      expect(parts.budgets.writes?.enabled).toBe(true);
      expect(parts.budgets.reads).toBeUndefined();
    });
  });
});
