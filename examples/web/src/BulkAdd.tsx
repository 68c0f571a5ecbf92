/**
 * "Add a group to several pools": the pools are ticked in a list (from the pool list's cached page, no extra
 * request), the group typed once, and the answer shown pool by pool. Each written pool's payload selects
 * `pool { ...PoolDetails }`, so an open pool and the list's counts update through the cache.
 */
import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { ErrorMessage } from './ErrorMessage';
import type { BulkAddGroupMutation } from './gql/graphql';
import { BulkAddMutation, PoolsQuery } from './operations';

type Result = BulkAddGroupMutation['addAssignmentsToEmbeddedSIMActivationCodePools']['results'][number];

/** One pool's outcome as a sentence. */
function outcome(result: Result): string {
  if (result.__typename === 'PoolEditError') {
    const wait = result.retryAfterSeconds ? ` Try again in ${result.retryAfterSeconds} s.` : '';
    return `not changed: ${result.message}${wait}`;
  }
  return result.added.length > 0 ? 'added' : 'already there';
}

export function BulkAdd() {
  // The pool list's own query and variables: answered from the cache.
  const { data } = useQuery(PoolsQuery, { variables: { first: 20 } });
  const pools = (data?.embeddedSIMActivationCodePools.edges ?? []).flatMap(({ node }) => (node ? [node] : []));
  const [chosen, setChosen] = useState<string[]>([]);
  const [groupId, setGroupId] = useState('');
  const [bulkAdd, { data: answer, error, loading, reset }] = useMutation(BulkAddMutation);

  const toggle = (id: string): void => setChosen((ids) => (ids.includes(id) ? ids.filter((i) => i !== id) : [...ids, id]));
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    reset();
    void bulkAdd({ variables: { poolIds: chosen, assignments: [{ target: { kind: 'GROUP', groupId: groupId.trim() } }] } }).catch(() => undefined);
  };
  const payload = answer?.addAssignmentsToEmbeddedSIMActivationCodePools;
  const nameOf = (id: string): string => pools.find((p) => p.id.toLowerCase() === id.toLowerCase())?.displayName ?? id;

  return (
    <section className="bulk-add" aria-labelledby="bulk-title">
      <h2 id="bulk-title">Add a group to several pools</h2>
      <form onSubmit={submit}>
        <fieldset>
          <legend>Pools</legend>
          {pools.map((pool) => (
            <label key={pool.id}>
              <input type="checkbox" checked={chosen.includes(pool.id)} onChange={() => toggle(pool.id)} /> {pool.displayName}
            </label>
          ))}
        </fieldset>
        <label>
          Group id <input name="bulkGroupId" value={groupId} onChange={(e) => setGroupId(e.target.value)} placeholder="a GUID" />
        </label>
        <button type="submit" disabled={loading || chosen.length === 0 || !groupId.trim()}>
          Add to {chosen.length === 1 ? '1 pool' : `${chosen.length} pools`}
        </button>
      </form>
      {error ? <ErrorMessage error={error} context={{ fields: { 'assignments[0].target.groupId': 'group id' }, action: "change these pools' assignments" }} /> : null}
      {payload ? (
        <div role="status" className="bulk-outcome">
          <p>
            {payload.succeeded} changed, {payload.unchanged} unchanged, {payload.failed} failed.
          </p>
          <ul>
            {payload.results.map((result, i) => {
              const id = result.__typename === 'PoolEditError' ? result.poolId : result.pool.id;
              return (
                <li key={`${id}-${i}`} className={result.__typename === 'PoolEditError' ? 'failed' : 'done'}>
                  {nameOf(id)}: {outcome(result)}
                </li>
              );
            })}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
