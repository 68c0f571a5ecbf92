/** The `calls` scenario: Graph requests one operation costs (counted by the emulator) against the fewest Graph allows;
 * writes use untouched pools and groups so every run does the same work. */
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { generatedPoolId, SAMPLE_GROUP_IDS } from '@esim-pools/graph-emulator';
import { isRecord } from '../../src/graph/json';
import { testCodes } from '../../test/support/activation-codes';
import { emulatorCount, emulatorRequestsSince, postJson, type LoggedRequest } from './emulator-control';

const POOLS_PATH = '/beta/deviceManagement/embeddedSIMActivationCodePools';
/** Graph's `$batch` limit (the emulator's MAX_BATCH_REQUESTS; Graph's JSON batching documentation). */
const BATCH_LIMIT = 20;

export interface GraphCallsSpec {
  /** The subgraph's /graphql. */
  url: string;
  emulatorUrl: string;
  /** A caller token with `EsimPools.Assign` (assign, edits, reads). */
  assignToken: string;
  /** A caller token with `EsimPools.Assign` and `EsimPools.Manage` (create). */
  manageToken: string;
  /** The pools page body of the other scenarios (`first: 50`). */
  poolsBody: string;
  /** The ids `_entities` asks for (100). */
  entityIds: readonly string[];
}

export interface GraphCallsRow {
  operation: string;
  /** Graph HTTP requests the emulator received for the one send (a `$batch` is one). */
  requests: number;
  /** Items inside those `$batch` requests. */
  batchItems: number;
  minimum: number;
  /** Why that is the minimum. */
  reason: string;
  atMinimum: boolean;
  /** The requests, e.g. `POST /beta/$batch [20× GET …/{id}]`. */
  paths: string[];
  /** Set when the operation failed (then `requests` is what was counted anyway). */
  error?: string;
}

interface Operation {
  name: string;
  minimum: number;
  reason: string;
  manage?: boolean;
  /** Uncounted preparation; returns the body to send. */
  prepare(ctx: Context): Promise<string>;
  /** What the answer's `data` must hold besides "200 without errors". */
  complete?(data: Record<string, unknown>): boolean;
  /** Uncounted clean-up after a send. */
  after?(ctx: Context, data: Record<string, unknown>): Promise<void>;
}

interface Context {
  spec: GraphCallsSpec;
  send(body: string, manage?: boolean): Promise<Record<string, unknown>>;
}


/** Generated pools handed out for writes, from the last one down (other scenarios use the first 100). */
let nextFreshPool = 199;
function freshPool(): string {
  if (nextFreshPool < 100) throw new Error('the calls scenario ran out of untouched generated pools');
  return generatedPoolId(nextFreshPool--);
}
let nextCodeSeries = 900;

