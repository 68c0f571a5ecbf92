/**
 * The shown pool, with its assignments editable: a Remove button per assignment and an "Add a group" form, through
 * the subgraph's safe-edit mutations (add/remove one target; the subgraph merges it into the current set under the
 * pool's edit lock, so other assignments are never sent back stale).
 *
 * Every edit passes the pool's `assignmentsVersion` as this page shows it as `ifAssignmentsVersion`: when someone
 * else changed the set after this page read it, the edit is refused with CONFLICT instead of being applied to a set
 * the person has not seen. The payload's `pool { ...PoolDetails }` updates the page through Apollo's cache: no
 * reload and no refetch.
 */
import { useApolloClient, useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { FailedWrite } from './ErrorMessage';
import type { ErrorContext } from './errors';
import type { AssignmentTargetInput, EditResultFragment, PoolDetailsFragment, TargetFieldsFragment } from './gql/graphql';
import { AddAssignmentsMutation, PoolQuery, RemoveAssignmentsMutation } from './operations';
import { PoolDetails } from './PoolDetails';

/** A target in the middle of a sentence. */
export function targetName(target: TargetFieldsFragment): string {
  switch (target.__typename) {
    case 'GroupAssignmentTarget':
      return `group ${target.groupId}`;
    case 'ExclusionGroupAssignmentTarget':
      return `the exclusion of group ${target.groupId}`;
    case 'AllDevicesAssignmentTarget':
      return 'all devices';
    case 'AllLicensedUsersAssignmentTarget':
      return 'all licensed users';
    case 'ConfigurationManagerCollectionAssignmentTarget':
      return `Configuration Manager collection ${target.collectionId}`;
    case 'UnknownAssignmentTarget':
      return 'a target of a kind this page does not know';
  }
}

/** How to name a shown target to the remove mutation; a kind this page does not know cannot be named, so not removed. */
function targetInput(target: TargetFieldsFragment): AssignmentTargetInput | undefined {
  switch (target.__typename) {
    case 'GroupAssignmentTarget':
      return { kind: 'GROUP', groupId: target.groupId };
    case 'ExclusionGroupAssignmentTarget':
      return { kind: 'EXCLUSION_GROUP', groupId: target.groupId };
    case 'AllDevicesAssignmentTarget':
      return { kind: 'ALL_DEVICES' };
    case 'AllLicensedUsersAssignmentTarget':
      return { kind: 'ALL_LICENSED_USERS' };
    case 'ConfigurationManagerCollectionAssignmentTarget':
      return { kind: 'CONFIGURATION_MANAGER_COLLECTION', collectionId: target.collectionId };
    case 'UnknownAssignmentTarget':
      return undefined;
  }
}

/** What an edit did, or for a dry run would do, in a sentence. */
function describeEdit(result: EditResultFragment): string {
  const verb = result.dryRun
    ? { added: 'add', updated: 'change the filter of', removed: 'remove' }
    : { added: 'added', updated: 'changed the filter of', removed: 'removed' };
  const changes = [
    ...result.added.map((t) => `${verb.added} ${targetName(t)}`),
    ...result.updated.map((t) => `${verb.updated} ${targetName(t)}`),
    ...result.removed.map((t) => `${verb.removed} ${targetName(t)}`),
  ];
  if (changes.length === 0) {
    return result.dryRun ? 'Nothing would change: the pool already has that set of assignments.' : 'Nothing changed: the pool already had that set of assignments.';
  }
  const list = changes.join(', ');
  return result.dryRun ? `Preview: this would ${list}. Nothing has been changed yet.` : `${list.charAt(0).toUpperCase()}${list.slice(1)}.`;
}

type Outcome = { kind: 'done'; text: string } | { kind: 'failed'; error: unknown; context: ErrorContext };

const ACTION = "change this pool's assignments";
const ADD_CONTEXT: ErrorContext = { action: ACTION, fields: { 'assignments[0].target.groupId': 'group id' } };
const REMOVE_CONTEXT: ErrorContext = { action: ACTION, fields: { 'targets[0].groupId': 'group id', 'targets[0].collectionId': 'collection id' } };

type GroupKind = Extract<AssignmentTargetInput['kind'], 'GROUP' | 'EXCLUSION_GROUP'>;

function AddGroupForm({ disabled, onAdd }: { disabled: boolean; onAdd(target: AssignmentTargetInput, dryRun: boolean): Promise<boolean> }) {
  const [groupId, setGroupId] = useState('');
  const [kind, setKind] = useState<GroupKind>('GROUP');
  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    // Two submit buttons: which one was pressed (Enter in the text field presses the first, the harmless Preview).
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const dryRun = submitter instanceof HTMLButtonElement && submitter.value === 'preview';
    const added = await onAdd({ kind, groupId: groupId.trim() }, dryRun);
    if (added && !dryRun) setGroupId('');
  };
  return (
    <form className="add-group" aria-labelledby="add-group-title" onSubmit={(event) => void submit(event)}>
      <h3 id="add-group-title">Add a group</h3>
      <label>
        Group id{' '}
        <input name="groupId" value={groupId} onChange={(e) => setGroupId(e.target.value)} placeholder="the group's object id (a GUID)" required />
      </label>
      <fieldset>
        <legend>Its devices</legend>
        <label>
          <input type="radio" name="kind" value="GROUP" checked={kind === 'GROUP'} onChange={() => setKind('GROUP')} /> Include (they get codes from
          this pool)
        </label>
        <label>
          <input type="radio" name="kind" value="EXCLUSION_GROUP" checked={kind === 'EXCLUSION_GROUP'} onChange={() => setKind('EXCLUSION_GROUP')} />{' '}
          Exclude (they never do)
        </label>
      </fieldset>
      <div className="buttons">
        <button type="submit" value="preview" disabled={disabled}>
          Preview
        </button>
        <button type="submit" value="add" disabled={disabled}>
          Add group
        </button>
      </div>
    </form>
  );
}

