/**
 * An in-memory EsimPoolsApi for resolver tests: pools, assignments and device states in maps, every call
 * recorded (so a test can assert what would have reached Graph and how it was batched), and errors injectable per
 * method. It imports only types and wire models from src/graph: it stands in for the client, so it must not
 * depend on how the client is built. The Graph API's types are imported here once and re-exported for the tests.
 */
import type { BatchItemResult, CallOptions, EsimPoolsApi, Page, PageToken, PoolWithAssignments } from '../../src/graph/api';
import type { DirectoryKey, WireDirectoryObject } from '../../src/graph/directory';
import {
  WireDeviceStateValue,
  type WireAssignment,
  type WireAssignmentInput,
  type WireDeviceState,
  type WirePool,
  type WirePoolChanges,
  type WirePoolCreate,
} from '../../src/graph/models';

export type { BatchItemResult, CallOptions, EsimPoolsApi, Page, PageToken, PoolWithAssignments };

export type FakeMethod = keyof EsimPoolsApi;

/** One call to the fake: the method and its arguments without the call options. */
export interface FakeCall {
  method: FakeMethod;
  args: unknown[];
  options?: CallOptions;
}

interface StoredPool {
  pool: WirePool;
  assignments: WireAssignment[];
  deviceStates: WireDeviceState[];
}

const key = (id: string): string => id.toLowerCase();

/**
 * A page of `items` as Graph would serve it: `$skip` positions, a next page while items remain, and the whole
 * collection's size when it was asked for (`$count=true`).
 */
function pageOf<T>(items: readonly T[], top: number, next?: PageToken, count?: boolean): Page<T> {
  const skip = Number(next?.$skip ?? 0);
  const value = items.slice(skip, skip + top);
  const page: Page<T> = skip + top < items.length ? { value, next: { $skip: String(skip + top) } } : { value };
  return count ? { ...page, count: items.length } : page;
}

export class FakeGraph implements EsimPoolsApi {
  readonly calls: FakeCall[] = [];
  private readonly pools = new Map<string, StoredPool>();
  private readonly failures = new Map<FakeMethod, unknown>();
  private assignmentCount = 0;

  /** Adds (or replaces) a pool, with its assignments and device states. */
  addPool(pool: WirePool, assignments: WireAssignment[] = [], deviceStates: WireDeviceState[] = []): this {
    this.pools.set(key(pool.id), { pool, assignments, deviceStates });
    return this;
  }

  /** The pool's assignments as stored (after an assign: the new set). */
  assignmentsOf(poolId: string): WireAssignment[] | undefined {
    return this.pools.get(key(poolId))?.assignments;
  }

  /** Every call of `method` from now on rejects with `error` (until `heal`). */
  fail(method: FakeMethod, error: unknown): this {
    this.failures.set(method, error);
    return this;
  }

  heal(): void {
    this.failures.clear();
  }

  /** The calls of one method, in order. */
  callsOf(method: FakeMethod): FakeCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  private record(method: FakeMethod, options: CallOptions | undefined, ...args: unknown[]): void {
    this.calls.push({ method, args, options });
    if (this.failures.has(method)) throw this.failures.get(method);
  }

  async assign(poolId: string, assignments: WireAssignmentInput[], options?: CallOptions): Promise<WireAssignment[]> {
    this.record('assign', options, poolId, assignments);
    const stored = this.pools.get(key(poolId));
    if (!stored) throw new Error(`FakeGraph: no pool ${poolId} (a test that assigns an unknown pool should inject the error it expects)`);
    // Graph's assign replaces the whole set, and makes ids for new assignments.
    stored.assignments = assignments.map((a) => ({ '@odata.type': a['@odata.type'], id: a.id ?? `fake-assignment-${++this.assignmentCount}`, target: a.target }));
    return stored.assignments;
  }

  async getPool(poolId: string, options?: CallOptions): Promise<WirePool | null> {
    this.record('getPool', options, poolId);
    return this.pools.get(key(poolId))?.pool ?? null;
  }

  async listAssignments(poolId: string, options?: CallOptions): Promise<WireAssignment[]> {
    this.record('listAssignments', options, poolId);
    return this.pools.get(key(poolId))?.assignments ?? [];
  }

