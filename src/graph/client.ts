/**
 * Microsoft Graph client for the eSIM pool API: the operations, as paths and parsers over the Graph pipeline
 * (pipeline/pipeline.ts: telemetry, deadline, retry, token, limits, HTTP). It knows nothing of GraphQL.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { BatchItemResult, CallOptions, EsimPoolsApi, Page, PageRequest, PoolWithAssignments } from './api';
import { batchGet, mapBatchItem, type BatchContext } from './batch';
import { isGraphError, redactedBodyError } from './errors';
import {
  isWireAssignment,
  isWireDeviceState,
  isWirePool,
  isWirePoolWithAssignments,
  type WireAssignment,
  type WireAssignmentInput,
  type WireDeviceState,
  type WirePool,
  type WirePoolChanges,
  type WirePoolCreate,
} from './models';
import { isGuid } from './ids';
import { createdEntityKey, invalidResponse, pageQuery, parseCollection, parseEntity, parsePage, type CollectionUrl, type Reply } from './odata';
import type { GraphClientOptions } from './options';
import { CachedToken } from './pipeline/policies/bearerTokenPolicy';
import { createPipeline, createPipelineParts, type PipelineParts } from './pipeline/pipeline';
import { createRequest, type GraphResponse, type RequestSpec, type SendRequest } from './pipeline/types';

export type { GraphClientOptions } from './options';

const POOLS_PATH = '/deviceManagement/embeddedSIMActivationCodePools';

function poolPath(poolId: string): string {
  return `${POOLS_PATH}/${encodeURIComponent(poolId)}`;
}

/** A 2xx without a representation: 204, or an empty body (Graph documents "2XX" for its writes). */
function isEmpty(reply: Reply): boolean {
  return reply.status === 204 || reply.text.trim().length === 0;
}

/** The operations over one credential's pipeline. */
class CredentialClient implements EsimPoolsApi {
  protected readonly token: CachedToken;
  private readonly batch: BatchContext;

  constructor(
    protected readonly parts: PipelineParts,
    credential: TokenCredential,
  ) {
    this.token = new CachedToken(credential, parts.token.scope, undefined, parts.token.onAcquired);
    this.batch = { send: createPipeline(parts, this.token), retry: parts.retry, timeoutMs: parts.timeoutMs };
  }

  /**
   * A client calling Graph with another credential (on-behalf-of: one per user): the same chain with another
   * bearer-token policy, sharing this one's connections, bulkhead and budgets.
   */
  withCredential(credential: TokenCredential): EsimPoolsApi {
    return new CredentialClient(this.parts, credential);
  }

  async assign(poolId: string, assignments: WireAssignmentInput[], options?: CallOptions): Promise<WireAssignment[]> {
    const reply = await this.send(
      { method: 'POST', path: `${poolPath(poolId)}/assign`, pathTemplate: `${POOLS_PATH}/{id}/assign`, body: JSON.stringify({ assignments }) },
      options,
    );
    // Graph's documented reply is 200 {value:[…]}; other Intune assign actions answer 204 or an empty 200 in
    // practice. Then the new set is read back, so the caller always gets the assignments as Graph stores them.
    if (reply.status === 204 || reply.text.trim().length === 0) return this.listAssignments(poolId, options);
    return parseCollection(reply, isWireAssignment, 'assignment');
  }

  async getPool(poolId: string, options?: CallOptions): Promise<WirePool | null> {
    try {
      const reply = await this.send({ method: 'GET', path: poolPath(poolId), pathTemplate: `${POOLS_PATH}/{id}` }, options);
      return parseEntity(reply, isWirePool, 'pool');
    } catch (error) {
      if (isGraphError(error) && error.status === 404) return null;
      throw error;
    }
  }

  async listAssignments(poolId: string, options?: CallOptions): Promise<WireAssignment[]> {
    const reply = await this.send({ method: 'GET', path: `${poolPath(poolId)}/assignments`, pathTemplate: `${POOLS_PATH}/{id}/assignments` }, options);
    return parseCollection(reply, isWireAssignment, 'assignment');
  }

  async listPools(page: PageRequest, options?: CallOptions): Promise<Page<WirePool>> {
    const reply = await this.send({ method: 'GET', path: `${POOLS_PATH}${pageQuery(page)}`, pathTemplate: POOLS_PATH }, options);
    return parsePage(reply, isWirePool, 'pool', this.collection(POOLS_PATH));
  }

  async listDeviceStates(poolId: string, page: PageRequest, options?: CallOptions): Promise<Page<WireDeviceState>> {
    const path = `${poolPath(poolId)}/deviceStates`;
    const reply = await this.send({ method: 'GET', path: `${path}${pageQuery(page)}`, pathTemplate: `${POOLS_PATH}/{id}/deviceStates` }, options);
    return parsePage(reply, isWireDeviceState, 'device state', this.collection(path));
  }

