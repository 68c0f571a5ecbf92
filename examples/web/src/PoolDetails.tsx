/**
 * One pool and its assignments. Editing plugs in through two slots, each handed the pool as it is shown (with the
 * `assignmentsVersion` an edit passes back): `renderActions`, a cell per assignment (PoolEditor's Remove button),
 * and `footer`, under the table (PoolEditor's "Add a group" form). The edits' payloads select
 * `pool { ...PoolDetails }`, which updates this view through Apollo's cache.
 */
import { useQuery } from '@apollo/client/react';
import type { ReactNode } from 'react';
import { ErrorMessage } from './ErrorMessage';
import type { AssignmentFieldsFragment, PoolDetailsFragment } from './gql/graphql';
import { PoolQuery } from './operations';

export type Target = AssignmentFieldsFragment['target'];

/** What a person calls each kind of target, and what it names. */
export function describeTarget(target: Target): { kind: string; what: string } {
  switch (target.__typename) {
    case 'GroupAssignmentTarget':
      // Graph may send a group target without its group id (the schema allows null): say so rather than guess.
      return { kind: 'Group', what: target.groupId ?? '(no group id from Graph)' };
    case 'ExclusionGroupAssignmentTarget':
      return { kind: 'Excluded group', what: target.groupId ?? '(no group id from Graph)' };
    case 'AllDevicesAssignmentTarget':
      return { kind: 'All devices', what: '' };
    case 'AllLicensedUsersAssignmentTarget':
      return { kind: 'All licensed users', what: '' };
    case 'ConfigurationManagerCollectionAssignmentTarget':
      return { kind: 'Configuration Manager collection', what: target.collectionId ?? '(no collection id from Graph)' };
    case 'UnknownAssignmentTarget':
      return { kind: 'Other (unknown to this subgraph version)', what: '' };
  }
}

/** Whether the target still points at something (an assignment to a deleted group does nothing). */
const STATE: Readonly<Record<AssignmentFieldsFragment['targetState'], string>> = {
  OK: 'OK',
  GROUP_NOT_FOUND: 'Group deleted',
  FILTER_NOT_FOUND: 'Filter deleted',
  UNKNOWN: 'Not checked',
};

function describeFilter(target: Target): string {
  if (target.filterType === 'NONE' || !target.filterId) return '—';
  return `${target.filterType === 'INCLUDE' ? 'Include' : 'Exclude'} devices of filter ${target.filterId}`;
}

export interface AssignmentsTableProps {
  pool: PoolDetailsFragment;
  /** A cell at the end of each row, for actions on that assignment of that pool. */
  renderActions?: (assignment: AssignmentFieldsFragment, pool: PoolDetailsFragment) => ReactNode;
}

export function AssignmentsTable({ pool, renderActions }: AssignmentsTableProps) {
  const { assignments } = pool;
  if (assignments.length === 0) return <p>This pool is not assigned to anyone.</p>;
  return (
    <table className="assignments">
      <thead>
        <tr>
          <th>Target</th>
          <th>Id</th>
          <th>Filter</th>
          <th>State</th>
          {renderActions ? <th aria-label="Actions" /> : null}
        </tr>
      </thead>
      <tbody>
        {assignments.map((assignment) => {
          const { kind, what } = describeTarget(assignment.target);
          return (
            <tr key={assignment.id} data-assignment-id={assignment.id}>
              <td>{kind}</td>
              <td>
                <code>{what}</code>
              </td>
              <td>{describeFilter(assignment.target)}</td>
              <td className={assignment.targetState === 'OK' ? 'state' : 'state warning'}>{STATE[assignment.targetState]}</td>
              {renderActions ? <td className="actions">{renderActions(assignment, pool)}</td> : null}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export interface PoolDetailsProps {
  poolId: string;
  renderActions?: AssignmentsTableProps['renderActions'];
  /** Under the assignments, once the pool is shown. */
  footer?: (pool: PoolDetailsFragment) => ReactNode;
}

export function PoolDetails({ poolId, renderActions, footer }: PoolDetailsProps) {
  const { data, error, loading } = useQuery(PoolQuery, { variables: { id: poolId } });
  const pool = data?.embeddedSIMActivationCodePool;
  return (
    <section className="details" aria-labelledby="details-title">
      <h2 id="details-title">{pool ? pool.displayName : 'Pool'}</h2>
      {error ? <ErrorMessage error={error} context={{ input: 'pool id' }} /> : null}
      {loading && !data ? <p>Loading the pool…</p> : null}
      {data && !pool && !error ? (
        <p role="alert" className="error">
          No pool has the id <code>{poolId}</code>: it may have been deleted.
        </p>
      ) : null}
      {pool ? (
        <>
          <dl>
            <dt>Id</dt>
            <dd>
              <code>{pool.id}</code>
            </dd>
            <dt>Activation codes</dt>
            <dd>{pool.activationCodeCount}</dd>
            <dt>Created</dt>
            <dd>{new Date(pool.createdDateTime).toLocaleString()}</dd>
            <dt>Modified</dt>
            <dd>{new Date(pool.modifiedDateTime).toLocaleString()}</dd>
          </dl>
          <h3>Assignments</h3>
          <AssignmentsTable pool={pool} renderActions={renderActions} />
          {footer?.(pool)}
        </>
      ) : null}
    </section>
  );
}
