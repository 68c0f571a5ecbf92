/** Microsoft Graph client for the eSIM pool API: the operations, as paths and parsers over the Graph pipeline. It knows nothing of GraphQL. */
import type { BatchItemResult, CallOptions, EsimPoolsApi, Page, PageRequest, PoolWithAssignments } from './api';
import { batchRead, type BatchContext } from './batch';
import type { DirectoryKey, WireDirectoryObject } from './directory';
import { GraphError, isGraphError, redactedBodyError } from './errors';
import { isGuid, isRecord } from './json';
import {
  readAssignment,
  readDeviceState,
  readPool,
  UnknownValues,
  type WireAssignment,
  type WireAssignmentInput,
  type WireDeviceState,
  type WirePool,
  type WirePoolChanges,
  type WirePoolCreate,
  type WireReader,
} from './models';
import { createdEntityKey, invalidResponse, pageQuery, parseCollection, parseEntity, parsePage, type CollectionUrl, type Reply } from './odata';
import type { GraphClientOptions } from './options';
import { createGraphPipeline, createPipelineParts, type PipelineParts } from './pipeline/pipeline';
import { createRequest, toReply, type RequestSpec } from './pipeline/request';
import { CachedToken, type CredentialSource } from './pipeline/token';

export type { GraphClientOptions } from './options';

const POOLS_PATH = '/deviceManagement/embeddedSIMActivationCodePools';

/** A pool's path; an id that is not a GUID (one read from a reply, say) is refused before it becomes a segment. */
function poolPath(poolId: string): string {
  if (!isGuid(poolId)) throw notAPoolId();
  return `${POOLS_PATH}/${poolId}`;
}

function notAPoolId(): GraphError {
  return new GraphError('Microsoft Graph gave a pool id that is not a GUID; it is not used in a request.', { kind: 'invalid-response' });
}

/** A 2xx without a representation: 204, or an empty body (Graph documents "2XX" for its writes). */
function isEmpty(reply: Reply): boolean {
  return reply.status === 204 || reply.text.trim().length === 0;
}

/** The pool of a reply, which must be the one asked for (ids compared case-insensitively, as Graph does). */
function askedPool(reply: Reply, poolId: string): WirePool {
  const pool = parseEntity(reply, readPool, 'pool');
  if (pool.id.toLowerCase() !== poolId.toLowerCase()) throw invalidResponse(reply, 'the pool asked for', 'it holds another id');
  return pool;
}

/** A pool's `$expand=assignments`: undefined when missing or not a valid set (then they are read by themselves). */
function expandedAssignments(body: unknown): WireAssignment[] | undefined {
  if (!isRecord(body) || !Array.isArray(body.assignments)) return undefined;
  const reads = body.assignments.map(readAssignment);
  return reads.every((read) => read.ok) ? reads.map((read) => read.value) : undefined;
}

const DIRECTORY_PATHS = {
  group: (id: string) => `/groups/${id}?$select=id`,
  filter: (id: string) => `/deviceManagement/assignmentFilters/${id}?$select=id,platform`,
} as const;
const DIRECTORY_PATH_TEMPLATE = '/groups/{id}|/deviceManagement/assignmentFilters/{id}';

/** A group or filter, which must be the one asked for; a filter's platform as Graph sent it. */
function readDirectoryObject(key: DirectoryKey): WireReader<WireDirectoryObject> {
  return (value) => {
    if (!isRecord(value) || typeof value.id !== 'string') return { ok: false, problem: 'id is not a string' };
    if (value.id.toLowerCase() !== key.id.toLowerCase()) return { ok: false, problem: `it is another ${key.kind}` };
    if (key.kind === 'group') return { ok: true, value: { kind: 'group', id: value.id } };
    const platform = value.platform;
    if (platform !== undefined && platform !== null && typeof platform !== 'string') return { ok: false, problem: 'platform is not a string' };
    return { ok: true, value: { kind: 'filter', id: value.id, ...(typeof platform === 'string' ? { platform } : {}) } };
  };
}

/** The call's result, or `missing` when Graph says 404. */
async function unless404<T, M>(call: () => Promise<T>, missing: M): Promise<T | M> {
  try {
    return await call();
  } catch (error) {
    if (isGraphError(error) && error.status === 404) return missing;
    throw error;
  }
}

/** The operations over one credential's pipeline: the Graph operations the subgraph needs (EsimPoolsApi). */
export class CredentialClient {
  protected readonly token: CachedToken;
  /** Single calls (send) and batched reads through this credential's pipeline. */
  private readonly calls: BatchContext;

  constructor(
    protected readonly parts: PipelineParts,
    credential: CredentialSource,
    /** Shared with the on-behalf-of clients: each unknown value is reported once per endpoint client. */
    private readonly unknown: UnknownValues,
    own = false,
  ) {
    this.token = new CachedToken(credential, { ...parts.token, ...(own ? parts.ownToken : {}) });
    const pipeline = createGraphPipeline(parts, this.token);
    const { httpClient } = parts;
    this.calls = {
      send: async (spec, options) => toReply(await pipeline.sendRequest(httpClient, createRequest(httpClient.urlBase, spec, options))),
      retry: parts.retry,
      timeoutMs: parts.timeoutMs,
    };
  }

