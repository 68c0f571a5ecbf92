/**
 * Inbound authentication and hardening over real HTTP: the subgraph (app-only mode) in front of the Graph
 * emulator, verifying tokens with jose against the local HTTPS IdP's JWKS (real RSA keys, real TLS).
 * Every refusal is also checked to have cost no request to Graph.
 */
import { expect } from '@jest/globals';
import { createPublicKey, generateKeyPairSync, randomUUID, type JsonWebKey } from 'node:crypto';
import * as https from 'node:https';
import { SignJWT, UnsecuredJWT, generateKeyPair, type KeyLike } from 'jose';
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { DEFAULT_LIMITS } from '../../src/graphql/limits';
import { startTestIdp, type TestIdp } from '../support/idp';
import { appToken, bearer, gateFor, memoryLogger, userToken } from '../support/auth';
import { ASSIGN_SAMPLE_GROUP as ASSIGN } from '../support/documents';
import { startStack, postGraphQL, type GraphQLReply, type Stack } from '../support/stack';

const POOL = SAMPLE_POOLS[0].id;
const ALICE = 'a11ce000-0000-4000-8000-00000000a11c';
const READ = /* GraphQL */ `query { embeddedSIMActivationCodePools(first: 2) { edges { node { id displayName } } } }`;
const POOL_BY_ID = /* GraphQL */ `query ($id: ID!) { embeddedSIMActivationCodePool(id: $id) { id displayName } }`;

let idp: TestIdp;
let stack: Stack;
let log: ReturnType<typeof memoryLogger>;

/** A token with every claim the IdP would give Alice (tenant, issuer, audience, an hour to live), signed outside it. */
async function signedElsewhere(alg: string, kid: string, key: KeyLike | Uint8Array, scp = 'EsimPools.Assign'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ oid: ALICE, tid: idp.tenantId, scp, ver: '2.0' })
    .setProtectedHeader({ alg, typ: 'JWT', kid })
    .setIssuer(idp.issuerV2)
    .setAudience(idp.apiAudience)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(key);
}

const jwksPath = () => `/${idp.tenantId}/discovery/v2.0/keys`;
const jwksFetches = () => idp.requestLog.filter((e) => e.method === 'GET' && e.path === jwksPath()).length;

function expectRefused(reply: GraphQLReply, status: number, code: string): string {
  expect(reply.status).toBe(status);
  expect(reply.body.data).toBeUndefined();
  expect(reply.body.errors).toHaveLength(1);
  expect(reply.body.errors?.[0].extensions?.code).toBe(code);
  return reply.body.errors?.[0].message ?? '';
}

beforeAll(async () => {
  idp = await startTestIdp();
  log = memoryLogger();
  stack = await startStack({ auth: (graph) => gateFor(idp, graph, { logger: log.logger }), logger: log.logger });
}, 30_000);

afterAll(async () => {
  await stack?.stop();
  await idp?.close();
});

beforeEach(() => stack.emulator.reset());

