/**
 * One `"audit": true` log line per write attempt (warn when a pool is left unassigned or deleted; docs/edits.md):
 * targets, filters, names and counts only, never a token or an activation code.
 */
import type { Principal } from '../auth/principal';
import { WireFilterType, type WireAssignmentTarget } from '../graph/models';
import type { Logger } from './logger';

/** What every audit line has: who, which request, and why it failed (Graph's ids when its error carried them). */
interface AuditBase {
  principal?: Principal;
  /** This request's id (also the source of the `client-request-id` sent to Graph when it is a GUID). */
  requestId: string;
  errorCode?: string;
  /** Graph's `request-id` and our `client-request-id` of the failed call. */
  graph?: { requestId?: string; clientRequestId?: string };
}

export interface AuditEvent extends AuditBase {
  /** The mutation, e.g. `addEmbeddedSIMActivationCodePoolAssignments`. */
  operation: string;
  poolId: string;
  /** The diff, when known (the edit mutations always; the replace mutation when it read the set before). */
  added?: readonly WireAssignmentTarget[];
  updated?: readonly WireAssignmentTarget[];
  removed?: readonly WireAssignmentTarget[];
  /** The replace mutation without a read before: the complete set it sent. */
  assigned?: readonly WireAssignmentTarget[];
  /** written: Graph took it; unchanged: nothing to send; failed: refused or failed (after sending it may still apply). */
  outcome: 'written' | 'unchanged' | 'failed';
  /** Whether an assign request went to Graph. */
  assignSent: boolean;
  /** How many assignments the pool has after a write. */
  assignmentsAfter?: number;
}

export type PoolOperation = 'createEmbeddedSIMActivationCodePool' | 'updateEmbeddedSIMActivationCodePool' | 'deleteEmbeddedSIMActivationCodePool';

/** One write attempt of the pool lifecycle. It has no place for an activation code: only their number. */
export interface PoolAuditEvent extends AuditBase {
  operation: PoolOperation;
  /** The pool written; for a create, known once Graph made it. */
  poolId?: string;
  outcome: 'written' | 'failed';
  /** Whether the write went to Graph (a failure after sending may still have been applied). */
  requestSent: boolean;
  /** create: how many activation codes the request carried. */
  activationCodeCount?: number;
  /** create and update: the pool's (new) name, as sent. */
  displayName?: string;
  /** update: the properties sent. */
  changed?: readonly string[];
}

const NAMESPACE = '#microsoft.graph.';

/** A target as the audit line shows it: type without the namespace, ids and filter. */
function auditTarget(target: WireAssignmentTarget): { type: string; filterId: string | null; filterType: string; groupId?: string; collectionId?: string } {
  const odataType = target['@odata.type'];
  return {
    type: odataType.startsWith(NAMESPACE) ? odataType.slice(NAMESPACE.length) : odataType,
    filterId: target.deviceAndAppManagementAssignmentFilterId ?? null,
    filterType: target.deviceAndAppManagementAssignmentFilterType ?? WireFilterType.NONE,
    ...(target.groupId ? { groupId: target.groupId } : {}),
    ...(target.collectionId ? { collectionId: target.collectionId } : {}),
  };
}

/** Who wrote: the inbound token's ids, or `anonymous` when inbound authentication is off (emulator mode). */
function auditCaller(principal: Principal | undefined): { oid?: string; tid?: string; appid?: string } | { anonymous: true } {
  return principal === undefined ? { anonymous: true } : { oid: principal.oid, tid: principal.tid, appid: principal.appId };
}

export class AuditLog {
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger.child({ component: 'audit' });
  }

  write(event: AuditEvent): void {
    const { principal, added, updated, removed, assigned, ...rest } = event;
    const line = {
      audit: true,
      ...rest,
      caller: auditCaller(principal),
      added: added?.map(auditTarget),
      updated: updated?.map(auditTarget),
      removed: removed?.map(auditTarget),
      assigned: assigned?.map(auditTarget),
    };
    // A write that leaves the pool unassigned stops it handing out eSIMs: worth a warning in any log pipeline.
    if (event.outcome === 'written' && event.assignmentsAfter === 0) this.logger.warn(line, 'audit: pool left with no assignments');
    else this.logger.info(line, 'audit: assignment write');
  }

  /** A pool lifecycle write; a deleted pool is a warning (it takes its assignments with it). */
  writePool(event: PoolAuditEvent): void {
    const { principal, ...rest } = event;
    const line = { audit: true, ...rest, caller: auditCaller(principal) };
    if (event.outcome === 'written' && event.operation === 'deleteEmbeddedSIMActivationCodePool') this.logger.warn(line, 'audit: pool deleted');
    else this.logger.info(line, 'audit: pool lifecycle write');
  }
}
