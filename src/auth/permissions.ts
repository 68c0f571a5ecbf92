/**
 * Permission check per operation, before any resolver: a query needs any of the three, a mutation what
 * MUTATION_PERMISSIONS says for each root field. Refused: FORBIDDEN, HTTP 403.
 */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError, Kind, OperationTypeNode, type DocumentNode, type SelectionSetNode } from 'graphql';
import type { Context } from '../graphql/context';
import { ErrorCode } from '../graphql/errors';
import { canAssign, canManage, canRead, type PermissionNames, type Principal } from './principal';

/**
 * The permission each mutation field needs; a root field not listed here (or behind a fragment) needs the assign
 * permission. A test fails when a mutation in schema/ is not listed, so a new one cannot slip in undecided.
 */
export const MUTATION_PERMISSIONS: Readonly<Record<string, keyof PermissionNames>> = {
  assignEmbeddedSIMActivationCodePool: 'assign',
  // Partial edits write the whole set through Graph's assign: the same right as a replace.
  addEmbeddedSIMActivationCodePoolAssignments: 'assign',
  removeEmbeddedSIMActivationCodePoolAssignments: 'assign',
  // The same edits on many pools.
  addAssignmentsToEmbeddedSIMActivationCodePools: 'assign',
  removeAssignmentsFromEmbeddedSIMActivationCodePools: 'assign',
  // A restore writes a recorded set through Graph's assign: the same right as a replace.
  restoreEmbeddedSIMActivationCodePoolAssignments: 'assign',
  // The pool lifecycle handles activation codes (credentials) and can delete a pool: its own permission.
  createEmbeddedSIMActivationCodePool: 'manage',
  updateEmbeddedSIMActivationCodePool: 'manage',
  deleteEmbeddedSIMActivationCodePool: 'manage',
};

const GRANTED: Readonly<Record<keyof PermissionNames, (principal: Principal, names: PermissionNames) => boolean>> = {
  read: canRead,
  assign: canAssign,
  manage: canManage,
};

/** The permissions a mutation's root fields need, through fragments; an unknown fragment's spread needs both write ones. */
function rootFieldPermissions(selectionSet: SelectionSetNode, document: DocumentNode, seen = new Set<string>()): Set<keyof PermissionNames> {
  const needed = new Set<keyof PermissionNames>();
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      // A root field not listed (only `__typename` can be one) needs the assign permission, as before.
      needed.add(MUTATION_PERMISSIONS[selection.name.value] ?? 'assign');
      continue;
    }
    let inner: SelectionSetNode | undefined;
    if (selection.kind === Kind.INLINE_FRAGMENT) inner = selection.selectionSet;
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) inner = fragment.selectionSet;
      else needed.add('assign').add('manage');
    }
    if (inner) for (const permission of rootFieldPermissions(inner, document, seen)) needed.add(permission);
  }
  return needed;
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.Forbidden, http: { status: 403 } } });
}

/**
 * @param required Whether every request must carry a principal (inbound authentication on): then a request
 * without one is refused rather than let through.
 */
export function permissionsPlugin(names: PermissionNames, required: boolean): ApolloServerPlugin<Context> {
  const messages: Readonly<Record<keyof PermissionNames, string>> = {
    read: `Forbidden: reading eSIM pools needs the ${names.read}, ${names.assign} or ${names.manage} permission.`,
    assign: `Forbidden: changing an eSIM pool's assignments needs the ${names.assign} permission.`,
    manage: `Forbidden: creating, changing or deleting an eSIM pool needs the ${names.manage} permission.`,
  };
  // One listener object for every request: nothing is allocated per request.
  const listener: GraphQLRequestListener<Context> = {
    async didResolveOperation({ operation, contextValue, document }) {
      const principal = contextValue.principal;
      if (principal === undefined) {
        if (!required) return;
        throw new GraphQLError('Authentication required.', { extensions: { code: ErrorCode.Unauthenticated, http: { status: 401 } } });
      }
      if (operation === undefined) throw forbidden('Forbidden: the operation could not be determined.');
      if (operation.operation === OperationTypeNode.QUERY) {
        if (!canRead(principal, names)) throw forbidden(messages.read);
      } else if (operation.operation === OperationTypeNode.MUTATION) {
        for (const needed of rootFieldPermissions(operation.selectionSet, document)) {
          if (!GRANTED[needed](principal, names)) throw forbidden(messages[needed]);
        }
      } else {
        throw forbidden('Forbidden: this subgraph has no subscriptions.');
      }
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}