export function PoolEditor({ poolId }: { poolId: string }) {
  const client = useApolloClient();
  const [add] = useMutation(AddAssignmentsMutation);
  const [remove] = useMutation(RemoveAssignmentsMutation);
  const [outcome, setOutcome] = useState<Outcome>();
  // One edit at a time from this page: a second click would only queue behind the first on the pool's lock, and
  // its version would be stale by then anyway.
  const [pending, setPending] = useState(false);

  /** Runs one edit and says what it did; true when it succeeded. */
  const edit = async (run: () => Promise<EditResultFragment | undefined>, context: ErrorContext): Promise<boolean> => {
    setPending(true);
    try {
      const result = await run();
      if (!result) throw new Error('The subgraph answered without a result.');
      setOutcome({ kind: 'done', text: describeEdit(result) });
      return true;
    } catch (error) {
      setOutcome({ kind: 'failed', error, context });
      return false;
    } finally {
      setPending(false);
    }
  };

  const addTarget = (pool: PoolDetailsFragment) => (target: AssignmentTargetInput, dryRun: boolean) =>
    edit(async () => {
      const variables = { poolId: pool.id, assignments: [{ target }], dryRun, ifAssignmentsVersion: pool.assignmentsVersion };
      return (await add({ variables })).data?.addEmbeddedSIMActivationCodePoolAssignments;
    }, ADD_CONTEXT);

  const removeTarget = (pool: PoolDetailsFragment, target: AssignmentTargetInput) =>
    edit(async () => {
      const variables = { poolId: pool.id, targets: [target], dryRun: false, ifAssignmentsVersion: pool.assignmentsVersion };
      return (await remove({ variables })).data?.removeEmbeddedSIMActivationCodePoolAssignments;
    }, REMOVE_CONTEXT);

  /** After a CONFLICT: the current set from the subgraph into the cache, so the page shows what the edit would change. */
  const reload = async (): Promise<void> => {
    setPending(true);
    try {
      await client.query({ query: PoolQuery, variables: { id: poolId }, fetchPolicy: 'network-only' });
      setOutcome({ kind: 'done', text: 'Reloaded: these are the current assignments.' });
    } catch (error) {
      setOutcome({ kind: 'failed', error, context: { input: 'pool id' } });
    } finally {
      setPending(false);
    }
  };

  return (
    <PoolDetails
      poolId={poolId}
      renderActions={(assignment, pool) => {
        const target = targetInput(assignment.target);
        if (!target) return null;
        return (
          <button type="button" disabled={pending} aria-label={`Remove ${targetName(assignment.target)}`} onClick={() => void removeTarget(pool, target)}>
            Remove
          </button>
        );
      }}
      footer={(pool) => (
        <>
          <div className="edit-outcome">
            {/* Always there, so that a screen reader announces each new text in it. */}
            <p role="status" className="status">
              {outcome?.kind === 'done' ? outcome.text : null}
            </p>
            {outcome?.kind === 'failed' ? (
              <FailedWrite error={outcome.error} context={outcome.context} pending={pending} onReload={reload} />
            ) : null}
          </div>
          <AddGroupForm disabled={pending} onAdd={addTarget(pool)} />
        </>
      )}
    />
  );
}