/** A group the emulator's directory has (made there, outside the count), so the target checks find it. */
async function freshGroup(ctx: Context): Promise<string> {
  const id = randomUUID();
  const res = await request(`${ctx.spec.emulatorUrl}/_emulator/groups/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
  await res.body.dump();
  if (res.statusCode !== 200) throw new Error(`making a group at the emulator answered ${res.statusCode}`);
  return id;
}
const BULK_POOLS = 20;


export const assignBody = (poolId: string, selection: string): string =>
  JSON.stringify({
    query: `mutation Assign($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
  assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: $assignments) { ${selection} }
}`,
    operationName: 'Assign',
    variables: {
      poolId,
      assignments: [
        { target: { kind: 'GROUP', groupId: SAMPLE_GROUP_IDS[0] } },
        { target: { kind: 'EXCLUSION_GROUP', groupId: SAMPLE_GROUP_IDS[1] } },
      ],
    },
  });

/** Adds one group (a GROUP assignment) to a pool, or removes it, for real (`dryRun: false`). */
const editBody = (edit: 'add' | 'remove', poolId: string, groupId: string) => {
  const add = edit === 'add';
  return JSON.stringify({
    query: `mutation Edit($poolId: ID!, $list: [${add ? 'EmbeddedSIMActivationCodePoolAssignmentInput' : 'AssignmentTargetInput'}!]!) {
  ${edit}EmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, ${add ? 'assignments' : 'targets'}: $list, dryRun: false) {
    ${add ? 'added' : 'removed'} { __typename ... on GroupAssignmentTarget { groupId } } assignments { id } assignmentsVersion
  }
}`,
    operationName: 'Edit',
    variables: { poolId, list: [add ? { target: { kind: 'GROUP', groupId } } : { kind: 'GROUP', groupId }] },
  });
};

/** Adds one group to several pools (the bulk edit), for real. */
const bulkAddBody = (poolIds: readonly string[], groupId: string) =>
  JSON.stringify({
    query: `mutation BulkAdd($poolIds: [ID!]!, $list: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
  addAssignmentsToEmbeddedSIMActivationCodePools(poolIds: $poolIds, assignments: $list) { succeeded failed }
}`,
    operationName: 'BulkAdd',
    variables: { poolIds, list: [{ target: { kind: 'GROUP', groupId } }] },
  });

export const entitiesBody = (ids: readonly string[], selection: string): string =>
  JSON.stringify({
    query: `query Entities($r: [_Any!]!) { _entities(representations: $r) { ... on EmbeddedSIMActivationCodePool { ${selection} } } }`,
    operationName: 'Entities',
    variables: { r: ids.map((id) => ({ __typename: 'EmbeddedSIMActivationCodePool', id })) },
  });

const DEVICE_STATES_PAGE = JSON.stringify({
  query: `query PoolsWithDeviceStates($first: Int) {
  embeddedSIMActivationCodePools(first: $first) {
    edges { node { id displayName deviceStates { edges { node { id deviceName state } } pageInfo { hasNextPage endCursor } } } }
  }
}`,
  operationName: 'PoolsWithDeviceStates',
  variables: { first: 50 },
});

const payload = (data: Record<string, unknown>, field: string): Record<string, unknown> => {
  const value = data[field];
  return isRecord(value) ? value : {};
};
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const edgesOf = (data: Record<string, unknown>): unknown[] => listOf(payload(data, 'embeddedSIMActivationCodePools').edges);

/** Deletes a pool at the emulator itself (not through the subgraph, and outside the count). */
async function deletePoolAtEmulator(emulatorUrl: string, id: string): Promise<void> {
  const res = await request(`${emulatorUrl}${POOLS_PATH}/${encodeURIComponent(id)}`, { method: 'DELETE', headers: { authorization: 'Bearer bench' } });
  await res.body.dump();
  if (res.statusCode !== 204) throw new Error(`deleting the created pool at the emulator answered ${res.statusCode}`);
}

const ENTITIES_BATCHES = (n: number) => Math.ceil(n / BATCH_LIMIT);

function operations(spec: GraphCallsSpec): Operation[] {
  const n = spec.entityIds.length;
  const entitiesComplete = (withAssignments: boolean) => (data: Record<string, unknown>) => {
    const entities = listOf(data._entities);
    return entities.length === n && entities.every((e) => isRecord(e) && typeof e.displayName === 'string' && (!withAssignments || Array.isArray(e.assignments)));
  };
  return [
    {
      name: 'assign { assignments { id } }',
      minimum: 2,
      reason: 'the two groups checked in one $batch (TARGET_CHECKS), then POST …/assign, which returns the new assignments',
      prepare: async () => assignBody(freshPool(), 'assignments { id }'),
      complete: (data) => listOf(payload(data, 'assignEmbeddedSIMActivationCodePool').assignments).length === 2,
    },
    {
      name: 'assign + pool { displayName }',
      minimum: 2,
      reason: 'the groups checked, then one $batch: POST …/assign, then (dependsOn) GET …/{id}; the assign reply has no pool',
      prepare: async () => assignBody(freshPool(), 'pool { displayName } assignments { id }'),
      complete: (data) => isRecord(payload(data, 'assignEmbeddedSIMActivationCodePool').pool),
    },
    {
      name: 'add assignments (1 new group)',
      minimum: 2,
      reason: 'one $batch: the group checked and the current assignments read; then the write, which depends on both',
      prepare: async (ctx) => editBody('add', freshPool(), await freshGroup(ctx)),
      complete: (data) => listOf(payload(data, 'addEmbeddedSIMActivationCodePoolAssignments').added).length === 1,
    },
    {
      name: 'remove assignments (1 group)',
      minimum: 2,
      reason: 'read the current assignments, then write: the write depends on what the read returns',
      prepare: async (ctx) => {
        const poolId = freshPool();
        const groupId = await freshGroup(ctx);
        await ctx.send(editBody('add', poolId, groupId));
        return editBody('remove', poolId, groupId);
      },
      complete: (data) => listOf(payload(data, 'removeEmbeddedSIMActivationCodePoolAssignments').removed).length === 1,
    },
    {
      name: `bulk add (1 new group, ${BULK_POOLS} pools)`,
      minimum: Math.ceil((BULK_POOLS + 1) / BATCH_LIMIT) + BULK_POOLS,
      reason: `the group check and the ${BULK_POOLS} sets in ⌈${BULK_POOLS + 1}/${BATCH_LIMIT}⌉ $batch, then one assign per pool`,
      prepare: async (ctx) => bulkAddBody(Array.from({ length: BULK_POOLS }, freshPool), await freshGroup(ctx)),
      complete: (data) => payload(data, 'addAssignmentsToEmbeddedSIMActivationCodePools').succeeded === BULK_POOLS,
    },
    {
      name: 'create a pool (2 codes)',
      minimum: 1,
      reason: 'POST …/embeddedSIMActivationCodePools answers 201 with the pool',
      manage: true,
      prepare: async () =>
        JSON.stringify({
          query: `mutation CreatePool($input: CreateEmbeddedSIMActivationCodePoolInput!) {
  createEmbeddedSIMActivationCodePool(input: $input) { pool { id displayName activationCodeCount createdDateTime } }
}`,
          operationName: 'CreatePool',
          variables: { input: { displayName: `bench pool ${randomUUID()}`, activationCodes: testCodes(2, nextCodeSeries++) } },
        }),
      complete: (data) => isRecord(payload(data, 'createEmbeddedSIMActivationCodePool').pool),
      after: async (ctx, data) => {
        const pool = payload(data, 'createEmbeddedSIMActivationCodePool').pool;
        if (isRecord(pool) && typeof pool.id === 'string') await deletePoolAtEmulator(ctx.spec.emulatorUrl, pool.id);
      },
    },
    {
      name: 'pools page (first 50)',
      minimum: 1,
      reason: 'GET …/embeddedSIMActivationCodePools?$top=50',
      prepare: async () => spec.poolsBody,
      complete: (data) => edgesOf(data).length === 50,
    },
    {
      name: `_entities × ${n} { id displayName }`,
      minimum: ENTITIES_BATCHES(n),
      reason: `⌈${n}/${BATCH_LIMIT}⌉ $batch of GET …/{id}: a $batch holds at most ${BATCH_LIMIT} requests`,
      prepare: async () => entitiesBody(spec.entityIds, 'id displayName'),
      complete: entitiesComplete(false),
    },
    {
      name: `_entities × ${n} { … assignments { id } }`,
      minimum: ENTITIES_BATCHES(n),
      reason: `the same ${ENTITIES_BATCHES(n)} $batch with GET …/{id}?$expand=assignments`,
      prepare: async () => entitiesBody(spec.entityIds, 'id displayName assignments { id }'),
      complete: entitiesComplete(true),
    },
    {
      name: 'pools page (first 50) { deviceStates }',
      minimum: 1 + ENTITIES_BATCHES(50),
      reason: `the page, then ⌈50/${BATCH_LIMIT}⌉ $batch of GET …/{id}/deviceStates (a nextLink per pool for pageInfo)`,
      prepare: async () => DEVICE_STATES_PAGE,
      complete: (data) => edgesOf(data).length === 50 && edgesOf(data).every((e) => isRecord(e) && isRecord(e.node) && isRecord(e.node.deviceStates)),
    },
  ];
}


/** `/beta/deviceManagement/embeddedSIMActivationCodePools/<guid>/assign` → `…/{id}/assign`. */
function shortPath(path: string): string {
  return path
    .replace(/^\/beta\/deviceManagement\/embeddedSIMActivationCodePools/, '…')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '{id}');
}

/** One line per request; a `$batch`'s items are grouped by their shape: `POST /beta/$batch [20× GET …/{id}]`. */
export function describeRequest(r: LoggedRequest): string {
  const head = `${r.method} ${shortPath(r.path)}`;
  if (r.items === undefined) return head;
  const shapes = new Map<string, number>();
  for (const item of r.items) {
    const shape = `${item.method} ${shortPath(item.path)}`;
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
  }
  return `${head} [${[...shapes].map(([shape, count]) => `${count}× ${shape}`).join(', ')}]`;
}

async function sendTo(spec: GraphCallsSpec, body: string, manage: boolean): Promise<Record<string, unknown>> {
  const token = manage ? spec.manageToken : spec.assignToken;
  const res = await postJson(spec.url, { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body);
  if (res.status !== 200 || !isRecord(res.json) || res.json.errors !== undefined || !isRecord(res.json.data)) {
    throw new Error(`${res.status} ${JSON.stringify(res.json).slice(0, 600)}`);
  }
  return res.json.data;
}

/** Prepares (uncounted), then sends once between two reads of the emulator's count. */
async function measureOne(ctx: Context, op: Operation): Promise<GraphCallsRow> {
  const row = { operation: op.name, minimum: op.minimum, reason: op.reason };
  const body = await op.prepare(ctx);
  const before = await emulatorCount(ctx.spec.emulatorUrl);
  let error: string | undefined;
  let data: Record<string, unknown> | undefined;
  try {
    data = await ctx.send(body, op.manage);
    if (op.complete && !op.complete(data)) error = `incomplete answer: ${JSON.stringify(data).slice(0, 600)}`;
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const requests = (await emulatorCount(ctx.spec.emulatorUrl)) - before;
  const logged = (await emulatorRequestsSince(ctx.spec.emulatorUrl, before)).slice(0, requests);
  if (data && op.after) await op.after(ctx, data);
  return {
    ...row,
    requests,
    batchItems: logged.reduce((sum, r) => sum + (r.items?.length ?? 0), 0),
    atMinimum: error === undefined && requests <= op.minimum,
    paths: logged.map(describeRequest),
    ...(error === undefined ? {} : { error }),
  };
}

/** Sends every operation once to warm up, then once counted; returns one row per operation (failures in `error`). */
export async function measureGraphCalls(spec: GraphCallsSpec): Promise<GraphCallsRow[]> {
  const ctx: Context = { spec, send: (body, manage = false) => sendTo(spec, body, manage) };
  const rows: GraphCallsRow[] = [];
  for (const op of operations(spec)) {
    try {
      const warm = await ctx.send(await op.prepare(ctx), op.manage);
      if (op.after) await op.after(ctx, warm);
    } catch (e) {
      const error = `warm-up: ${e instanceof Error ? e.message : String(e)}`;
      rows.push({ operation: op.name, minimum: op.minimum, reason: op.reason, requests: 0, batchItems: 0, atMinimum: false, paths: [], error });
      continue;
    }
    rows.push(await measureOne(ctx, op));
  }
  return rows;
}
