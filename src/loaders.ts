/**
 * Per-request DataLoaders (built in the context, never shared across requests or users). Their batch functions
 * go through Graph JSON batching: n keys cost ⌈n/20⌉ HTTP requests. Per-item failures stay per item.
 */
import DataLoader from 'dataloader';
import type { CallOptions, EsimPoolsApi, Page, PageToken } from './graph/client';
import { GraphError } from './graph/errors';
import type { WireAssignment, WireDeviceState, WirePool } from './graph/models';

/** One page of one pool's device states: the pool, the page size to ask for and where the page starts. */
export interface DeviceStatesPageKey {
  poolId: string;
  top: number;
  next?: PageToken;
}

export interface Loaders {
  /** Pool by id; null when Graph says 404. */
  poolById: DataLoader<string, WirePool | null>;
  /** A pool's assignments by pool id. */
  assignmentsByPool: DataLoader<string, WireAssignment[]>;
  /** A page of a pool's device states (one $batch for every pool's `deviceStates` in the request). */
  deviceStatesPage: DataLoader<DeviceStatesPageKey, Page<WireDeviceState>, string>;
}

const poolNotFound = (): GraphError => new GraphError('The pool was not found.', { kind: 'http', status: 404, code: 'ResourceNotFound' });

export function createLoaders(graph: EsimPoolsApi, options: CallOptions): Loaders {
  const cacheKeyFn = (id: string) => id.toLowerCase();
  return {
    poolById: new DataLoader<string, WirePool | null>((ids) => graph.getPools(ids, options), { cacheKeyFn, maxBatchSize: 100 }),
    assignmentsByPool: new DataLoader<string, WireAssignment[]>(
      async (ids) => {
        const results = await graph.listAssignmentsOfPools(ids, options);
        // A pool that does not exist has no assignments to list: its 404 is that item's NOT_FOUND error.
        return results.map((r) => r ?? poolNotFound());
      },
      { cacheKeyFn, maxBatchSize: 100 },
    ),
    deviceStatesPage: new DataLoader<DeviceStatesPageKey, Page<WireDeviceState>, string>(
      async (keys) => {
        const results = await graph.listDeviceStatesOfPools(keys, options);
        return results.map((r) => r ?? poolNotFound());
      },
      { cacheKeyFn: (key) => JSON.stringify([key.poolId.toLowerCase(), key.top, key.next ?? {}]), maxBatchSize: 100 },
    ),
  };
}
