import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { describeError, type ErrorContext } from './errors';

/** An error as a sentence (with the subgraph's code, small, for support), announced to screen readers. */
export function ErrorMessage({ error, context }: { error: unknown; context?: ErrorContext }) {
  return (
    <div role="alert" className="error">
      {describeError(error, context).map((e, i) => (
        <p key={i}>
          {e.message} {e.code ? <code className="code">{e.code}</code> : null}
        </p>
      ))}
    </div>
  );
}

function isConflict(error: unknown): boolean {
  return CombinedGraphQLErrors.is(error) && error.errors.some((e) => e.extensions?.code === 'CONFLICT');
}

/** A failed write as a sentence; after a CONFLICT (someone else changed the pool), a button that reloads it. */
export function FailedWrite({ error, context, pending, onReload }: { error: unknown; context?: ErrorContext; pending: boolean; onReload(): Promise<void> }) {
  return (
    <>
      <ErrorMessage error={error} context={context} />
      {isConflict(error) ? (
        <button type="button" disabled={pending} onClick={() => void onReload()}>
          Reload the pool
        </button>
      ) : null}
    </>
  );
}
