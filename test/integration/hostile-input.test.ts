/**
 * What outside test suites and fuzzers send: compressed bodies, media types in any letter case, other charsets,
 * malformed JSON, deeply nested variables, bad entity representations. Each answers a 4xx or a GraphQL error with
 * its code, never a 500, over real HTTP.
 */
import { expect } from '@jest/globals';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { request } from 'undici';
import { DEFAULT_CONFIG } from '../support/config';
import { createLogger } from '../../src/observability/logger';
import { useStack } from '../support/stack';

/** The subgraph's log lines at error level (a caller's bad input is no error of the service). */
const errorLines: string[] = [];
const fixture = useStack({
  logger: createLogger('error', {
    write(line: string) {
      errorLines.push(line);
    },
  }),
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }> };
}

async function post(body: Buffer | string, headers: Record<string, string>): Promise<Reply> {
  const res = await request(fixture.stack.url, { method: 'POST', headers, body });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, body: JSON.parse(text) as Reply['body'] };
}

const TYPENAME = JSON.stringify({ query: '{ __typename }' });
const JSON_TYPE = { 'content-type': 'application/json' };

describe('compressed request bodies (Apollo Router traffic shaping)', () => {
  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('%s is decoded', async (encoding, compress) => {
    const reply = await post(compress(Buffer.from(TYPENAME)), { ...JSON_TYPE, 'content-encoding': encoding });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ data: { __typename: 'Query' } });
  });

  it('codings in sequence are undone in reverse order; identity and letter case are ignored', async () => {
    const body = brotliCompressSync(gzipSync(Buffer.from(TYPENAME)));
    const reply = await post(body, { ...JSON_TYPE, 'content-encoding': 'GZip, identity, BR' });
    expect(reply.body).toEqual({ data: { __typename: 'Query' } });
  });

  it('an unknown Content-Encoding is 415', async () => {
    const reply = await post(Buffer.from(TYPENAME), { ...JSON_TYPE, 'content-encoding': 'zstd' });
    expect(reply.status).toBe(415);
    expect(reply.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' }, message: expect.stringContaining('zstd') });
  });

  it('a body that is not what its encoding says is 400', async () => {
    const reply = await post(Buffer.from(TYPENAME), { ...JSON_TYPE, 'content-encoding': 'gzip' });
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });

  it('the limit is on the decoded size: a small zip bomb is 413', async () => {
    // 16 MiB of spaces inside a valid JSON body, 16 KiB compressed: far below the limit as sent.
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"query":"{ __typename }","x":"'), Buffer.alloc(16 * 2 ** 20, 0x20), Buffer.from('"}')]));
    expect(bomb.length).toBeLessThan(DEFAULT_CONFIG.maxBodyBytes);
    const reply = await post(bomb, { ...JSON_TYPE, 'content-encoding': 'gzip' });
    expect(reply.status).toBe(413);
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a compressed body just under the limit decoded is served', async () => {
    const padding = ' '.repeat(DEFAULT_CONFIG.maxBodyBytes - TYPENAME.length - 10);
    const reply = await post(gzipSync(Buffer.from(`${padding}${TYPENAME}`)), { ...JSON_TYPE, 'content-encoding': 'gzip' });
    expect(reply.body).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('media types', () => {
  it.each(['Application/JSON', 'APPLICATION/JSON; Charset=UTF-8', 'application/json; charset="utf-8"', '  application/json  ; charset=utf-8'])(
    '%s is JSON',
    async (contentType) => {
      const reply = await post(TYPENAME, { 'content-type': contentType });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ data: { __typename: 'Query' } });
    },
  );

  it.each(['utf-16', 'ISO-8859-1', 'us-ascii'])('charset=%s is 415, never decoded as UTF-8', async (charset) => {
    const reply = await post(TYPENAME, { 'content-type': `application/json; charset=${charset}` });
    expect(reply.status).toBe(415);
    expect(reply.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' }, message: expect.stringContaining('UTF-8') });
  });
});

describe('malformed JSON', () => {
  it('is 400 with a JSON body saying "Invalid JSON", never quoting the body', async () => {
    const reply = await post('{"query": "{ __typename }", secret-looking-text', JSON_TYPE);
    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(reply.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' }, message: expect.stringContaining('Invalid JSON') });
    expect(reply.text).not.toContain('secret-looking-text');
  });
});

describe('deeply nested variables', () => {
  const depth = 10_000;
  const lists = `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const objects = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const post4xx = async (query: string, variables: string): Promise<Reply> => {
    const reply = await post(`{"query":${JSON.stringify(query)},"variables":${variables}}`, JSON_TYPE);
    expect(reply.status).toBe(400);
    return reply;
  };

  it('a 10,000-deep list for an unused variable is 400 GRAPHQL_VALIDATION_FAILED, not a 500', async () => {
    const reply = await post4xx('query ($v: [String]) { __typename }', `{"v":${lists}}`);
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it.each([
    ['a list', lists],
    ['an object', objects],
    ['a list under activationCodes (the secrecy walk)', `{"activationCodes":${lists}}`],
    ['an object under activationCodes', `{"activationCodes":${objects}}`],
  ])('%s 10,000 deep for a used variable is 400 BAD_USER_INPUT', async (_shape, value) => {
    const reply = await post4xx('query ($v: Boolean!) { __typename @include(if: $v) }', `{"v":${value}}`);
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('_entities with a Group representation', () => {
  const GROUP = '3a1f6c2e-8d4b-4e9a-b7c5-1d2e3f4a5b60';
  const ENTITIES = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Group { id } } }';

  it.each([
    ['missing', { __typename: 'Group' }],
    ['null', { __typename: 'Group', id: null }],
    ['a number', { __typename: 'Group', id: 42 }],
    ['not a GUID', { __typename: 'Group', id: 'not-a-guid' }],
  ])('whose id is %s is BAD_USER_INPUT naming representations[i].id', async (_kind, representation) => {
    const reply = await fixture.stack.graphql(ENTITIES, { r: [{ __typename: 'Group', id: GROUP }, representation] });
    expect(reply.status).toBe(200);
    expect(reply.body.data?._entities).toEqual([{ id: GROUP }, null]);
    expect(reply.body.errors).toEqual([
      expect.objectContaining({ path: ['_entities', 1], extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'representations[1].id' }) }),
    ]);
    expect(errorLines).toEqual([]);
  });
});
