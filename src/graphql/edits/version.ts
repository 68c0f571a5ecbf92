/**
 * `assignmentsVersion`, computed here only: a stable hash of the order-independent set of (target, filter id,
 * filter type); assignment ids are left out.
 */
import { createHash } from 'node:crypto';
import type { WireAssignment } from '../../graph/models';
import { badUserInput } from '../errors';
import { filterOf, targetKey } from './merge';

/** 22 base64url characters = 132 bits: collisions are out of reach, and the value stays short in a URL or a log. */
const VERSION_LENGTH = 22;
const VERSION = /^[A-Za-z0-9_-]{22}$/;

export function assignmentsVersion(assignments: readonly Pick<WireAssignment, 'target'>[]): string {
  // Each entry as JSON: no value Graph sends can make two different sets print alike.
  const entries = assignments.map((a) => {
    const filter = filterOf(a.target);
    return JSON.stringify([targetKey(a.target), filter.id, filter.type]);
  });
  // Sorted and deduplicated: the same set in another order (or listed twice) has the same version.
  const canonical = `[${[...new Set(entries)].sort().join(',')}]`;
  return createHash('sha256').update(canonical).digest('base64url').slice(0, VERSION_LENGTH);
}

/** `ifAssignmentsVersion` must look like a version this subgraph made: anything else is a mistake, not a conflict. */
export function validateVersionArgument(value: string | null | undefined, field = 'ifAssignmentsVersion'): void {
  if (value != null && !VERSION.test(value)) {
    throw badUserInput(`${field} is not an assignmentsVersion (read it from the pool or a previous payload).`, field);
  }
}