  /** A client with another credential (on-behalf-of), sharing connections, bulkhead and budgets; see CredentialSource. */
  withCredential(credential: CredentialSource): EsimPoolsApi {
    return new CredentialClient(this.parts, credential, this.unknown);
  }

  /** POST …/{poolId}/assign: replaces the pool's assignment set and returns the new set (read back after a 204). */
  async assign(poolId: string, assignments: WireAssignmentInput[], options?: CallOptions): Promise<WireAssignment[]> {
    const reply = await this.calls.send(
      { method: 'POST', path: `${poolPath(poolId)}/assign`, pathTemplate: `${POOLS_PATH}/{id}/assign`, body: JSON.stringify({ assignments }) },
      options,
    );
    return isEmpty(reply) ? this.listAssignments(poolId, options) : this.assignments(reply);
  }

  /** GET …/{poolId}, or null when Graph says 404. */
  getPool(poolId: string, options?: CallOptions): Promise<WirePool | null> {
    return unless404(async () => {
      const reply = await this.calls.send({ method: 'GET', path: poolPath(poolId), pathTemplate: `${POOLS_PATH}/{id}` }, options);
      return askedPool(reply, poolId);
    }, null);
  }

  /** GET …/{poolId}/assignments */
  async listAssignments(poolId: string, options?: CallOptions): Promise<WireAssignment[]> {
    const reply = await this.calls.send({ method: 'GET', path: `${poolPath(poolId)}/assignments`, pathTemplate: `${POOLS_PATH}/{id}/assignments` }, options);
    return this.assignments(reply);
  }

  /** GET the pools collection, one page. */
  async listPools(page: PageRequest, options?: CallOptions): Promise<Page<WirePool>> {
    const reply = await this.calls.send({ method: 'GET', path: `${POOLS_PATH}${pageQuery(page)}`, pathTemplate: POOLS_PATH }, options);
    return parsePage(reply, readPool, 'pool', this.collection(POOLS_PATH));
  }

  /** GET …/{poolId}/deviceStates, one page. */
  async listDeviceStates(poolId: string, page: PageRequest, options?: CallOptions): Promise<Page<WireDeviceState>> {
    const path = `${poolPath(poolId)}/deviceStates`;
    const reply = await this.calls.send({ method: 'GET', path: `${path}${pageQuery(page)}`, pathTemplate: `${POOLS_PATH}/{id}/deviceStates` }, options);
    return this.deviceStates(reply, path);
  }

