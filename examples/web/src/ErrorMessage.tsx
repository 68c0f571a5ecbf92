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
