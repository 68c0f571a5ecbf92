/**
 * A pool's history of assignment changes (newest first: what, who, when, the targets added and removed), shown on
 * demand, with a restore per entry: a dry run first, whose preview says what the restore would add and remove, then
 * the restore itself with the version the preview was computed on (CONFLICT if the set changed in between).
 *
 * The restore's payload selects `pool { ...PoolDetails }`, which updates the assignments table and the list's count
 * through Apollo's cache. The history itself is refetched when the pool's `assignmentsVersion` in the cache moves
 * past the newest entry's (after any edit on this page): a new entry exists only on the server.
 */
import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { useEffect, useRef, useState } from 'react';
import { ErrorMessage, FailedWrite } from './ErrorMessage';
import type { ErrorContext } from './errors';
import type { EditResultFragment, HistoryEntryFragment, TargetFieldsFragment } from './gql/graphql';
import { PoolHistoryQuery, PoolQuery, RestoreAssignmentsMutation } from './operations';
import { targetName } from './PoolEditor';

/** How many entries are shown: the newest. */
const SHOWN = 20;

const RESTORE_CONTEXT: ErrorContext = { action: "change this pool's assignments", input: 'history entry' };

function when(entry: HistoryEntryFragment): string {
  return new Date(entry.at).toLocaleString();
}

/** What the entry records, as a heading (a restore names the entry it restored, when that one is shown too). */
function kindLabel(entry: HistoryEntryFragment, shown: readonly HistoryEntryFragment[]): string {
  switch (entry.kind) {
    case 'SNAPSHOT':
      return 'First seen';
    case 'WRITE':
      return entry.operation ? `Change (${entry.operation})` : 'Change';
    case 'RESTORE': {
      const from = shown.find((other) => other.id === entry.restoredFrom);
      return from ? `Restore (the set of ${when(from)})` : 'Restore';
    }
    case 'OUTSIDE_CHANGE':
      return 'Changed outside this subgraph';
  }
}

function actorLabel(entry: HistoryEntryFragment): string | undefined {
  const { actor } = entry;
  if (!actor) return entry.kind === 'OUTSIDE_CHANGE' ? 'by someone else (the admin center or a script)' : undefined;
  if (actor.anonymous) return 'by an anonymous caller (sign-in is off)';
  if (actor.isApp) return `by app ${actor.appId ?? '(unknown)'}`;
  return `by user ${actor.objectId ?? '(unknown)'}`;
}

function outcomeLabel(entry: HistoryEntryFragment): string | undefined {
  switch (entry.outcome) {
    case 'WRITTEN':
      return undefined;
    case 'UNCHANGED':
      return 'nothing needed changing';
    case 'FAILED':
      return `failed${entry.errorCode ? ` (${entry.errorCode})` : ''}: nothing was written`;
    case 'UNKNOWN':
      return 'Graph did not answer: settled by the next read';
  }
}

const names = (targets: readonly TargetFieldsFragment[]): string => targets.map(targetName).join(', ');

/** The change an entry records, line by line; the whole set when the set before it is not known; none if it failed. */
function changes(entry: HistoryEntryFragment): Array<[string, string]> {
  if (entry.outcome === 'FAILED') return [];
  if (!entry.targetsBefore) return [['Set', entry.targets.length ? names(entry.targets) : 'no assignments']];
  const lines: Array<[string, string]> = [];
  if (entry.added.length) lines.push(['Added', names(entry.added)]);
  if (entry.updated.length) lines.push(['Filter changed', names(entry.updated)]);
  if (entry.removed.length) lines.push(['Removed', names(entry.removed)]);
  return lines.length ? lines : [['No change', 'the set stayed as it was']];
}

/** What a restore did, or for a dry run would do, in a sentence. */
function describeRestore(entry: HistoryEntryFragment, result: EditResultFragment): string {
  const to = `the set of ${when(entry)}`;
  const parts = [
    result.added.length ? `${result.dryRun ? 'add' : 'added'} ${names(result.added)}` : '',
    result.updated.length ? `${result.dryRun ? 'change the filter of' : 'changed the filter of'} ${names(result.updated)}` : '',
    result.removed.length ? `${result.dryRun ? 'remove' : 'removed'} ${names(result.removed)}` : '',
  ].filter(Boolean);
  if (parts.length === 0) return result.dryRun ? `Nothing would change: the pool already has ${to}.` : `Nothing changed: the pool already had ${to}.`;
  return result.dryRun ? `Preview: restoring ${to} would ${parts.join(', ')}. Nothing has been changed yet.` : `Restored ${to}: ${parts.join(', ')}.`;
}

/** A failed write's set was never the pool's, and a rename or a delete records none: nothing to restore. */
function restorable(entry: HistoryEntryFragment): boolean {
  return entry.outcome !== 'FAILED' && entry.operation !== 'update' && entry.operation !== 'delete';
}

const changesAnything = (result: EditResultFragment): boolean => result.added.length + result.updated.length + result.removed.length > 0;

type Restore =
  | { step: 'preview'; entry: HistoryEntryFragment; result: EditResultFragment }
  | { step: 'done'; text: string }
  | { step: 'failed'; error: unknown };

