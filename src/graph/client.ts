/** Microsoft Graph client for the eSIM pool API: the operations, as paths and parsers over the Graph pipeline. It knows nothing of GraphQL. */
import type { BatchItemResult, CallOptions, EsimPoolsApi, Page, PageRequest, PoolWithAssignments } from './api';
import { batchRead, type BatchContext } from './batch';
import { getDirectoryObjects, type DirectoryKey, type WireDirectoryObject } from './directory';
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

/** The pool Graph answered with must be the one asked for (ids compared case-insensitively, as Graph does). */
function askedPool(pool: WirePool, poolId: string, reply: Reply): WirePool {
  if (pool.id.toLowerCase() !== poolId.toLowerCase()) throw invalidResponse(reply, 'the pool asked for', 'it holds another id');
  return pool;
}

/** A pool's `$expand=assignments`: undefined when missing or not a valid set (then they are read by themselves). */
function expandedAssignments(body: unknown): WireAssignment[] | undefined {
  if (!isRecord(body) || !Array.isArray(body.assignments)) return undefined;
  const reads = body.assignments.map(readAssignment);
  return reads.every((read) => read.ok) ? reads.map((read) => read.value) : undefined;
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

/** The operations over one credential's pipeline. */
class CredentialClient implements EsimPoolsApi {
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

  async assign(poolId: string, assignments: WireAssignmentInput[], options?: CallOptions): Promise<WireAssignment[]> {
    const reply = await this.calls.send(
      { method: 'POST', path: `${poolPath(poolId)}/assign`, pathTemplate: `${POOLS_PATH}/{id}/assign`, body: JSON.stringify({ assignments }) },
      options,
    );
    // Graph's documented reply is 200 {value:[…]}; other Intune assign actions answer 204 or an empty 200 in
    // practice. Then the new set is read back, so the caller always gets the assignments as Graph stores them.
    if (isEmpty(reply)) return this.listAssignments(poolId, options);
    return this.unknown.assignments(parseCollection(reply, readAssignment, 'assignment'));
  }

  getPool(poolId: string, options?: CallOptions): Promise<WirePool | null> {
    return unless404(async () => {
      const reply = await this.calls.send({ method: 'GET', path: poolPath(poolId), pathTemplate: `${POOLS_PATH}/{id}` }, options);
      return askedPool(parseEntity(reply, readPool, 'pool'), poolId, reply);
    }, null);
  }

  async listAssignments(poolId: string, options?: CallOptions): Promise<WireAssignment[]> {
    const reply = await this.calls.send({ method: 'GET', path: `${poolPath(poolId)}/assignments`, pathTemplate: `${POOLS_PATH}/{id}/assignments` }, options);
    return this.unknown.assignments(parseCollection(reply, readAssignment, 'assignment'));
  }

  async listPools(page: PageRequest, options?: CallOptions): Promise<Page<WirePool>> {
    const reply = await this.calls.send({ method: 'GET', path: `${POOLS_PATH}${pageQuery(page)}`, pathTemplate: POOLS_PATH }, options);
    return parsePage(reply, readPool, 'pool', this.collection(POOLS_PATH));
  }

  async listDeviceStates(poolId: string, page: PageRequest, options?: CallOptions): Promise<Page<WireDeviceState>> {
    const path = `${poolPath(poolId)}/deviceStates`;
    const reply = await this.calls.send({ method: 'GET', path: `${path}${pageQuery(page)}`, pathTemplate: `${POOLS_PATH}/{id}/deviceStates` }, options);
    const states = parsePage(reply, readDeviceState, 'device state', this.collection(path));
    this.unknown.deviceStates(states.value);
    return states;
  }

  async getPools(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<WirePool>[]> {
    return this.batchUnderPools(poolIds, (path) => path, `${POOLS_PATH}/{id}`, (reply, poolId) => askedPool(parseEntity(reply, readPool, 'pool'), poolId, reply), options);
  }

  async getPoolsWithAssignments(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<PoolWithAssignments>[]> {
    return this.batchUnderPools(
      poolIds,
      (path) => `${path}?$expand=assignments`,
      `${POOLS_PATH}/{id}?$expand=assignments`,
      (reply, poolId) => {
        const pool = askedPool(parseEntity(reply, readPool, 'pool'), poolId, reply);
        const assignments = expandedAssignments(reply.json);
        return { pool, assignments: assignments && this.unknown.assignments(assignments) };
      },
      options,
    );
  }

  async listAssignmentsOfPools(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<WireAssignment[]>[]> {
    return this.batchUnderPools(
      poolIds,
      (path) => `${path}/assignments`,
      `${POOLS_PATH}/{id}/assignments`,
      (reply) => this.unknown.assignments(parseCollection(reply, readAssignment, 'assignment')),
      options,
    );
  }

  async listDeviceStatesOfPools(
    pages: readonly ({ poolId: string } & PageRequest)[],
    options?: CallOptions,
  ): Promise<BatchItemResult<Page<WireDeviceState>>[]> {
    return this.batchUnderPools(
      pages.map((p) => p.poolId),
      (path, i) => `${path}/deviceStates${pageQuery(pages[i])}`,
      `${POOLS_PATH}/{id}/deviceStates`,
      // Each item's @odata.nextLink is checked against its own collection, like listDeviceStates does.
      (reply, poolId) => {
        const page = parsePage(reply, readDeviceState, 'device state', this.collection(`${poolPath(poolId)}/deviceStates`));
        this.unknown.deviceStates(page.value);
        return page;
      },
      options,
    );
  }

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

  updatePool(poolId: string, changes: WirePoolChanges, options?: CallOptions): Promise<WirePool | null> {
    return unless404(async () => {
      const body = JSON.stringify(changes);
      const reply = await this.calls.send({ method: 'PATCH', path: poolPath(poolId), pathTemplate: `${POOLS_PATH}/{id}`, body }, options);
      return isEmpty(reply) ? this.getPool(poolId, options) : parseEntity(reply, readPool, 'pool');
    }, null);
  }

  deletePool(poolId: string, options?: CallOptions): Promise<boolean> {
    return unless404(async () => {
      await this.calls.send({ method: 'DELETE', path: poolPath(poolId), pathTemplate: `${POOLS_PATH}/{id}`, repeatable: false }, options);
      return true;
    }, false);
  }

  getDirectoryObjects(keys: readonly DirectoryKey[], options?: CallOptions): Promise<BatchItemResult<WireDirectoryObject>[]> {
    return getDirectoryObjects(this.calls, keys, options);
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
