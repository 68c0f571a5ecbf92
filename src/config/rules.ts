/** The rules between the service's variables, checked once each variable has parsed; every broken one is reported. */
import type { PermissionNames } from '../auth/principal';
import type { Env, GraphAuthMode } from './env';
import type { Report } from './values';

/** The AZURE_* variables whose presence means "a real tenant is configured". */
const AZURE_VARIABLES = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_FEDERATED_TOKEN_FILE'] as const;

/** The mode; emulator when unset, except in production or with a tenant configured; undefined while none was chosen. */
function authModeOf(e: Env, production: boolean, report: Report): GraphAuthMode | undefined {
  if (e.GRAPH_AUTH_MODE) return e.GRAPH_AUTH_MODE;
  if (production) {
    report('GRAPH_AUTH_MODE', 'must be set explicitly when NODE_ENV=production (app, obo or emulator)');
    return undefined;
  }
  const azureSet = AZURE_VARIABLES.filter((name) => e[name] !== undefined);
  if (azureSet.length === 0) return 'emulator';
  const names = azureSet.join(', ');
  report(
    'GRAPH_AUTH_MODE',
    `${names} ${azureSet.length === 1 ? 'is' : 'are'} set but GRAPH_AUTH_MODE is not: set GRAPH_AUTH_MODE=app ` +
      `(Graph with the application's own permissions) or obo (on behalf of the signed-in caller), or unset ${names} to use the built-in Graph emulator`,
  );
  return undefined;
}

/** What calling Graph for a tenant needs: the tenant, and for on-behalf-of a confidential client. */
function checkAzure(e: Env, authMode: GraphAuthMode, report: Report): void {
  if (authMode === 'app' || authMode === 'obo') {
    if (!e.AZURE_TENANT_ID) report('AZURE_TENANT_ID', `required when GRAPH_AUTH_MODE=${authMode}`);
    if (authMode === 'obo') {
      if (!e.AZURE_CLIENT_ID) report('AZURE_CLIENT_ID', 'required when GRAPH_AUTH_MODE=obo');
      if (!e.AZURE_CLIENT_SECRET && !e.AZURE_CLIENT_CERTIFICATE_PATH) report('AZURE_CLIENT_SECRET', 'on-behalf-of needs a client secret or AZURE_CLIENT_CERTIFICATE_PATH');
    }
    if (e.AZURE_CLIENT_SECRET && e.AZURE_CLIENT_CERTIFICATE_PATH) report('AZURE_CLIENT_CERTIFICATE_PATH', 'set either AZURE_CLIENT_SECRET or a certificate, not both');
    if ((e.AZURE_CLIENT_SECRET || e.AZURE_CLIENT_CERTIFICATE_PATH) && !e.AZURE_CLIENT_ID) {
      report('AZURE_CLIENT_ID', 'required with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH');
    }
  }
  if (authMode === 'obo' && e.AZURE_CLIENT_CERTIFICATE_PASSWORD !== undefined) {
    report('AZURE_CLIENT_CERTIFICATE_PASSWORD', 'not supported with GRAPH_AUTH_MODE=obo (give an unencrypted PEM file)');
  }
}

/** Inbound authentication needs audiences, and issuers and keys (given, or derived from the tenant). */
function checkInboundAuth(e: Env, authMode: GraphAuthMode, report: Report): boolean {
  const enabled = authMode !== 'emulator' || e.AUTH_AUDIENCE !== undefined;
  if (enabled) {
    if (!e.AUTH_AUDIENCE) report('AUTH_AUDIENCE', `required when GRAPH_AUTH_MODE=${authMode} (the subgraph's client id and/or App ID URI)`);
    if (!e.AUTH_ISSUER && !e.AZURE_TENANT_ID) report('AUTH_ISSUER', "required without AZURE_TENANT_ID (it defaults to the tenant's issuers)");
    if (!e.AUTH_JWKS_URL && !e.AZURE_TENANT_ID) report('AUTH_JWKS_URL', "required without AZURE_TENANT_ID (it defaults to the tenant's keys)");
  }
  return enabled;
}

/** Applies the rules, reporting each one broken; what they decide beyond the variables, undefined while no mode was chosen. */
export function decide(e: Env, production: boolean, report: Report) {
  const authMode = authModeOf(e, production, report);
  if (authMode !== undefined) checkAzure(e, authMode, report);
  const authEnabled = authMode !== undefined && checkInboundAuth(e, authMode, report);
  // Two equal names would let one duty grant another (read → assign, assign → importing activation codes).
  const permissions: PermissionNames = { read: e.AUTH_READ_PERMISSION, assign: e.AUTH_ASSIGN_PERMISSION, manage: e.AUTH_MANAGE_PERMISSION };
  if (permissions.read === permissions.assign) report('AUTH_ASSIGN_PERMISSION', 'must differ from AUTH_READ_PERMISSION');
  if (permissions.manage === permissions.read || permissions.manage === permissions.assign) {
    report('AUTH_MANAGE_PERMISSION', 'must differ from AUTH_READ_PERMISSION and AUTH_ASSIGN_PERMISSION');
  }
  // A token wait is part of a call, so it cannot outlast the call's deadline.
  if (e.GRAPH_TOKEN_TIMEOUT_MS !== undefined && e.GRAPH_TOKEN_TIMEOUT_MS > e.GRAPH_TIMEOUT_MS) {
    report('GRAPH_TOKEN_TIMEOUT_MS', `must not be longer than GRAPH_TIMEOUT_MS (${e.GRAPH_TIMEOUT_MS} ms), the deadline of a whole call`);
  }
  // The router refuses invalidations without its shared key: a URL alone would only ever fail.
  if ((e.ROUTER_INVALIDATION_URL === undefined) !== (e.ROUTER_INVALIDATION_SECRET === undefined)) {
    report('ROUTER_INVALIDATION_URL', "set together with ROUTER_INVALIDATION_SECRET (the router's invalidation shared_key), or neither");
  }
  return authMode === undefined ? undefined : { authMode, authEnabled, permissions };
}
