/** Permission check per operation, before any resolver: a query needs any of the three, a mutation per root field. */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError, Kind, OperationTypeNode, type DocumentNode, type SelectionSetNode } from 'graphql';
import type { Context } from '../graphql/context';
import { ErrorCode } from '../graphql/errors';
import type { PermissionNames, Principal } from './principal';

type Permission = keyof PermissionNames;

/** The permission each mutation field needs (a test fails when a mutation in schema/ is not listed). */
export const MUTATION_PERMISSIONS: Readonly<Record<string, Permission>> = {
  // Partial edits, on one pool or many, and restores write a whole set through Graph's assign: the same right.
  assignEmbeddedSIMActivationCodePool: 'assign',
  addEmbeddedSIMActivationCodePoolAssignments: 'assign',
  removeEmbeddedSIMActivationCodePoolAssignments: 'assign',
  addAssignmentsToEmbeddedSIMActivationCodePools: 'assign',
  removeAssignmentsFromEmbeddedSIMActivationCodePools: 'assign',
  restoreEmbeddedSIMActivationCodePoolAssignments: 'assign',
  // The pool lifecycle handles activation codes (credentials) and can delete a pool: its own permission.
  createEmbeddedSIMActivationCodePool: 'manage',
  updateEmbeddedSIMActivationCodePool: 'manage',
  deleteEmbeddedSIMActivationCodePool: 'manage',
};

/** Reading: any of the three; assign and manage: that one only (neither implies the other). */
function granted(principal: Principal, names: PermissionNames, permission: Permission): boolean {
  const has = (p: Permission): boolean => principal.permissions.has(names[p]);
  return permission === 'read' ? has('read') || has('assign') || has('manage') : has(permission);
}

/** The permissions a mutation's root fields need, through fragments; an unknown fragment's spread needs both write ones. */
function rootFieldPermissions(selectionSet: SelectionSetNode, document: DocumentNode, seen = new Set<string>()): Set<Permission> {
  const needed = new Set<Permission>();
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

function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.Forbidden, http: { status: 403 } } });
}

/** `required`: inbound authentication is on, so a request without a principal is refused rather than let through. */
export function permissionsPlugin(names: PermissionNames, required: boolean): ApolloServerPlugin<Context> {
  const messages: Readonly<Record<Permission, string>> = {
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
      if (operation.operation === OperationTypeNode.SUBSCRIPTION) throw forbidden('Forbidden: this subgraph has no subscriptions.');
      const needed: Iterable<Permission> = operation.operation === OperationTypeNode.QUERY ? ['read'] : rootFieldPermissions(operation.selectionSet, document);
      for (const permission of needed) if (!granted(principal, names, permission)) throw forbidden(messages[permission]);
    },
  };
  return { requestDidStart: async () => listener };
}
