/** The `calls` scenario: Graph requests one operation costs (counted by the emulator) against the fewest Graph allows;
 * writes use untouched pools and groups so every run does the same work. The request bodies of the other scenarios. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { generatedPoolId, SAMPLE_GROUP_IDS } from '@esim-pools/graph-emulator';
import { isRecord } from '../../src/graph/json';
import { testCodes } from '../../test/support/activation-codes';
import { control, emulatorCount, emulatorRequestsSince, postJson, type LoggedRequest } from './emulator-control';

/** Graph's `$batch` limit (the emulator's MAX_BATCH_REQUESTS; Graph's JSON batching documentation). */
const BATCH_LIMIT = 20;
const BULK_POOLS = 20;

/** A request body: the document, its operation's name, the variables. */
const body = (query: string, variables: Record<string, unknown>): string =>
  JSON.stringify({ query, operationName: /^(?:query|mutation) (\w+)/.exec(query)?.[1], variables });

export const assignBody = (poolId: string, selection: string): string =>
  body(`mutation Assign($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
  assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: $assignments) { ${selection} }
}`, {
    poolId,
    assignments: [{ target: { kind: 'GROUP', groupId: SAMPLE_GROUP_IDS[0] } }, { target: { kind: 'EXCLUSION_GROUP', groupId: SAMPLE_GROUP_IDS[1] } }],
  });

export const entitiesBody = (ids: readonly string[], selection: string): string =>
  body(`query Entities($r: [_Any!]!) { _entities(representations: $r) { ... on EmbeddedSIMActivationCodePool { ${selection} } } }`, {
    r: ids.map((id) => ({ __typename: 'EmbeddedSIMActivationCodePool', id })),
  });

