/**
 * One pool and its assignments. Changing assignments later (adding or removing a group) plugs in here: a
 * `renderActions` cell per assignment (e.g. a Remove button) and a `footer` under the table (e.g. an "Add group"
 * form), each calling a mutation from operations.ts whose payload selects `pool { ...PoolDetails }`, which updates
 * this view through Apollo's cache.
 */
import { useQuery } from '@apollo/client/react';
import type { ReactNode } from 'react';
import { ErrorMessage } from './ErrorMessage';
import type { AssignmentFieldsFragment } from './gql/graphql';
import { PoolQuery } from './operations';

type Target = AssignmentFieldsFragment['target'];

/** What a person calls each kind of target, and what it names. */
function describeTarget(target: Target): { kind: string; what: string } {
  switch (target.__typename) {
    case 'GroupAssignmentTarget':
      return { kind: 'Group', what: target.groupId };
    case 'ExclusionGroupAssignmentTarget':
      return { kind: 'Excluded group', what: target.groupId };
    case 'AllDevicesAssignmentTarget':
      return { kind: 'All devices', what: '' };
    case 'AllLicensedUsersAssignmentTarget':
      return { kind: 'All licensed users', what: '' };
    case 'ConfigurationManagerCollectionAssignmentTarget':
      return { kind: 'Configuration Manager collection', what: target.collectionId };
    case 'UnknownAssignmentTarget':
      return { kind: 'Other (unknown to this subgraph version)', what: '' };
  }
}

function describeFilter(target: Target): string {
  if (target.filterType === 'NONE' || !target.filterId) return '—';
  return `${target.filterType === 'INCLUDE' ? 'Include' : 'Exclude'} devices of filter ${target.filterId}`;
}

export interface AssignmentsTableProps {
  assignments: readonly AssignmentFieldsFragment[];
  /** A cell at the end of each row, for actions on that assignment. */
  renderActions?: (assignment: AssignmentFieldsFragment) => ReactNode;
}

export function AssignmentsTable({ assignments, renderActions }: AssignmentsTableProps) {
  if (assignments.length === 0) return <p>This pool is not assigned to anyone.</p>;
  return (
    <table className="assignments">
      <thead>
        <tr>
          <th>Target</th>
          <th>Id</th>
          <th>Filter</th>
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
              {renderActions ? <td>{renderActions(assignment)}</td> : null}
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
  footer?: ReactNode;
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
          <AssignmentsTable assignments={pool.assignments} renderActions={renderActions} />
          {footer}
        </>
      ) : null}
    </section>
  );
}