  /** Many pools by id through Graph JSON batching (⌈n/20⌉ HTTP requests); results in key order. */
  async getPools(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<WirePool>[]> {
    return this.batchUnderPools(poolIds, (path) => path, `${POOLS_PATH}/{id}`, askedPool, options);
  }

  /** Many pools with `$expand=assignments` through $batch, in key order. */
  async getPoolsWithAssignments(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<PoolWithAssignments>[]> {
    return this.batchUnderPools(
      poolIds,
      (path) => `${path}?$expand=assignments`,
      `${POOLS_PATH}/{id}?$expand=assignments`,
      (reply, poolId) => {
        const pool = askedPool(reply, poolId);
        const assignments = expandedAssignments(reply.json);
        return { pool, assignments: assignments && this.unknown.assignments(assignments) };
      },
      options,
    );
  }

  /** The assignments of many pools through Graph JSON batching; results in key order. */
  async listAssignmentsOfPools(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<WireAssignment[]>[]> {
    return this.batchUnderPools(
      poolIds,
      (path) => `${path}/assignments`,
      `${POOLS_PATH}/{id}/assignments`,
      (reply) => this.assignments(reply),
      options,
    );
  }

  /** One device-state page of each of many pools through Graph JSON batching (404 → null); results in order. */
  async listDeviceStatesOfPools(
    pages: readonly ({ poolId: string } & PageRequest)[],
    options?: CallOptions,
  ): Promise<BatchItemResult<Page<WireDeviceState>>[]> {
    return this.batchUnderPools(
      pages.map((p) => p.poolId),
      (path, i) => `${path}/deviceStates${pageQuery(pages[i])}`,
      `${POOLS_PATH}/{id}/deviceStates`,
      (reply, poolId) => this.deviceStates(reply, `${poolPath(poolId)}/deviceStates`),
      options,
    );
  }

  /** Creates a pool, returned as Graph stored it; repeated only after a 429; Graph's error text never passes. */
  async createPool(pool: WirePoolCreate, options?: CallOptions): Promise<WirePool> {
    const spec: RequestSpec = { method: 'POST', path: POOLS_PATH, pathTemplate: POOLS_PATH, body: JSON.stringify(pool), repeatable: false };
    const reply = await this.calls.send(spec, options).catch((error: unknown) => {
      throw isGraphError(error) ? redactedBodyError(error, 'the new pool') : error;
    });
    if (!isEmpty(reply)) return parseEntity(reply, readPool, 'pool');
    // 204 (Graph documents "2XX"): OData says where the new entity is; only its id is taken, and read here.
    const id = createdEntityKey(reply.headers, POOLS_PATH);
    if (id === undefined || !isGuid(id)) throw invalidResponse(reply, "the new pool or its id (Location / OData-EntityId)");
    const created = await this.getPool(id, options);
    if (created === null) throw invalidResponse(reply, 'the id of a pool that can be read');
    return created;
  }

  /** PATCH …/{poolId} with the given properties: the pool after the change (read back after a 204); null for 404. */
  updatePool(poolId: string, changes: WirePoolChanges, options?: CallOptions): Promise<WirePool | null> {
    return unless404(async () => {
      const body = JSON.stringify(changes);
      const reply = await this.calls.send({ method: 'PATCH', path: poolPath(poolId), pathTemplate: `${POOLS_PATH}/{id}`, body }, options);
      return isEmpty(reply) ? this.getPool(poolId, options) : parseEntity(reply, readPool, 'pool');
    }, null);
  }

  /** DELETE …/{poolId}: true when deleted, false when Graph says 404. Repeated only after a 429. */
  deletePool(poolId: string, options?: CallOptions): Promise<boolean> {
    return unless404(async () => {
      await this.calls.send({ method: 'DELETE', path: poolPath(poolId), pathTemplate: `${POOLS_PATH}/{id}`, repeatable: false }, options);
      return true;
    }, false);
  }

  /** Groups and assignment filters by id, mixed in JSON batches; results in key order, null for 404. */
  getDirectoryObjects(keys: readonly DirectoryKey[], options?: CallOptions): Promise<BatchItemResult<WireDirectoryObject>[]> {
    const pathOf = (key: DirectoryKey): string | GraphError =>
      isGuid(key.id) ? DIRECTORY_PATHS[key.kind](key.id) : new GraphError(`A ${key.kind} id that is not a GUID is not used in a request.`, { kind: 'invalid-response' });
    return batchRead(this.calls, keys, pathOf, DIRECTORY_PATH_TEMPLATE, (reply, key) => {
      if (!isRecord(reply.json)) throw invalidResponse(reply, `a ${key.kind}`);
      return parseEntity(reply, readDirectoryObject(key), key.kind);
    }, options);
  }

  /** GETs of paths under many pools through $batch (batchRead); an id that is not a GUID is that item's error. */
  private batchUnderPools<T>(
    poolIds: readonly string[],
    pathOf: (poolPath: string, index: number) => string,
    pathTemplate: string,
    parse: (reply: Reply, poolId: string) => T,
    options?: CallOptions,
  ): Promise<BatchItemResult<T>[]> {
    const path = (poolId: string, index: number): string | GraphError => (isGuid(poolId) ? pathOf(poolPath(poolId), index) : notAPoolId());
    return batchRead(this.calls, poolIds, path, pathTemplate, parse, options);
  }

  /** A reply's assignment set, read as a whole; its unknown values noticed. */
  private assignments(reply: Reply): WireAssignment[] {
    return this.unknown.assignments(parseCollection(reply, readAssignment, 'assignment'));
  }

  /** A device-state page of the collection at `path` (its next link checked against it); its unknown states noticed. */
  private deviceStates(reply: Reply, path: string): Page<WireDeviceState> {
    const page = parsePage(reply, readDeviceState, 'device state', this.collection(path));
    this.unknown.deviceStates(page.value);
    return page;
  }

  private collection(path: string): CollectionUrl {
    const { origin, basePath } = this.parts.httpClient;
    return { origin, pathname: `${basePath}${path}` };
  }
}

/** The Graph client of one endpoint: it owns the connections, bulkhead and budgets its per-user clients share. */
export class GraphClient extends CredentialClient {
  /** `endpoint`: Graph's origin (or the emulator's URL); `credential`: see CredentialSource. */
  constructor(endpoint: string, credential: CredentialSource, options: GraphClientOptions) {
    super(createPipelineParts(endpoint, options), credential, new UnknownValues(options.onUnknownValue), true);
  }

  /** Stops the token recovery and closes the connections; in-flight requests are aborted after `graceMs`. */
  async close(graceMs = 1000): Promise<void> {
    this.token.close();
    await this.parts.httpClient.close(graceMs);
  }

  /** Calls in flight and waiting in the bulkhead, and open connections to Graph (for metrics and tests). */
  get load(): { inFlight: number; queued: number; connections: number; running: number } {
    const { bulkhead, httpClient } = this.parts;
    return { inFlight: bulkhead.inFlight, queued: bulkhead.queued, ...httpClient.stats };
  }

  /** False while the last attempt to get a token failed and no valid token is left (readiness). */
  get tokenHealthy(): boolean {
    return this.token.healthy;
  }
}