/** The pools page of the throughput scenarios. */
export const POOLS_PAGE = body(
  `query Pools($first: Int) {
  embeddedSIMActivationCodePools(first: $first) {
    edges { cursor node { id displayName activationCodeCount createdDateTime modifiedDateTime } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  { first: 50 },
);

/** The pools `_entities` asks for: the first 100 generated ones (writes take theirs from the last one down). */
export const ENTITY_IDS = Array.from({ length: 100 }, (_, i) => generatedPoolId(i));

/** Adds one group (a GROUP assignment) to a pool, or removes it, for real (`dryRun: false`). */
const editBody = (edit: 'add' | 'remove', poolId: string, groupId: string) => {
  const [list, argument, result] = edit === 'add' ? ['EmbeddedSIMActivationCodePoolAssignmentInput', 'assignments', 'added'] : ['AssignmentTargetInput', 'targets', 'removed'];
  const query = `mutation Edit($poolId: ID!, $list: [${list}!]!) { ${edit}EmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, ${argument}: $list, dryRun: false) {
  ${result} { __typename ... on GroupAssignmentTarget { groupId } } assignments { id } assignmentsVersion } }`;
  return body(query, { poolId, list: [edit === 'add' ? { target: { kind: 'GROUP', groupId } } : { kind: 'GROUP', groupId }] });
};

export interface GraphCallsSpec {
  /** The subgraph's /graphql. */
  url: string;
  emulatorUrl: string;
  /** Caller tokens: `EsimPools.Assign` (assign, edits, reads), and with `EsimPools.Manage` too (create). */
  assignToken: string;
  manageToken: string;
}

type Data = Record<string, unknown>;

interface Operation {
  name: string;
  minimum: number;
  manage?: boolean;
  /** Uncounted preparation; returns the body to send. */
  prepare(spec: GraphCallsSpec): Promise<string>;
  /** What the answer's `data` must hold besides "200 without errors". */
  complete(data: Data): boolean;
  /** Uncounted clean-up after a send. */
  after?(spec: GraphCallsSpec, data: Data): Promise<void>;
}

async function send(spec: GraphCallsSpec, text: string, manage = false): Promise<Data> {
  const res = await postJson(spec.url, { 'content-type': 'application/json', authorization: `Bearer ${manage ? spec.manageToken : spec.assignToken}` }, text);
  if (res.status !== 200 || !isRecord(res.json) || res.json.errors !== undefined || !isRecord(res.json.data)) {
    throw new Error(`${res.status} ${JSON.stringify(res.json).slice(0, 600)}`);
  }
  return res.json.data;
}

/** Generated pools handed out for writes, from the last one down (other scenarios use the first 100). */
let nextFreshPool = 199;
function freshPool(): string {
  if (nextFreshPool < 100) throw new Error('the calls scenario ran out of untouched generated pools');
  return generatedPoolId(nextFreshPool--);
}
let nextCodeSeries = 900;

/** A group the emulator's directory has (made there, outside the count), so the target checks find it. */
async function freshGroup(spec: GraphCallsSpec): Promise<string> {
  const id = randomUUID();
  await control(spec.emulatorUrl, `groups/${id}`, z.unknown(), {});
  return id;
}

/** The value at a dotted path of `data`, and the list there (empty when it is not one). */
const at = (data: unknown, path: string): unknown => path.split('.').reduce((v: unknown, key) => (isRecord(v) ? v[key] : undefined), data);
const listAt = (data: unknown, path: string): unknown[] => {
  const value = at(data, path);
  return Array.isArray(value) ? value : [];
};

function operations(): Operation[] {
  const n = ENTITY_IDS.length;
  const entities = (selection: string, check: (e: Data) => boolean) => ({
    prepare: async () => entitiesBody(ENTITY_IDS, selection),
    complete: (data: Data) => listAt(data, '_entities').filter((e) => isRecord(e) && typeof e.displayName === 'string' && check(e)).length === n,
  });
  return [
    {
      name: 'assign { assignments { id } }',
      minimum: 2,
      prepare: async () => assignBody(freshPool(), 'assignments { id }'),
      complete: (data) => listAt(data, 'assignEmbeddedSIMActivationCodePool.assignments').length === 2,
    },
    {
      name: 'assign + pool { displayName }',
      minimum: 2,
      prepare: async () => assignBody(freshPool(), 'pool { displayName } assignments { id }'),
      complete: (data) => isRecord(at(data, 'assignEmbeddedSIMActivationCodePool.pool')),
    },
    {
      name: 'add assignments (1 new group)',
      minimum: 2,
      prepare: async (spec) => editBody('add', freshPool(), await freshGroup(spec)),
      complete: (data) => listAt(data, 'addEmbeddedSIMActivationCodePoolAssignments.added').length === 1,
    },
    {
      name: 'remove assignments (1 group)',
      minimum: 2,
      prepare: async (spec) => {
        const poolId = freshPool();
        const groupId = await freshGroup(spec);
        await send(spec, editBody('add', poolId, groupId));
        return editBody('remove', poolId, groupId);
      },
      complete: (data) => listAt(data, 'removeEmbeddedSIMActivationCodePoolAssignments.removed').length === 1,
    },
    {
      name: `bulk add (1 new group, ${BULK_POOLS} pools)`,
      minimum: Math.ceil((BULK_POOLS + 1) / BATCH_LIMIT) + BULK_POOLS,
      prepare: async (spec) =>
        body('mutation BulkAdd($poolIds: [ID!]!, $list: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) { addAssignmentsToEmbeddedSIMActivationCodePools(poolIds: $poolIds, assignments: $list) { succeeded failed } }', {
          poolIds: Array.from({ length: BULK_POOLS }, freshPool),
          list: [{ target: { kind: 'GROUP', groupId: await freshGroup(spec) } }],
        }),
      complete: (data) => at(data, 'addAssignmentsToEmbeddedSIMActivationCodePools.succeeded') === BULK_POOLS,
    },
    {
      name: 'create a pool (2 codes)',
      minimum: 1,
      manage: true,
      prepare: async () =>
        body('mutation CreatePool($input: CreateEmbeddedSIMActivationCodePoolInput!) { createEmbeddedSIMActivationCodePool(input: $input) { pool { id displayName activationCodeCount createdDateTime } } }', {
          input: { displayName: `bench pool ${randomUUID()}`, activationCodes: testCodes(2, nextCodeSeries++) },
        }),
      complete: (data) => isRecord(at(data, 'createEmbeddedSIMActivationCodePool.pool')),
      // The pool deleted at the emulator itself, outside the count.
      after: async (spec, data) => {
        const id = at(data, 'createEmbeddedSIMActivationCodePool.pool.id');
        if (typeof id !== 'string') return;
        const res = await fetch(`${spec.emulatorUrl}/beta/deviceManagement/embeddedSIMActivationCodePools/${id}`, { method: 'DELETE', headers: { authorization: 'Bearer bench' } });
        if (res.status !== 204) throw new Error(`deleting the created pool at the emulator answered ${res.status}`);
      },
    },
    {
      name: 'pools page (first 50)',
      minimum: 1,
      prepare: async () => POOLS_PAGE,
      complete: (data) => listAt(data, 'embeddedSIMActivationCodePools.edges').length === 50,
    },
    {
      name: `_entities × ${n} { id displayName }`,
      minimum: Math.ceil(n / BATCH_LIMIT),
      ...entities('id displayName', () => true),
    },
    {
      name: `_entities × ${n} { … assignments { id } }`,
      minimum: Math.ceil(n / BATCH_LIMIT),
      ...entities('id displayName assignments { id }', (e) => Array.isArray(e.assignments)),
    },
    {
      name: 'pools page (first 50) { deviceStates }',
      minimum: 1 + Math.ceil(50 / BATCH_LIMIT),
      prepare: async () =>
        body('query PoolsWithDeviceStates($first: Int) { embeddedSIMActivationCodePools(first: $first) { edges { node { id displayName deviceStates { edges { node { id deviceName state } } pageInfo { hasNextPage endCursor } } } } } }', { first: 50 }),
      complete: (data) => listAt(data, 'embeddedSIMActivationCodePools.edges').filter((e) => isRecord(at(e, 'node.deviceStates'))).length === 50,
    },
  ];
}

/** One line per request, a `$batch`'s items grouped by shape: `POST /beta/$batch [20× GET …/{id}]`. */
function describeRequest(r: LoggedRequest): string {
  const short = (q: LoggedRequest) =>
    `${q.method} ${q.rawPath.replace(/^\/beta\/deviceManagement\/embeddedSIMActivationCodePools/, '…').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '{id}')}`;
  if (r.batchItems === undefined) return short(r);
  const shapes = new Map<string, number>();
  for (const item of r.batchItems) shapes.set(short(item), (shapes.get(short(item)) ?? 0) + 1);
  return `${short(r)} [${[...shapes].map(([shape, count]) => `${count}× ${shape}`).join(', ')}]`;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** One warm-up send (uncounted), then one send between two reads of the emulator's count: the Graph HTTP requests it
 * cost (a `$batch` is one), its `$batch` items, and the requests as `POST /beta/$batch [20× GET …/{id}]`; `error` when
 * it failed (then `requests` is what was counted anyway). */
async function measureOne(spec: GraphCallsSpec, op: Operation) {
  const row = { operation: op.name, minimum: op.minimum, requests: 0, batchItems: 0, atMinimum: false, paths: new Array<string>() };
  try {
    const warm = await send(spec, await op.prepare(spec), op.manage);
    await op.after?.(spec, warm);
  } catch (e) {
    return { ...row, error: `warm-up: ${message(e)}` };
  }
  const text = await op.prepare(spec);
  const before = await emulatorCount(spec.emulatorUrl);
  let error: string | undefined;
  let data: Data | undefined;
  try {
    data = await send(spec, text, op.manage);
    if (!op.complete(data)) error = `incomplete answer: ${JSON.stringify(data).slice(0, 600)}`;
  } catch (e) {
    error = message(e);
  }
  const requests = (await emulatorCount(spec.emulatorUrl)) - before;
  const logged = (await emulatorRequestsSince(spec.emulatorUrl, before)).slice(0, requests);
  if (data) await op.after?.(spec, data);
  return {
    ...row,
    requests,
    batchItems: logged.reduce((sum, r) => sum + (r.batchItems?.length ?? 0), 0),
    atMinimum: error === undefined && requests <= op.minimum,
    paths: logged.map(describeRequest),
    error,
  };
}

/** Every operation once to warm up, then once counted: one row per operation (failures in `error`). */
export async function measureGraphCalls(spec: GraphCallsSpec) {
  const rows = [];
  for (const op of operations()) rows.push(await measureOne(spec, op));
  return rows;
}
