/** Per-request DataLoaders, never shared across requests or users: n keys cost ⌈n/20⌉ requests, failures per item. */
import DataLoader from 'dataloader';
import type { CallOptions, EsimPoolsApi, Page, PageToken } from '../graph/api';
import type { DirectoryKey, WireDirectoryObject } from '../graph/directory';
import { GraphError } from '../graph/errors';
import type { WireAssignment, WireAssignmentTarget, WireDeviceState, WirePool } from '../graph/models';
import { readDirectory, type DirectoryCache } from './targets';

/** Told of every pool's set a read found (the history compares it with the last recorded one, off the request's path). */
export type AssignmentsObserver = (poolId: string, targets: WireAssignmentTarget[], readStartedMs: number) => void;

/** One page of one pool's device states: the pool, the page size to ask for and where the page starts. */
export interface DeviceStatesPageKey {
  poolId: string;
  top: number;
  next?: PageToken;
  /** Ask for the collection's size too (`$count=true`, when `totalCount` is selected). */
  count?: boolean;
}

export interface Loaders {
  /** Pool by id; null when Graph says 404. */
  poolById: DataLoader<string, WirePool | null>;
  /** Pool by id with `$expand=assignments`, priming `assignmentsByPool`; null when Graph says 404. */
  poolWithAssignmentsById: DataLoader<string, WirePool | null>;
  /** A pool's assignments by pool id. */
  assignmentsByPool: DataLoader<string, WireAssignment[]>;
  /** A page of a pool's device states (one $batch for every pool's `deviceStates` in the request). */
  deviceStatesPage: DataLoader<DeviceStatesPageKey, Page<WireDeviceState>, string>;
  /** A group or assignment filter (`targetState`), the app's short cache first; null when Graph says 404. */
  directoryObject: DataLoader<DirectoryKey, WireDirectoryObject | null, string>;
}

const poolNotFound = (): GraphError => new GraphError('The pool was not found.', { kind: 'http', status: 404, code: 'ResourceNotFound' });
const cacheKeyFn = (id: string): string => id.toLowerCase();

/** A request's loaders, each made when first used (most operations need one or two of them). */
class RequestLoaders implements Loaders {
  private pools?: Loaders['poolById'];
  private poolsWithAssignments?: Loaders['poolWithAssignmentsById'];
  private assignments?: Loaders['assignmentsByPool'];
  private deviceStates?: Loaders['deviceStatesPage'];
  private directory?: Loaders['directoryObject'];

  constructor(
    private readonly graph: EsimPoolsApi,
    private readonly options: CallOptions,
    private readonly cache?: DirectoryCache,
    private readonly observe?: AssignmentsObserver,
  ) {}

  get directoryObject(): Loaders['directoryObject'] {
    return (this.directory ??= new DataLoader<DirectoryKey, WireDirectoryObject | null, string>(
      (keys) => readDirectory(this.graph, keys, this.options, this.cache),
      { cacheKeyFn: (key) => `${key.kind}:${key.id.toLowerCase()}`, maxBatchSize: 100 },
    ));
  }

  get poolById(): Loaders['poolById'] {
    return (this.pools ??= new DataLoader<string, WirePool | null>((ids) => this.graph.getPools(ids, this.options), { cacheKeyFn, maxBatchSize: 100 }));
  }

  get poolWithAssignmentsById(): Loaders['poolWithAssignmentsById'] {
    return (this.poolsWithAssignments ??= new DataLoader<string, WirePool | null>(
      async (ids) => {
        const started = Date.now();
        const results = await this.graph.getPoolsWithAssignments(ids, this.options);
        return results.map((r, i) => {
          if (r === null || r instanceof Error) return r;
          if (r.assignments !== undefined) {
            this.assignmentsByPool.clear(ids[i]).prime(ids[i], r.assignments);
            this.observe?.(ids[i], r.assignments.map((a) => a.target), started);
          }
          return r.pool;
        });
      },
      { cacheKeyFn, maxBatchSize: 100 },
    ));
  }

  get assignmentsByPool(): Loaders['assignmentsByPool'] {
    return (this.assignments ??= new DataLoader<string, WireAssignment[]>(
      async (ids) => {
        const started = Date.now();
        const results = await this.graph.listAssignmentsOfPools(ids, this.options);
        // A pool that does not exist has no assignments to list: its 404 is that item's NOT_FOUND error.
        return results.map((r, i) => {
          if (Array.isArray(r)) this.observe?.(ids[i], r.map((a) => a.target), started);
          return r ?? poolNotFound();
        });
      },
      { cacheKeyFn, maxBatchSize: 100 },
    ));
  }

  get deviceStatesPage(): Loaders['deviceStatesPage'] {
    return (this.deviceStates ??= new DataLoader<DeviceStatesPageKey, Page<WireDeviceState>, string>(
      async (keys) => {
        const results = await this.graph.listDeviceStatesOfPools(keys, this.options);
        return results.map((r) => r ?? poolNotFound());
      },
      { cacheKeyFn: (key) => JSON.stringify([key.poolId.toLowerCase(), key.top, key.next ?? {}, key.count === true]), maxBatchSize: 100 },
    ));
  }
}

export function createLoaders(graph: EsimPoolsApi, options: CallOptions, cache?: DirectoryCache, observe?: AssignmentsObserver): Loaders {
  return new RequestLoaders(graph, options, cache, observe);
}