describe('authentication (HTTP 401 before Apollo runs)', () => {
  it('no token → 401 UNAUTHENTICATED with WWW-Authenticate: Bearer; Graph not called', async () => {
    const reply = await stack.graphql(READ);
    expectRefused(reply, 401, 'UNAUTHENTICATED');
    expect(reply.headers['www-authenticate']).toBe('Bearer');
    expect(reply.headers['x-request-id']).toEqual(expect.any(String));
    const basic = await stack.graphql(READ, undefined, { authorization: 'Basic dXNlcjpwYXNz' });
    expectRefused(basic, 401, 'UNAUTHENTICATED');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('a token for another audience → 401', async () => {
    const token = await userToken(idp, ALICE, 'EsimPools.Read', {}, { audience: 'api://some-other-api' });
    const reply = await stack.graphql(READ, undefined, bearer(token));
    expect(expectRefused(reply, 401, 'UNAUTHENTICATED')).toContain('audience');
    expect(reply.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token", error_description="[^"]*audience/);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('a token from another issuer (signed with the right key) → 401', async () => {
    const token = await userToken(idp, ALICE, 'EsimPools.Read', {}, { issuer: 'https://login.microsoftonline.com/00000000-0000-4000-8000-0000000e71a0/v2.0' });
    const reply = await stack.graphql(READ, undefined, bearer(token));
    expect(expectRefused(reply, 401, 'UNAUTHENTICATED')).toContain('issuer');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('an expired token → 401 (beyond the clock tolerance)', async () => {
    const token = await userToken(idp, ALICE, 'EsimPools.Read', {}, { expiresInSeconds: -120 });
    const reply = await stack.graphql(READ, undefined, bearer(token));
    expect(expectRefused(reply, 401, 'UNAUTHENTICATED')).toContain('expired');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('a token not valid yet (nbf in 10 minutes) → 401', async () => {
    const token = await userToken(idp, ALICE, 'EsimPools.Read', {}, { notBeforeOffsetSeconds: 600 });
    const reply = await stack.graphql(READ, undefined, bearer(token));
    expect(expectRefused(reply, 401, 'UNAUTHENTICATED')).toContain('not valid yet');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('alg: none → 401, without even fetching keys', async () => {
    const now = Math.floor(Date.now() / 1000);
    const before = jwksFetches();
    const token = new UnsecuredJWT({ oid: ALICE, tid: idp.tenantId, scp: 'EsimPools.Assign', ver: '2.0' })
      .setIssuer(idp.issuerV2)
      .setAudience(idp.apiAudience)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .encode();
    expect(token.endsWith('.')).toBe(true);
    const reply = await stack.graphql(READ, undefined, bearer(token));
    expect(expectRefused(reply, 401, 'UNAUTHENTICATED')).toContain('algorithm');
    expect(jwksFetches()).toBe(before);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('HS256 signed with the IdP’s public key (algorithm confusion) → 401', async () => {
    const jwks = await new Promise<string>((resolve, reject) => {
      https
        .get(idp.jwksUrl, { ca: idp.caPem }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    const { keys } = JSON.parse(jwks) as { keys: Array<JsonWebKey & { kid?: string }> };
    const jwk = keys.find((k) => k.kid === idp.activeKid);
    if (jwk === undefined) throw new Error('the active key is not in the JWKS');
    const publicPem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    const token = await signedElsewhere('HS256', idp.activeKid, new TextEncoder().encode(publicPem));
    const reply = await stack.graphql(ASSIGN, { poolId: POOL }, bearer(token));
    expect(expectRefused(reply, 401, 'UNAUTHENTICATED')).toContain('algorithm');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('a forged token (the IdP’s kid, another key) → 401 bad signature', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await signedElsewhere('RS256', idp.activeKid, privateKey);
    const reply = await stack.graphql(ASSIGN, { poolId: POOL }, bearer(token));
    expect(expectRefused(reply, 401, 'UNAUTHENTICATED')).toContain('signature');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('garbage in the Authorization header → 401, never a crash', async () => {
    for (const token of ['not-a-jwt', 'a.b', 'x'.repeat(10_000), 'e30.e30.', 'e30.e30.e30', '..']) {
      const reply = await stack.graphql(READ, undefined, bearer(token));
      expectRefused(reply, 401, 'UNAUTHENTICATED');
    }
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('GET operations need a token too; only the development Sandbox page (no operation in the URL) is open', async () => {
    const query = encodeURIComponent('{ embeddedSIMActivationCodePool(id: "' + POOL + '") { id } }');
    const get = await fetch(`${stack.url}?query=${query}`, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(401);
    const getHtml = await fetch(`${stack.url}?query=${query}`, { headers: { accept: 'text/html' } });
    expect(getHtml.status).toBe(401);
    const sandbox = await fetch(stack.url, { headers: { accept: 'text/html' } });
    expect(sandbox.status).toBe(200);
    expect(sandbox.headers.get('content-type')).toMatch(/text\/html/);
    const token = await userToken(idp, ALICE, 'EsimPools.Read');
    const withToken = await fetch(`${stack.url}?query=${query}`, { headers: { ...bearer(token), accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect(withToken.status).toBe(200);
    expect(await withToken.json()).toEqual({ data: { embeddedSIMActivationCodePool: { id: POOL } } });
  });

  it('accepts v1 and v2 tokens of the tenant, for either configured audience', async () => {
    const v1 = await userToken(idp, ALICE, 'EsimPools.Read', {}, { issuer: idp.issuerV1 });
    const v2 = await userToken(idp, ALICE, 'EsimPools.Read', {}, { audience: '0e5a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b' });
    for (const token of [v1, v2]) {
      const reply = await stack.graphql(READ, undefined, bearer(token));
      expect(reply.status).toBe(200);
      expect(reply.body.errors).toBeUndefined();
    }
  });
});

describe('permissions (FORBIDDEN, HTTP 403, before any resolver)', () => {
  it('a valid delegated token without the scope → 403 FORBIDDEN; Graph not called', async () => {
    const token = await userToken(idp, ALICE, 'User.Read openid');
    for (const [query, variables] of [
      [READ, undefined],
      [ASSIGN, { poolId: POOL }],
    ] as const) {
      const reply = await stack.graphql(query, variables, bearer(token));
      expect(expectRefused(reply, 403, 'FORBIDDEN')).toContain('EsimPools.');
    }
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('a valid app token without the role → 403 FORBIDDEN; Graph not called', async () => {
    const token = await appToken(idp, ['Some.Other.Role']);
    expectRefused(await stack.graphql(READ, undefined, bearer(token)), 403, 'FORBIDDEN');
    expectRefused(await stack.graphql(ASSIGN, { poolId: POOL }, bearer(token)), 403, 'FORBIDDEN');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('an app role in a delegated token’s scp, or a scope in an app token’s roles, does not count', async () => {
    const user = await userToken(idp, ALICE, 'User.Read', { roles: ['EsimPools.Assign'] });
    expectRefused(await stack.graphql(ASSIGN, { poolId: POOL }, bearer(user)), 403, 'FORBIDDEN');
    const app = await appToken(idp, [], { scp: undefined, roles: ['EsimPools.Read'] });
    expectRefused(await stack.graphql(ASSIGN, { poolId: POOL }, bearer(app)), 403, 'FORBIDDEN');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('delegated EsimPools.Read: queries work, the mutation is FORBIDDEN', async () => {
    const token = await userToken(idp, ALICE, 'openid EsimPools.Read');
    const read = await stack.graphql(READ, undefined, bearer(token));
    expect(read.status).toBe(200);
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data).toMatchObject({ embeddedSIMActivationCodePools: { edges: expect.any(Array) } });
    const byId = await stack.graphql(POOL_BY_ID, { id: POOL }, bearer(token));
    expect(byId.body.data).toEqual({ embeddedSIMActivationCodePool: { id: POOL, displayName: SAMPLE_POOLS[0].displayName } });
    const calls = stack.emulator.requests.length;
    expect(expectRefused(await stack.graphql(ASSIGN, { poolId: POOL }, bearer(token)), 403, 'FORBIDDEN')).toContain('EsimPools.Assign');
    expect(stack.emulator.requests).toHaveLength(calls);
  });

  it('delegated EsimPools.Assign: the mutation and queries work', async () => {
    const token = await userToken(idp, ALICE, 'EsimPools.Assign');
    const assign = await stack.graphql(ASSIGN, { poolId: POOL }, bearer(token));
    expect(assign.body.errors).toBeUndefined();
    expect(stack.emulator.requests.filter((r) => r.path.endsWith('/assign'))).toHaveLength(1);
    const read = await stack.graphql(READ, undefined, bearer(token));
    expect(read.body.errors).toBeUndefined();
  });

  it('app role EsimPools.Read reads; app role EsimPools.Assign assigns', async () => {
    const reader = await appToken(idp, ['EsimPools.Read']);
    expect((await stack.graphql(READ, undefined, bearer(reader))).body.errors).toBeUndefined();
    expectRefused(await stack.graphql(ASSIGN, { poolId: POOL }, bearer(reader)), 403, 'FORBIDDEN');
    const assigner = await appToken(idp, ['EsimPools.Assign']);
    const reply = await stack.graphql(ASSIGN, { poolId: POOL }, bearer(assigner));
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data).toMatchObject({ assignEmbeddedSIMActivationCodePool: { assignments: [{ id: expect.any(String) }] } });
  });

  it('permission names are configurable', async () => {
    const custom = await startStack({
      auth: (graph) => gateFor(idp, graph, { auth: { permissions: { read: 'Pools.View', assign: 'Pools.Manage', manage: 'Pools.Admin' } } }),
    });
    try {
      const old = await userToken(idp, ALICE, 'EsimPools.Assign');
      expectRefused(await custom.graphql(READ, undefined, bearer(old)), 403, 'FORBIDDEN');
      const viewer = await userToken(idp, ALICE, 'Pools.View');
      expect((await custom.graphql(READ, undefined, bearer(viewer))).body.errors).toBeUndefined();
      expect(expectRefused(await custom.graphql(ASSIGN, { poolId: POOL }, bearer(viewer)), 403, 'FORBIDDEN')).toContain('Pools.Manage');
    } finally {
      await custom.stop();
    }
  });

  it('logs refusals with a reason, never the token', async () => {
    const token = await userToken(idp, ALICE, 'EsimPools.Read', {}, { audience: 'api://nope' });
    await stack.graphql(READ, undefined, bearer(token));
    const refusal = log.lines().find((l) => l.msg === 'request refused' && l.reason === 'wrong_audience');
    expect(refusal).toMatchObject({ status: 401, requestId: expect.any(String) });
    expect(log.text()).not.toContain(token);
    expect(log.text()).not.toContain(token.split('.')[2]);
  });
});

describe('signing keys', () => {
  it('an unknown kid is refused (refetching at most once per cooldown); a rotated key works after a refetch', async () => {
    // Its own IdP: rotating the shared one would leave the other stacks (30 s cooldown) with an unknown kid.
    const idp = await startTestIdp();
    const jwksFetches = () => idp.requestLog.filter((e) => e.method === 'GET' && e.path === `/${idp.tenantId}/discovery/v2.0/keys`).length;
    const rotating = await startStack({ auth: (graph) => gateFor(idp, graph, { auth: { jwksCooldownSeconds: 1 } }) });
    try {
      const first = await userToken(idp, ALICE, 'EsimPools.Read');
      expect((await rotating.graphql(READ, undefined, bearer(first))).body.errors).toBeUndefined();
      const afterFirst = jwksFetches();

      // Tokens signed by keys the IdP never published: refused; a burst of them costs at most one JWKS fetch.
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const strangers = await Promise.all(Array.from({ length: 10 }, () => signedElsewhere('RS256', randomUUID(), privateKey, 'EsimPools.Read')));
      for (const token of strangers) {
        expect(expectRefused(await rotating.graphql(READ, undefined, bearer(token)), 401, 'UNAUTHENTICATED')).toContain('key');
      }
      expect(jwksFetches() - afterFirst).toBeLessThanOrEqual(1);

      // Entra rotates its keys: a new kid appears in the JWKS (long after the last fetch in real life).
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const beforeRotation = jwksFetches();
      const newKid = await idp.rotateKey();
      const rotated = await userToken(idp, ALICE, 'EsimPools.Read');
      const reply = await rotating.graphql(READ, undefined, bearer(rotated));
      expect(reply.status).toBe(200);
      expect(reply.body.errors).toBeUndefined();
      expect(jwksFetches()).toBe(beforeRotation + 1);
      expect(idp.activeKid).toBe(newKid);
      // Tokens signed with the previous key keep working while it stays published.
      expect((await rotating.graphql(READ, undefined, bearer(first))).body.errors).toBeUndefined();
    } finally {
      await rotating.stop();
      await idp.close();
    }
  });

  it('keys unreachable → 503 UPSTREAM_UNAVAILABLE (not a crash, not a 401), and Graph not called', async () => {
    const unreachable = await startStack({
      auth: (graph) => gateFor(idp, graph, { auth: { jwksUrl: 'https://127.0.0.1:1/keys' } }),
    });
    try {
      const token = await userToken(idp, ALICE, 'EsimPools.Read');
      const reply = await unreachable.graphql(READ, undefined, bearer(token));
      expect(expectRefused(reply, 503, 'UPSTREAM_UNAVAILABLE')).toContain('signing keys');
      expect(unreachable.emulator.requests).toHaveLength(0);
    } finally {
      await unreachable.stop();
    }
  });

  it('100 requests with one token cost one JWKS fetch at most', async () => {
    const fresh = await startStack({ auth: (graph) => gateFor(idp, graph) });
    try {
      const before = jwksFetches();
      const token = await userToken(idp, ALICE, 'EsimPools.Read');
      const replies = await Promise.all(Array.from({ length: 100 }, () => fresh.graphql(POOL_BY_ID, { id: POOL }, bearer(token))));
      for (const reply of replies) expect(reply.body.errors).toBeUndefined();
      expect(jwksFetches() - before).toBe(1);
    } finally {
      await fresh.stop();
    }
  });
});

describe('router secret', () => {
  const SECRET = 'router-shared-secret-0123456789';
  let routed: Stack;
  beforeAll(async () => {
    routed = await startStack({ auth: (graph) => gateFor(idp, graph, { auth: { routerSecret: SECRET } }) });
  });
  afterAll(() => routed.stop());

  it('missing router-authorization → 401, even with a valid token', async () => {
    const token = await userToken(idp, ALICE, 'EsimPools.Read');
    expect(expectRefused(await routed.graphql(READ, undefined, bearer(token)), 401, 'UNAUTHENTICATED')).toContain('router');
    expect(routed.emulator.requests).toHaveLength(0);
  });

  it('a wrong router-authorization → 401', async () => {
    const token = await userToken(idp, ALICE, 'EsimPools.Read');
    for (const wrong of ['nope', `${SECRET}x`, SECRET.slice(0, -1), SECRET.toUpperCase(), '']) {
      const reply = await routed.graphql(READ, undefined, { ...bearer(token), 'router-authorization': wrong });
      expectRefused(reply, 401, 'UNAUTHENTICATED');
    }
    // `_entities` is as closed as everything else.
    const entities = await routed.graphql(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on EmbeddedSIMActivationCodePool { id } } }',
      { r: [{ __typename: 'EmbeddedSIMActivationCodePool', id: POOL }] },
      bearer(token),
    );
    expectRefused(entities, 401, 'UNAUTHENTICATED');
    expect(routed.emulator.requests).toHaveLength(0);
  });

  it('the right router-authorization and a valid token → served', async () => {
    const token = await userToken(idp, ALICE, 'EsimPools.Read');
    const reply = await routed.graphql(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on EmbeddedSIMActivationCodePool { id displayName } } }',
      { r: [{ __typename: 'EmbeddedSIMActivationCodePool', id: POOL }] },
      { ...bearer(token), 'router-authorization': SECRET },
    );
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data).toEqual({ _entities: [{ id: POOL, displayName: SAMPLE_POOLS[0].displayName }] });
  });

  it('health endpoints stay open', async () => {
    const base = routed.url.replace(/\/graphql$/, '');
    for (const path of ['/healthz', '/readyz']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
    }
  });
});

describe('input that could steer requests', () => {
  it.each(['../../users', 'x?$select=*', `${POOL}/../other`, '%2e%2e%2fusers', `${POOL}#x`])(
    'pool id %j → BAD_USER_INPUT and no upstream request',
    async (poolId) => {
      const token = await userToken(idp, ALICE, 'EsimPools.Assign');
      const mutation = await stack.graphql(ASSIGN, { poolId }, bearer(token));
      expect(mutation.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      const query = await stack.graphql(POOL_BY_ID, { id: poolId }, bearer(token));
      expect(query.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(stack.emulator.requests).toHaveLength(0);
    },
  );

  it('a forged cursor → BAD_USER_INPUT and no upstream request', async () => {
    const token = await userToken(idp, ALICE, 'EsimPools.Read');
    const forged = Buffer.from(JSON.stringify({ c: 'pools', t: { $skiptoken: 'x', $filter: 'evil' }, o: 0 })).toString('base64url');
    for (const after of [forged, 'https://evil.example/beta/users', '../../users']) {
      const reply = await stack.graphql(
        'query ($after: String) { embeddedSIMActivationCodePools(first: 2, after: $after) { edges { node { id } } } }',
        { after },
        bearer(token),
      );
      expect(reply.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(stack.emulator.requests).toHaveLength(0);
  });
});

describe('operation limits', () => {
  async function reader(): Promise<Record<string, string>> {
    return bearer(await userToken(idp, ALICE, 'EsimPools.Assign'));
  }

  it('too deep → rejected before any resolver, naming the limit outside production', async () => {
    const tooDeep = `{ embeddedSIMActivationCodePools { edges { node { assignments { target { ... on GroupAssignmentTarget { group { id } } } } } } } }`;
    const ok = await stack.graphql(tooDeep, undefined, await reader());
    expect(ok.body.errors).toBeUndefined();
    // Fragments are followed: the same shape behind a named fragment, nested further through the mutation payload.
    const nested = `
      mutation ($poolId: ID!) {
        assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: []) {
          pool { assignments { target { ...T } } }
        }
      }
      fragment T on GroupAssignmentTarget { group { id } }
    `;
    expect((await stack.graphql(nested, { poolId: POOL }, await reader())).body.errors).toBeUndefined();
    stack.emulator.reset();
    const custom = await startStack({ config: { limits: { ...DEFAULT_LIMITS, maxDepth: 4 } }, auth: (graph) => gateFor(idp, graph) });
    try {
      const reply = await custom.graphql(tooDeep, undefined, await reader());
      expect(reply.status).toBe(400);
      expect(reply.body.errors?.[0].message).toMatch(/^The operation is nested levels deep: \d+, \d+ over the limit of 4 \(MAX_DEPTH\)\.$/);
      expect(reply.body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(custom.emulator.requests).toHaveLength(0);
    } finally {
      await custom.stop();
    }
  });

  it('too many aliases → rejected', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: embeddedSIMActivationCodePool(id: "${POOL}") { id }`).join(' ');
    const reply = await stack.graphql(`{ ${aliases} }`, undefined, await reader());
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.[0].message).toBe('The operation has aliases: 16, 1 over the limit of 15 (MAX_ALIASES).');
    expect(reply.body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('too many tokens → rejected', async () => {
    const fields = Array.from({ length: 1200 }, () => 'id').join(' ');
    const reply = await stack.graphql(`{ embeddedSIMActivationCodePool(id: "${POOL}") { ${fields} } }`, undefined, await reader());
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.[0].message).toMatch(/more tha[nt] 1000 tokens/);
    expect(reply.body.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('too expensive (4 × 100 pools with their assignments, version and device states: 1204 Graph requests) → rejected', async () => {
    const page = 'embeddedSIMActivationCodePools(first: 100) { edges { node { id assignments { id } assignmentsVersion deviceStates(first: 100) { edges { node { id state } } } } } }';
    const query = `{ a: ${page} b: ${page} c: ${page} d: ${page} }`;
    const reply = await stack.graphql(query, undefined, await reader());
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.[0].message).toBe('The operation costs 1204, 204 over the limit of 1000 (MAX_COST).');
    expect(reply.body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('an oversized body → 413, never parsed', async () => {
    const padding = 'x'.repeat(300 * 1024);
    const reply = await stack.graphql(READ, { padding }, await reader());
    expect(reply.status).toBe(413);
    expect(reply.body.errors?.[0].extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('the router’s _entities with hundreds of representations (a variable) passes the limits', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => (i < SAMPLE_POOLS.length ? SAMPLE_POOLS[i].id : randomUUID()));
    const reply = await stack.graphql(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) {
        ... on EmbeddedSIMActivationCodePool { id displayName activationCodeCount createdDateTime modifiedDateTime
          assignments { id target { __typename odataType filterId filterType
            ... on GroupAssignmentTarget { groupId group { id } } ... on ExclusionGroupAssignmentTarget { groupId group { id } } } } } } }`,
      { representations: ids.map((id) => ({ __typename: 'EmbeddedSIMActivationCodePool', id })) },
      await reader(),
    );
    expect(reply.status).toBe(200);
    expect(reply.body.errors ?? []).not.toContainEqual(expect.objectContaining({ message: expect.stringMatching(/limit/i) }));
    const entities = reply.body.data?._entities as Array<{ id: string } | null>;
    expect(entities).toHaveLength(300);
    expect(entities[0]).toMatchObject({ id: SAMPLE_POOLS[0].id });
  });

  it('in production the limits are not echoed and field suggestions are hidden', async () => {
    const prod = await startStack({ config: { production: true, introspection: false }, auth: (graph) => gateFor(idp, graph) });
    try {
      const headers = await reader();
      const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: embeddedSIMActivationCodePool(id: "${POOL}") { id }`).join(' ');
      const tooMany = await prod.graphql(`{ ${aliases} }`, undefined, headers);
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.errors?.[0].message).not.toMatch(/\d/);
      const fields = Array.from({ length: 1200 }, () => 'id').join(' ');
      const long = await prod.graphql(`{ embeddedSIMActivationCodePool(id: "${POOL}") { ${fields} } }`, undefined, headers);
      expect(long.status).toBe(400);
      expect(long.body.errors?.[0].message).not.toMatch(/\d/);
      const typo = await prod.graphql(`{ embeddedSIMActivationCodePool(id: "${POOL}") { displayNam } }`, undefined, headers);
      expect(typo.status).toBe(400);
      expect(JSON.stringify(typo.body)).not.toMatch(/Did you mean|displayName/);
      const introspection = await prod.graphql('{ __schema { types { name } } }', undefined, headers);
      expect(introspection.body.errors?.[0].message).toMatch(/introspection/i);
      expect(prod.emulator.requests).toHaveLength(0);
    } finally {
      await prod.stop();
    }
  });

  it('HTTP batching is off and CSRF prevention is on (for authenticated callers too)', async () => {
    const headers = { ...(await reader()), 'content-type': 'application/json' };
    const batch = await fetch(stack.url, { method: 'POST', headers, body: JSON.stringify([{ query: READ }, { query: READ }]) });
    expect(batch.status).toBe(400);
    expect(await batch.text()).toMatch(/batch/i);
    const query = encodeURIComponent(`{ embeddedSIMActivationCodePool(id: "${POOL}") { id } }`);
    const simpleGet = await fetch(`${stack.url}?query=${query}`, { headers: await reader() });
    expect(simpleGet.status).toBe(400);
    expect(await simpleGet.text()).toMatch(/CSRF/);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('a request without a token is refused before its body is even parsed (no 400 for bad JSON)', async () => {
    const res = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(res.status).toBe(401);
    const reply = await postGraphQL(stack.url, READ);
    expect(reply.status).toBe(401);
  });
});
