/** The assignment history's records (entries, actors, kinds, outcomes); never an activation code or a token. */
import type { WireAssignmentTarget } from '../graph/models';

/** What an entry records (the GraphQL enum `AssignmentHistoryKind` has these values). */
export enum HistoryKind {
  SNAPSHOT = 'SNAPSHOT',
  WRITE = 'WRITE',
  RESTORE = 'RESTORE',
  OUTSIDE_CHANGE = 'OUTSIDE_CHANGE',
}

/** How a journaled write ended (the GraphQL enum `AssignmentWriteOutcome`). */
export enum WriteOutcome {
  WRITTEN = 'WRITTEN',
  UNCHANGED = 'UNCHANGED',
  FAILED = 'FAILED',
  UNKNOWN = 'UNKNOWN',
}

/** Who made a change: ids of the verified principal, never a token. */
export interface HistoryActor {
  objectId: string | null;
  appId: string | null;
  tenantId: string | null;
  isApp: boolean;
  /** Inbound authentication off (emulator mode): the caller is not known. */
  anonymous: boolean;
}

/** One recorded change to a pool's assignments. */
export interface HistoryEntry {
  /** Monotonic per store (a decimal string of the row's id). */
  id: string;
  poolId: string;
  /** ISO-8601, UTC. */
  at: string;
  kind: HistoryKind;
  /** The mutation of a write (`assign`, `add`, `remove`, `restore`, `create`, `update`, `delete`). */
  operation: string | null;
  actor: HistoryActor | null;
  outcome: WriteOutcome;
  targetsBefore: WireAssignmentTarget[] | null;
  targets: WireAssignmentTarget[];
  added: WireAssignmentTarget[];
  updated: WireAssignmentTarget[];
  removed: WireAssignmentTarget[];
  assignmentsVersion: string;
  requestId: string | null;
  graphRequestId: string | null;
  errorCode: string | null;
  restoredFrom: string | null;
  /** What a lifecycle write carried besides targets (a create: the pool's name and how many codes), never a code. */
  detail: Record<string, string | number> | null;
}
