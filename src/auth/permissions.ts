/**
 * Permission check per operation type, once Apollo knows the operation (before any resolver runs): a query needs
 * the read or the assign permission, a mutation what MUTATION_PERMISSIONS says for each of its root fields (the
 * assign permission for all of today's). Refused → FORBIDDEN, HTTP 403.
 */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError, Kind } from 'graphql';
import type { Context } from '../graphql/context';
import { ErrorCode } from '../graphql/errors';
import { canAssign, canRead, type PermissionNames } from './principal';

/**
 * The permission each mutation field needs; a root field not listed here (or behind a fragment) needs the assign
 * permission. A test fails when a mutation in schema/ is not listed, so a new one cannot slip in undecided.
 */
export const MUTATION_PERMISSIONS: Readonly<Record<string, keyof PermissionNames>> = {
  assignEmbeddedSIMActivationCodePool: 'assign',
  // Partial edits write the whole set through Graph's assign: the same right as a replace.
  addEmbeddedSIMActivationCodePoolAssignments: 'assign',
  removeEmbeddedSIMActivationCodePoolAssignments: 'assign',
};

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.Forbidden, http: { status: 403 } } });
}

/**
 * @param required Whether every request must carry a principal (inbound authentication on): then a request
 * without one is refused rather than let through.
 */
export function permissionsPlugin(names: PermissionNames, required: boolean): ApolloServerPlugin<Context> {
  const readMessage = `Forbidden: reading eSIM pools needs the ${names.read} or ${names.assign} permission.`;
  const assignMessage = `Forbidden: changing an eSIM pool's assignments needs the ${names.assign} permission.`;
  // One listener object for every request: nothing is allocated per request.
  const listener: GraphQLRequestListener<Context> = {
    async didResolveOperation({ operation, contextValue }) {
      const principal = contextValue.principal;
      if (principal === undefined) {
        if (!required) return;
        throw new GraphQLError('Authentication required.', { extensions: { code: ErrorCode.Unauthenticated, http: { status: 401 } } });
      }
      if (operation === undefined) throw forbidden('Forbidden: the operation could not be determined.');
      if (operation.operation === 'query') {
        if (!canRead(principal, names)) throw forbidden(readMessage);
      } else if (operation.operation === 'mutation') {
        for (const selection of operation.selectionSet.selections) {
          const needed = selection.kind === Kind.FIELD ? (MUTATION_PERMISSIONS[selection.name.value] ?? 'assign') : 'assign';
          if (needed === 'assign' ? !canAssign(principal, names) : !canRead(principal, names)) {
            throw forbidden(needed === 'assign' ? assignMessage : readMessage);
          }
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
