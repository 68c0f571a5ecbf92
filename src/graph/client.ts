/**
 * Microsoft Graph client for the eSIM pool API: the operations, as paths and parsers over the Graph pipeline
 * (pipeline/pipeline.ts: telemetry, deadline, retry, token, limits, HTTP). It knows nothing of GraphQL.
 */
import type { BatchItemResult, CallOptions, EsimPoolsApi, Page, PageRequest, PoolWithAssignments } from './api';
import { batchGet, mapBatchItem, type BatchContext } from './batch';
import { isGraphError } from './errors';
import {
  isWireAssignment,
  isWireDeviceState,
  isWirePool,
  isWirePoolWithAssignments,
  type WireAssignment,
  type WireAssignmentInput,
  type WireDeviceState,
  type WirePool,
} from './models';
import { pageQuery, parseCollection, parseEntity, parsePage, type CollectionUrl, type Reply } from './odata';
import type { GraphClientOptions } from './options';
import { createPipeline, createPipelineParts, type PipelineParts } from './pipeline/pipeline';
import { CachedToken, type CredentialSource } from './pipeline/token';
import { createRequest, type RequestSpec, type SendRequest } from './pipeline/types';

export type { GraphClientOptions } from './options';

const POOLS_PATH = '/deviceManagement/embeddedSIMActivationCodePools';

function poolPath(poolId: string): string {
  return `${POOLS_PATH}/${encodeURIComponent(poolId)}`;
}

/** The operations over one credential's pipeline. */
class CredentialClient implements EsimPoolsApi {
  protected readonly token: CachedToken;
  private readonly batch: BatchContext;

  constructor(
    protected readonly parts: PipelineParts,
    credential: CredentialSource,
    own = false,
  ) {
    this.token = new CachedToken(credential, { ...parts.token, ...(own ? parts.ownToken : {}) });
    this.batch = { send: createPipeline(parts, this.token), retry: parts.retry, timeoutMs: parts.timeoutMs };
  }

  /**
   * A client calling Graph with another credential (on-behalf-of: one per user): the same chain with another
   * bearer-token policy, sharing this one's connections, bulkhead and budgets. Give a factory of the credential
   * so that a token Graph rejected can be replaced by a new one (CachedToken.reject).
   */
  withCredential(credential: CredentialSource): EsimPoolsApi {
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

  /** One call through the pipeline: a 2xx reply, or a GraphError. */
  private send(spec: RequestSpec, options?: CallOptions): Promise<Reply> {
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
   * @param credential Any `TokenCredential` (@azure/identity), or a factory of one (see CachedToken.reject); its
   *   tokens are cached until near expiry.
   */
  constructor(endpoint: string, credential: CredentialSource, options: GraphClientOptions) {
    super(createPipelineParts(endpoint, options), credential, true);
  }

  /**
   * Stops the token recovery and closes the connections: in-flight requests get `graceMs` to finish, then are
   * aborted (at shutdown they belong to requests the HTTP server already cut off).
   */
  async close(graceMs = 1000): Promise<void> {
    this.token.close();
    await this.parts.transport.close(graceMs);
  }

  /** Calls in flight and waiting in the bulkhead, and open connections to Graph (for metrics and tests). */
  get load(): { inFlight: number; queued: number; connections: number; running: number } {
    const { bulkhead, transport } = this.parts;
    return { inFlight: bulkhead.inFlight, queued: bulkhead.queued, ...transport.stats };
  }

  /** False while the last attempt to get a token failed and no valid token is left (readiness). */
  get tokenHealthy(): boolean {
    return this.token.healthy;
  }
}