  async listPools(page: { top: number; next?: PageToken; count?: boolean }, options?: CallOptions): Promise<Page<WirePool>> {
    this.record('listPools', options, page);
    return pageOf([...this.pools.values()].map((p) => p.pool), page.top, page.next, page.count);
  }

  async listDeviceStates(poolId: string, page: { top: number; next?: PageToken; count?: boolean }, options?: CallOptions): Promise<Page<WireDeviceState>> {
    this.record('listDeviceStates', options, poolId, page);
    return pageOf(this.pools.get(key(poolId))?.deviceStates ?? [], page.top, page.next, page.count);
  }

  async getPools(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<WirePool>[]> {
    this.record('getPools', options, [...poolIds]);
    return poolIds.map((id) => this.pools.get(key(id))?.pool ?? null);
  }

  async getPoolsWithAssignments(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<PoolWithAssignments>[]> {
    this.record('getPoolsWithAssignments', options, [...poolIds]);
    return poolIds.map((id) => {
      const stored = this.pools.get(key(id));
      return stored ? { pool: stored.pool, assignments: stored.assignments } : null;
    });
  }

  async listAssignmentsOfPools(poolIds: readonly string[], options?: CallOptions): Promise<BatchItemResult<WireAssignment[]>[]> {
    this.record('listAssignmentsOfPools', options, [...poolIds]);
    return poolIds.map((id) => this.pools.get(key(id))?.assignments ?? null);
  }

  async listDeviceStatesOfPools(
    pages: readonly { poolId: string; top: number; next?: PageToken; count?: boolean }[],
    options?: CallOptions,
  ): Promise<BatchItemResult<Page<WireDeviceState>>[]> {
    this.record('listDeviceStatesOfPools', options, pages.map((p) => ({ ...p })));
    return pages.map((p) => {
      const stored = this.pools.get(key(p.poolId));
      return stored ? pageOf(stored.deviceStates, p.top, p.next, p.count) : null;
    });
  }

  async createPool(pool: WirePoolCreate, options?: CallOptions): Promise<WirePool> {
    this.record('createPool', options, { displayName: pool.displayName, activationCodeCount: pool.activationCodes.length });
    const created = { ...wire.pool(`fake-pool-${this.pools.size + 1}`, pool.displayName), activationCodeCount: pool.activationCodes.length };
    this.pools.set(key(created.id), { pool: created, assignments: [], deviceStates: [] });
    return created;
  }

  async updatePool(poolId: string, changes: WirePoolChanges, options?: CallOptions): Promise<WirePool | null> {
    this.record('updatePool', options, poolId, { ...changes });
    const stored = this.pools.get(key(poolId));
    if (!stored) return null;
    stored.pool = { ...stored.pool, ...changes };
    return stored.pool;
  }

  async deletePool(poolId: string, options?: CallOptions): Promise<boolean> {
    this.record('deletePool', options, poolId);
    return this.pools.delete(key(poolId));
  }

  /** Groups and filters the fake's tenant does not have: every other id exists (filters for `windows10AndLater`). */
  readonly missing = new Set<string>();

  async getDirectoryObjects(keys: readonly DirectoryKey[], options?: CallOptions): Promise<BatchItemResult<WireDirectoryObject>[]> {
    this.record('getDirectoryObjects', options, [...keys]);
    return keys.map((k) => {
      if (this.missing.has(key(k.id))) return null;
      return k.kind === 'group' ? { kind: 'group', id: k.id } : { kind: 'filter', id: k.id, platform: 'windows10AndLater' };
    });
  }
}

/** Wire objects for the fake, with fixed timestamps so that replies can be compared whole. */
export const wire = {
  pool(id: string, displayName = `Pool ${id.slice(0, 8)}`): WirePool {
    return {
      '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePool',
      id,
      displayName,
      activationCodeCount: 100,
      createdDateTime: '2026-01-05T08:00:00Z',
      modifiedDateTime: '2026-01-06T09:30:00Z',
    };
  },
  assignment(id: string, target: WireAssignment['target']): WireAssignment {
    return { '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment', id, target };
  },
  deviceState(id: string, deviceName: string): WireDeviceState {
    return {
      id,
      deviceName,
      state: WireDeviceStateValue.INSTALLED,
      createdDateTime: '2026-01-07T10:00:00Z',
      modifiedDateTime: '2026-01-07T10:05:00Z',
    };
  },
};
