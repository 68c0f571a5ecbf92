/**
 * The assign mutation end to end: GraphQL over HTTP → subgraph → Graph emulator over HTTP, asserting the exact
 * outbound request from the emulator's log and every reply and error path.
 */
import { SAMPLE_GROUP_IDS, SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { useStack, type Stack } from '../support/stack';

const POOL = SAMPLE_POOLS[0].id;
const [G1, G2] = SAMPLE_GROUP_IDS;
const FILTER = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c99';
const UNKNOWN_POOL = '00000000-0000-4000-8000-000000000404';

const ASSIGN = /* GraphQL */ `
  mutation Assign($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
    assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: $assignments) {
      assignments {
        id
        target {
          __typename
          odataType
          filterId
          filterType
          ... on GroupAssignmentTarget { groupId group { id } }
          ... on ExclusionGroupAssignmentTarget { groupId }
          ... on ConfigurationManagerCollectionAssignmentTarget { collectionId }
        }
      }
    }
  }
`;

const isAssign = (r: { method: string; path: string }) => r.method === 'POST' && r.path.endsWith('/assign');

const fixture = useStack();

describe('assignEmbeddedSIMActivationCodePool', () => {
  it('sends exactly the documented Graph request', async () => {
    const requestId = 'A1B2C3D4-0000-4000-8000-00000000abcd';
    const reply = await fixture.stack.graphql(
      ASSIGN,
      {
        poolId: POOL,
        assignments: [
          { id: 'keep-1', target: { kind: 'GROUP', groupId: G1, filterId: FILTER, filterType: 'INCLUDE' } },
          { target: { kind: 'EXCLUSION_GROUP', groupId: G2 } },
        ],
      },
      { 'x-request-id': requestId },
    );
    expect(reply.body.errors).toBeUndefined();
    const sent = fixture.stack.emulator.requests.filter(isAssign);
    expect(sent).toHaveLength(1);
    const [call] = sent;
    expect(call.rawPath).toBe(`/beta/deviceManagement/embeddedSIMActivationCodePools/${POOL}/assign`);
    expect(call.body).toEqual({
      assignments: [
        {
          '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment',
          id: 'keep-1',
          target: {
            '@odata.type': '#microsoft.graph.groupAssignmentTarget',
            deviceAndAppManagementAssignmentFilterId: FILTER,
            deviceAndAppManagementAssignmentFilterType: 'include',
            groupId: G1,
          },
        },
        {
          '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment',
          target: {
            '@odata.type': '#microsoft.graph.exclusionGroupAssignmentTarget',
            deviceAndAppManagementAssignmentFilterId: null,
            deviceAndAppManagementAssignmentFilterType: 'none',
            groupId: G2,
          },
        },
      ],
    });
    expect(call.headers.authorization).toBe('Bearer emulator-token');
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers.accept).toBe('application/json');
    // The client-request-id is the incoming request id (a GUID), so both logs correlate.
    expect(call.headers['client-request-id']).toBe(requestId.toLowerCase());
    expect(call.headers['retry-attempt']).toBeUndefined();
    expect(reply.headers['x-request-id']).toBe(requestId);
  });

  it('makes a new GUID client-request-id when the incoming id is not a GUID', async () => {
    await fixture.stack.graphql(ASSIGN, { poolId: POOL, assignments: [] }, { 'x-request-id': 'router-req-17' });
    const [call] = fixture.stack.emulator.requests.filter(isAssign);
    expect(call.headers['client-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('maps every target type in the reply', async () => {
    const reply = await fixture.stack.graphql(ASSIGN, {
      poolId: POOL,
      assignments: [
        { target: { kind: 'ALL_DEVICES' } },
        { target: { kind: 'ALL_LICENSED_USERS', filterId: FILTER, filterType: 'EXCLUDE' } },
        { target: { kind: 'GROUP', groupId: G1 } },
        { target: { kind: 'EXCLUSION_GROUP', groupId: G2 } },
        { target: { kind: 'CONFIGURATION_MANAGER_COLLECTION', collectionId: 'SMS00001' } },
      ],
    });
    expect(reply.body.errors).toBeUndefined();
    const payload = reply.body.data?.assignEmbeddedSIMActivationCodePool as { assignments: Array<{ id: string; target: Record<string, unknown> }> };
    expect(payload.assignments.map((a) => a.target)).toEqual([
      { __typename: 'AllDevicesAssignmentTarget', odataType: '#microsoft.graph.allDevicesAssignmentTarget', filterId: null, filterType: 'NONE' },
      {
        __typename: 'AllLicensedUsersAssignmentTarget',
        odataType: '#microsoft.graph.allLicensedUsersAssignmentTarget',
        filterId: FILTER,
        filterType: 'EXCLUDE',
      },
      {
        __typename: 'GroupAssignmentTarget',
        odataType: '#microsoft.graph.groupAssignmentTarget',
        filterId: null,
        filterType: 'NONE',
        groupId: G1,
        group: { id: G1 },
      },
      { __typename: 'ExclusionGroupAssignmentTarget', odataType: '#microsoft.graph.exclusionGroupAssignmentTarget', filterId: null, filterType: 'NONE', groupId: G2 },
      {
        __typename: 'ConfigurationManagerCollectionAssignmentTarget',
        odataType: '#microsoft.graph.configurationManagerCollectionAssignmentTarget',
        filterId: null,
        filterType: 'NONE',
        collectionId: 'SMS00001',
      },
    ]);
    // Graph made the ids; they come back as Graph stored them.
    expect(payload.assignments.map((a) => a.id)).toEqual(
      (fixture.stack.emulator.getAssignments(POOL) as Array<{ id: string }>).map((a) => a.id),
    );
  });

  it('replaces the whole set; an empty list removes every assignment', async () => {
    expect(fixture.stack.emulator.getAssignments(POOL)?.length).toBeGreaterThan(0);
    const reply = await fixture.stack.graphql(ASSIGN, { poolId: POOL, assignments: [] });
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data).toEqual({ assignEmbeddedSIMActivationCodePool: { assignments: [] } });
    expect(fixture.stack.emulator.getAssignments(POOL)).toEqual([]);
  });

  it('returns an unknown @odata.type as UnknownAssignmentTarget without failing', async () => {
    fixture.stack.emulator.setRawAssignments(POOL, [
      {
        '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment',
        id: 'future-1',
        target: {
          '@odata.type': '#microsoft.graph.someFutureAssignmentTarget',
          deviceAndAppManagementAssignmentFilterId: null,
          deviceAndAppManagementAssignmentFilterType: 'none',
          someFutureProperty: 42,
        },
      },
    ]);
    const reply = await fixture.stack.graphql(/* GraphQL */ `
      query { embeddedSIMActivationCodePool(id: "${POOL}") { assignments { id target { __typename odataType filterType } } } }
    `);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data).toEqual({
      embeddedSIMActivationCodePool: {
        assignments: [
          { id: 'future-1', target: { __typename: 'UnknownAssignmentTarget', odataType: '#microsoft.graph.someFutureAssignmentTarget', filterType: 'NONE' } },
        ],
      },
    });
  });

  it.each(['empty200', 'noContent204'] as const)('re-reads the assignments when Graph answers %s', async (mode) => {
    fixture.stack.emulator.setAssignReply(mode);
    const reply = await fixture.stack.graphql(ASSIGN, { poolId: POOL, assignments: [{ target: { kind: 'GROUP', groupId: G2 } }] });
    expect(reply.body.errors).toBeUndefined();
    const payload = reply.body.data?.assignEmbeddedSIMActivationCodePool as { assignments: Array<{ target: { groupId?: string } }> };
    expect(payload.assignments.map((a) => a.target.groupId)).toEqual([G2]);
    const calls = fixture.stack.emulator.requests.map((r) => `${r.method} ${r.path}`);
    expect(calls).toEqual([
      `POST /beta/deviceManagement/embeddedSIMActivationCodePools/${POOL}/assign`,
      `GET /beta/deviceManagement/embeddedSIMActivationCodePools/${POOL}/assignments`,
    ]);
  });

  it('resolves payload.pool lazily and shows the new assignments without another read', async () => {
    const reply = await fixture.stack.graphql(
      /* GraphQL */ `
        mutation ($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
          assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: $assignments) {
            pool { id displayName modifiedDateTime assignments { target { ... on GroupAssignmentTarget { groupId } } } }
          }
        }
      `,
      { poolId: POOL, assignments: [{ target: { kind: 'GROUP', groupId: G1 } }] },
    );
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data).toMatchObject({
      assignEmbeddedSIMActivationCodePool: { pool: { id: POOL, displayName: SAMPLE_POOLS[0].displayName, assignments: [{ target: { groupId: G1 } }] } },
    });
    // One assign, one read of the pool (batched); the assignments come from the assign reply.
    expect(fixture.stack.emulator.requests.map((r) => r.method + ' ' + r.path)).toEqual([
      `POST /beta/deviceManagement/embeddedSIMActivationCodePools/${POOL}/assign`,
      'POST /beta/$batch',
    ]);
  });
});