  async getPools(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<WirePool>[]> {
    const replies = await batchGet(this.batch, poolIds.map(poolPath), `${POOLS_PATH}/{id}`, options);
    return replies.map((reply) => mapBatchItem(reply, (r) => parseEntity(r, isWirePool, 'pool')));
  }

  async getPoolsWithAssignments(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<PoolWithAssignments>[]> {
    const paths = poolIds.map((id) => `${poolPath(id)}?$expand=assignments`);
    const replies = await batchGet(this.batch, paths, `${POOLS_PATH}/{id}?$expand=assignments`, options);
    return replies.map((reply) =>
      mapBatchItem(reply, (r) => {
        const { assignments, 'assignments@odata.context': _context, ...pool } = parseEntity(r, isWirePoolWithAssignments, 'pool');
        return { pool, assignments: Array.isArray(assignments) && assignments.every(isWireAssignment) ? assignments : undefined };
      }),
    );
  }

  async listAssignmentsOfPools(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<WireAssignment[]>[]> {
    const paths = poolIds.map((id) => `${poolPath(id)}/assignments`);
    const replies = await batchGet(this.batch, paths, `${POOLS_PATH}/{id}/assignments`, options);
    return replies.map((reply) => mapBatchItem(reply, (r) => parseCollection(r, isWireAssignment, 'assignment')));
  }

  async listDeviceStatesOfPools(
    pages: readonly ({ poolId: string } & PageRequest)[],
    options?: CallOptions,
  ): Promise<BatchItemResult<Page<WireDeviceState>>[]> {
    const collections = pages.map((p) => `${poolPath(p.poolId)}/deviceStates`);
    const paths = pages.map((p, i) => `${collections[i]}${pageQuery(p)}`);
    const replies = await batchGet(this.batch, paths, `${POOLS_PATH}/{id}/deviceStates`, options);
    // Each item's @odata.nextLink is checked against its own collection, like listDeviceStates does.
    return replies.map((reply, i) =>
      mapBatchItem(reply, (r) => parsePage(r, isWireDeviceState, 'device state', this.collection(collections[i]))),
    );
  }

  async createPool(pool: WirePoolCreate, options?: CallOptions): Promise<WirePool> {
    let reply: GraphResponse;
    try {
      reply = await this.send({ method: 'POST', path: POOLS_PATH, pathTemplate: POOLS_PATH, body: JSON.stringify(pool), repeatable: false }, options);
    } catch (error) {
      throw isGraphError(error) ? redactedBodyError(error, 'the new pool') : error;
    }
    if (!isEmpty(reply)) return parseEntity(reply, isWirePool, 'pool');
    // 204 (Graph documents "2XX"): OData says where the new entity is; only its id is taken, and read here.
    const id = createdEntityKey(reply.headers, POOLS_PATH);
    if (id === undefined || !isGuid(id)) throw invalidResponse(reply, "the new pool or its id (Location / OData-EntityId)");
    const created = await this.getPool(id, options);
    if (created === null) throw invalidResponse(reply, 'the id of a pool that can be read');
    return created;
  }

  async updatePool(poolId: string, changes: WirePoolChanges, options?: CallOptions): Promise<WirePool | null> {
    try {
      const reply = await this.send(
        { method: 'PATCH', path: poolPath(poolId), pathTemplate: `${POOLS_PATH}/{id}`, body: JSON.stringify(changes) },
        options,
      );
      return isEmpty(reply) ? await this.getPool(poolId, options) : parseEntity(reply, isWirePool, 'pool');
    } catch (error) {
      if (isGraphError(error) && error.status === 404) return null;
      throw error;
    }
  }

  async deletePool(poolId: string, options?: CallOptions): Promise<boolean> {
    try {
      await this.send({ method: 'DELETE', path: poolPath(poolId), pathTemplate: `${POOLS_PATH}/{id}`, repeatable: false }, options);
      return true;
    } catch (error) {
      if (isGraphError(error) && error.status === 404) return false;
      throw error;
    }
  }

  /** One call through the pipeline: a 2xx reply (with its headers), or a GraphError. */
  private send(spec: RequestSpec, options?: CallOptions): Promise<GraphResponse> {
    return this.batch.send(createRequest(spec, options));
  }

  private collection(path: string): CollectionUrl {
    const { origin, basePath } = this.parts.transport;
    return { origin, pathname: `${basePath}${path}` };
  }
}

/** The Graph client of one endpoint: it owns the connections, bulkhead and budgets its per-user clients share. */
export class GraphClient extends CredentialClient {
  /**
   * @param endpoint Graph's origin (e.g. `https://graph.microsoft.com`, or the emulator's URL).
   * @param credential Any `TokenCredential` (@azure/identity); its tokens are cached until near expiry.
   */
  constructor(endpoint: string, credential: TokenCredential, options: GraphClientOptions) {
    super(createPipelineParts(endpoint, options), credential);
  }

  async close(): Promise<void> {
    await this.parts.transport.close();
  }

  /** Calls in flight and waiting in the bulkhead, and open connections to Graph (for metrics and tests). */
  get load(): { inFlight: number; queued: number; connections: number; running: number } {
    const { bulkhead, transport } = this.parts;
    return { inFlight: bulkhead.inFlight, queued: bulkhead.queued, ...transport.stats };
  }

  /** False while the last attempt to get a token failed (readiness). */
  get tokenHealthy(): boolean {
    return this.token.healthy;
  }
}
