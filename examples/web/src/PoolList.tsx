import { useQuery } from '@apollo/client/react';
import { ErrorMessage } from './ErrorMessage';
import { PoolsQuery } from './operations';

const PAGE = 20;

export function PoolList({ selected, onSelect }: { selected?: string; onSelect(id: string): void }) {
  const { data, error, loading, fetchMore } = useQuery(PoolsQuery, { variables: { first: PAGE }, notifyOnNetworkStatusChange: true });
  const connection = data?.embeddedSIMActivationCodePools;
  return (
    <section className="pools" aria-labelledby="pools-title">
      <h2 id="pools-title">Pools</h2>
      {error ? <ErrorMessage error={error} /> : null}
      {!connection && loading ? <p>Loading pools…</p> : null}
      {connection && connection.edges.length === 0 ? <p>This tenant has no eSIM activation code pools.</p> : null}
      {connection && connection.edges.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Codes</th>
              <th>Assignments</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {/* A pool Graph sent in a shape this version cannot read has a null node (and an UPSTREAM_ERROR): skipped. */}
            {connection.edges.flatMap(({ node }) => (node ? [node] : [])).map((node) => (
              <tr key={node.id} className={node.id === selected ? 'selected' : undefined}>
                <td>
                  <button type="button" className="link" onClick={() => onSelect(node.id)}>
                    {node.displayName}
                  </button>
                </td>
                <td className="number">{node.activationCodeCount}</td>
                <td className="number">{node.assignments.length}</td>
                <td>{new Date(node.createdDateTime).toLocaleDateString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {connection?.pageInfo.hasNextPage ? (
        <button type="button" disabled={loading} onClick={() => void fetchMore({ variables: { after: connection.pageInfo.endCursor } })}>
          Load more
        </button>
      ) : null}
    </section>
  );
}