describe('errors', () => {
  const firstError = (reply: Awaited<ReturnType<Stack['graphql']>>) => {
    expect(reply.body.errors).toHaveLength(1);
    return reply.body.errors![0];
  };

  it('BAD_USER_INPUT for an invalid id, naming the field, with no request to Graph', async () => {
    for (const poolId of ['../../users', 'x?$select=*', `${POOL}/../other`]) {
      const reply = await fixture.stack.graphql(ASSIGN, { poolId, assignments: [] });
      const error = firstError(reply);
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message).toContain('poolId');
    }
    expect(fixture.stack.emulator.requests).toHaveLength(0);
  });

  it('BAD_USER_INPUT for an invalid target, with no request to Graph', async () => {
    const reply = await fixture.stack.graphql(ASSIGN, { poolId: POOL, assignments: [{ target: { kind: 'GROUP' } }] });
    expect(firstError(reply)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'assignments[0].target.groupId' } });
    expect(fixture.stack.emulator.requests).toHaveLength(0);
  });

  it('NOT_FOUND when Graph says 404, with Graph ids for support', async () => {
    const reply = await fixture.stack.graphql(ASSIGN, { poolId: UNKNOWN_POOL, assignments: [] });
    const error = firstError(reply);
    expect(error.extensions?.code).toBe('NOT_FOUND');
    const graph = error.extensions?.graph as { status: number; requestId: string; clientRequestId: string };
    expect(graph.status).toBe(404);
    const [call] = fixture.stack.emulator.requests;
    expect(graph.clientRequestId).toBe(call.headers['client-request-id']);
    expect(graph.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each<[number, string]>([
    [400, 'BAD_USER_INPUT'],
    [401, 'UNAUTHENTICATED'],
    [403, 'FORBIDDEN'],
    [409, 'UPSTREAM_ERROR'],
    [500, 'UPSTREAM_UNAVAILABLE'],
    [507, 'UPSTREAM_UNAVAILABLE'],
  ])('Graph %i → %s, not retried', async (status, code) => {
    fixture.stack.emulator.setFaults({ script: [status], match: '/assign' });
    const reply = await fixture.stack.graphql(ASSIGN, { poolId: POOL, assignments: [] });
    const error = firstError(reply);
    expect(error.extensions?.code).toBe(code);
    expect((error.extensions?.graph as { status: number }).status).toBe(status);
    expect(fixture.stack.emulator.requests.filter(isAssign)).toHaveLength(1);
  });

  it('retries 429 after Retry-After and succeeds, stamping Retry-Attempt', async () => {
    fixture.stack.emulator.setFaults({ script: [429, 'ok'], match: '/assign', throttle: { retryAfterSeconds: 1 } });
    const started = Date.now();
    const reply = await fixture.stack.graphql(ASSIGN, { poolId: POOL, assignments: [] });
    expect(reply.body.errors).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const calls = fixture.stack.emulator.requests.filter(isAssign);
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1].headers['retry-attempt']).toBe('1');
    expect(calls[1].headers['client-request-id']).toBe(calls[0].headers['client-request-id']);
  });

  it('THROTTLED with retryAfterSeconds after the retries run out', async () => {
    fixture.stack.emulator.setFaults({ script: [429, 429, 429, 429, 429], match: '/assign', omitRetryAfter: true });
    const reply = await fixture.stack.graphql(ASSIGN, { poolId: POOL, assignments: [] });
    const error = firstError(reply);
    expect(error.extensions?.code).toBe('THROTTLED');
    expect(error.extensions?.retryAfterSeconds).toEqual(expect.any(Number));
    // 1 attempt + 3 retries.
    expect(fixture.stack.emulator.requests.filter(isAssign)).toHaveLength(4);
  });

  it('retries 503 and 504', async () => {
    fixture.stack.emulator.setFaults({ script: [503, 504, 'ok'], match: '/assign', omitRetryAfter: true });
    const reply = await fixture.stack.graphql(ASSIGN, { poolId: POOL, assignments: [] });
    expect(reply.body.errors).toBeUndefined();
    expect(fixture.stack.emulator.requests.filter(isAssign).map((c) => c.status)).toEqual([503, 504, 200]);
  });

  it('UPSTREAM_ERROR for malformed JSON, never echoing it', async () => {
    fixture.stack.emulator.setFaults({ script: ['malformed'], match: '/assign' });
    const reply = await fixture.stack.graphql(ASSIGN, { poolId: POOL, assignments: [] });
    expect(firstError(reply).extensions?.code).toBe('UPSTREAM_ERROR');
  });

  it('an HTML gateway page is UPSTREAM_UNAVAILABLE and its markup is not echoed', async () => {
    fixture.stack.emulator.setFaults({ script: ['html'], match: '/assign' });
    const reply = await fixture.stack.graphql(ASSIGN, { poolId: POOL, assignments: [] });
    const error = firstError(reply);
    expect(error.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(JSON.stringify(reply.body)).not.toMatch(/<html|127\.0\.0\.1|emulator-token/i);
  });

  it('never puts a token, a stack trace or the upstream URL in a response', async () => {
    fixture.stack.emulator.setFaults({ script: [500], match: '/assign' });
    const reply = await fixture.stack.graphql(ASSIGN, { poolId: POOL, assignments: [] });
    const text = JSON.stringify(reply.body);
    expect(text).not.toContain('emulator-token');
    expect(text).not.toContain(fixture.stack.emulator.url);
    expect(text).not.toMatch(/at .*\.(ts|js):\d+/);
    expect(text).not.toContain('stacktrace');
  });
});