function HistoryEntries({ poolId }: { poolId: string }) {
  const { data, error, loading, refetch } = useQuery(PoolHistoryQuery, {
    variables: { id: poolId, first: SHOWN },
    fetchPolicy: 'network-only',
    nextFetchPolicy: 'cache-first',
  });
  // The pool as the page shows it (PoolDetails read it): its version, passed back by the dry run, and watched.
  const version = useQuery(PoolQuery, { variables: { id: poolId }, fetchPolicy: 'cache-only' }).data?.embeddedSIMActivationCodePool?.assignmentsVersion;
  const client = useApolloClient();
  const [restore] = useMutation(RestoreAssignmentsMutation);
  const [state, setState] = useState<Restore>();
  const [pending, setPending] = useState(false);

  const entries = data?.embeddedSIMActivationCodePool?.assignmentHistory.edges.map((edge) => edge.node) ?? [];
  const newest = entries[0]?.assignmentsVersion;
  const seen = useRef(version);
  useEffect(() => {
    if (version === seen.current) return;
    seen.current = version;
    if (version !== undefined && newest !== undefined && newest !== version) void refetch();
  }, [version, newest, refetch]);

  const run = async (entry: HistoryEntryFragment, dryRun: boolean, ifAssignmentsVersion: string): Promise<void> => {
    setPending(true);
    try {
      const result = (await restore({ variables: { poolId, entryId: entry.id, dryRun, ifAssignmentsVersion } })).data
        ?.restoreEmbeddedSIMActivationCodePoolAssignments;
      if (!result) throw new Error('The subgraph answered without a result.');
      setState(dryRun ? { step: 'preview', entry, result } : { step: 'done', text: describeRestore(entry, result) });
    } catch (failure) {
      setState({ step: 'failed', error: failure });
    } finally {
      setPending(false);
    }
  };

  /** After a CONFLICT: the pool's current set into the cache (the table, the version; the history follows). */
  const reload = async (): Promise<void> => {
    setPending(true);
    try {
      await client.query({ query: PoolQuery, variables: { id: poolId }, fetchPolicy: 'network-only' });
      setState({ step: 'done', text: 'Reloaded: the pool shows its current assignments. Choose the set to restore again.' });
    } catch (failure) {
      setState({ step: 'failed', error: failure });
    } finally {
      setPending(false);
    }
  };

  return (
    <>
      {error ? <ErrorMessage error={error} context={{ input: 'pool id' }} /> : null}
      {loading && !data ? <p>Loading the history…</p> : null}
      <div className="restore-outcome">
        {/* Always there, so that a screen reader announces each new text in it. */}
        <p role="status" className="status">
          {state?.step === 'preview' ? describeRestore(state.entry, state.result) : state?.step === 'done' ? state.text : null}
        </p>
        {state?.step === 'preview' ? (
          <div className="buttons">
            {changesAnything(state.result) ? (
              <button type="button" disabled={pending} onClick={() => void run(state.entry, false, state.result.assignmentsVersion)}>
                Restore
              </button>
            ) : null}
            <button type="button" disabled={pending} onClick={() => setState(undefined)}>
              Cancel
            </button>
          </div>
        ) : null}
        {state?.step === 'failed' ? (
          <FailedWrite error={state.error} context={RESTORE_CONTEXT} pending={pending} onReload={reload} />
        ) : null}
      </div>
      {data && entries.length === 0 ? <p>Nothing recorded yet: the history starts with the first change or read the subgraph sees.</p> : null}
      <ol className="history-entries">
        {entries.map((entry) => (
          <li key={entry.id} data-entry-id={entry.id} className={entry.outcome === 'FAILED' ? 'failed' : undefined}>
            <div className="history-head">
              <strong>{kindLabel(entry, entries)}</strong> <time dateTime={entry.at}>{when(entry)}</time> {actorLabel(entry)}
              {outcomeLabel(entry) ? <em> — {outcomeLabel(entry)}</em> : null}
            </div>
            {changes(entry).length ? (
              <dl>
                {changes(entry).map(([label, what]) => (
                  <div key={label}>
                    <dt>{label}</dt>
                    <dd>{what}</dd>
                  </div>
                ))}
              </dl>
            ) : null}
            {restorable(entry) ? (
              <button type="button" disabled={pending || version === undefined} onClick={() => version !== undefined && void run(entry, true, version)}>
                Restore this set…
              </button>
            ) : null}
          </li>
        ))}
      </ol>
      {data?.embeddedSIMActivationCodePool?.assignmentHistory.pageInfo.hasNextPage ? <p className="more">Older entries are not shown.</p> : null}
    </>
  );
}

export function PoolHistory({ poolId }: { poolId: string }) {
  const [shown, setShown] = useState(false);
  return (
    <section className="history" aria-labelledby="history-title">
      <div className="history-title">
        <h3 id="history-title">History</h3>
        <button type="button" aria-expanded={shown} onClick={() => setShown(!shown)}>
          {shown ? 'Hide history' : 'Show history'}
        </button>
      </div>
      {shown ? <HistoryEntries poolId={poolId} /> : null}
    </section>
  );
}
