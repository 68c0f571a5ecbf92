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
/** Pools by id, whatever the id's case. */
const byPoolId = { cacheKeyFn: (id: string): string => id.toLowerCase(), maxBatchSize: 100 };

/** A request's loaders, each made when first used (most operations need one or two of them). */
export function createLoaders(graph: EsimPoolsApi, options: CallOptions, cache?: DirectoryCache, observe?: AssignmentsObserver): Loaders {
  let pools: Loaders['poolById'] | undefined;
  let poolsWithAssignments: Loaders['poolWithAssignmentsById'] | undefined;
  let assignments: Loaders['assignmentsByPool'] | undefined;
  let deviceStates: Loaders['deviceStatesPage'] | undefined;
  let directory: Loaders['directoryObject'] | undefined;
  const loaders: Loaders = {
    get directoryObject() {
      return (directory ??= new DataLoader<DirectoryKey, WireDirectoryObject | null, string>((keys) => readDirectory(graph, keys, options, cache), {
        cacheKeyFn: (key) => `${key.kind}:${key.id.toLowerCase()}`,
        maxBatchSize: 100,
      }));
    },
    get poolById() {
      return (pools ??= new DataLoader<string, WirePool | null>((ids) => graph.getPools(ids, options), byPoolId));
    },
    get poolWithAssignmentsById() {
      return (poolsWithAssignments ??= new DataLoader<string, WirePool | null>(async (ids) => {
        const started = Date.now();
        const results = await graph.getPoolsWithAssignments(ids, options);
        return results.map((r, i) => {
          if (r === null || r instanceof Error) return r;
          if (r.assignments !== undefined) {
            loaders.assignmentsByPool.clear(ids[i]).prime(ids[i], r.assignments);
            observe?.(ids[i], r.assignments.map((a) => a.target), started);
          }
          return r.pool;
        });
      }, byPoolId));
    },
    get assignmentsByPool() {
      return (assignments ??= new DataLoader<string, WireAssignment[]>(async (ids) => {
        const started = Date.now();
        const results = await graph.listAssignmentsOfPools(ids, options);
        // A pool that does not exist has no assignments to list: its 404 is that item's NOT_FOUND error.
        return results.map((r, i) => {
          if (Array.isArray(r)) observe?.(ids[i], r.map((a) => a.target), started);
          return r ?? poolNotFound();
        });
      }, byPoolId));
    },
    get deviceStatesPage() {
      return (deviceStates ??= new DataLoader<DeviceStatesPageKey, Page<WireDeviceState>, string>(
        async (keys) => (await graph.listDeviceStatesOfPools(keys, options)).map((r) => r ?? poolNotFound()),
        { cacheKeyFn: (key) => JSON.stringify([key.poolId.toLowerCase(), key.top, key.next ?? {}, key.count === true]), maxBatchSize: 100 },
      ));
    },
  };
  return loaders;
}
