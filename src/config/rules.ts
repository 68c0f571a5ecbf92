/**
 * The rules between variables (which mode, what that mode needs, what may not be combined), checked after each
 * variable has parsed on its own. Every broken rule is reported at once, naming the variable to fix.
 */
import type { PermissionNames } from '../auth/principal';
import { AUTH_DEFAULTS, GRAPH_DEFAULTS } from './defaults';
import type { Env, GraphAuthMode } from './env';
import { ConfigError } from './errors';

/** What the rules decide, beyond the variables themselves. */
export interface Decisions {
  authMode: GraphAuthMode;
  /** Inbound authentication: always in app and obo modes, in emulator mode when AUTH_AUDIENCE is set. */
  authEnabled: boolean;
  permissions: PermissionNames;
}

/** The AZURE_* variables whose presence means "a real tenant is configured". */
const AZURE_VARIABLES = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_FEDERATED_TOKEN_FILE'] as const;

/**
 * The mode to call Graph in. Unset, it is the emulator, except where that could hide a mistake: in production,
 * or with a tenant configured, the emulator must be asked for by name.
 */
/**
 * The mode, or undefined while none was chosen: the mode-specific checks are then skipped, as they would name a
 * mode nobody picked (AZURE_TENANT_ID alone would get "required when GRAPH_AUTH_MODE=app").
 */
function authModeOf(e: Env, production: boolean, problems: string[]): GraphAuthMode | undefined {
  if (e.GRAPH_AUTH_MODE) return e.GRAPH_AUTH_MODE;
  if (production) {
    problems.push('GRAPH_AUTH_MODE: must be set explicitly when NODE_ENV=production (app, obo or emulator)');
    return undefined;
  }
  const azureSet = AZURE_VARIABLES.filter((name) => e[name] !== undefined);
  if (azureSet.length > 0) {
    const names = azureSet.join(', ');
    problems.push(
      `GRAPH_AUTH_MODE: ${names} ${azureSet.length === 1 ? 'is' : 'are'} set but GRAPH_AUTH_MODE is not: set GRAPH_AUTH_MODE=app ` +
        `(Graph with the application's own permissions) or obo (on behalf of the signed-in caller), or unset ${names} to use the built-in Graph emulator`,
    );
    return undefined;
  }
  return 'emulator';
}

/** A token wait is part of a call, so it cannot outlast the call's deadline. */
function checkTokenTimeout(e: Env, problems: string[]): void {
  const timeoutMs = e.GRAPH_TIMEOUT_MS ?? GRAPH_DEFAULTS.timeoutMs;
  if (e.GRAPH_TOKEN_TIMEOUT_MS !== undefined && e.GRAPH_TOKEN_TIMEOUT_MS > timeoutMs) {
    problems.push(`GRAPH_TOKEN_TIMEOUT_MS: must not be longer than GRAPH_TIMEOUT_MS (${timeoutMs} ms), the deadline of a whole call`);
  }
}

/** What calling Graph for a tenant needs: the tenant, and for on-behalf-of a confidential client. */
function checkAzure(e: Env, authMode: GraphAuthMode, problems: string[]): void {
  if (authMode === 'app' || authMode === 'obo') {
    if (!e.AZURE_TENANT_ID) problems.push(`AZURE_TENANT_ID: required when GRAPH_AUTH_MODE=${authMode}`);
    if (authMode === 'obo') {
      if (!e.AZURE_CLIENT_ID) problems.push('AZURE_CLIENT_ID: required when GRAPH_AUTH_MODE=obo');
      if (!e.AZURE_CLIENT_SECRET && !e.AZURE_CLIENT_CERTIFICATE_PATH) {
        problems.push('AZURE_CLIENT_SECRET: on-behalf-of needs a client secret or AZURE_CLIENT_CERTIFICATE_PATH');
      }
    }
    if (e.AZURE_CLIENT_SECRET && e.AZURE_CLIENT_CERTIFICATE_PATH) {
      problems.push('AZURE_CLIENT_CERTIFICATE_PATH: set either AZURE_CLIENT_SECRET or a certificate, not both');
    }
    if ((e.AZURE_CLIENT_SECRET || e.AZURE_CLIENT_CERTIFICATE_PATH) && !e.AZURE_CLIENT_ID) {
      problems.push('AZURE_CLIENT_ID: required with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH');
    }
  }
  if (authMode === 'obo' && e.AZURE_CLIENT_CERTIFICATE_PASSWORD !== undefined) {
    problems.push('AZURE_CLIENT_CERTIFICATE_PASSWORD: not supported with GRAPH_AUTH_MODE=obo (give an unencrypted PEM file)');
  }
}

/** Inbound authentication needs audiences, and issuers and keys (given, or derived from the tenant). */
function checkInboundAuth(e: Env, authMode: GraphAuthMode, problems: string[]): boolean {
  const enabled = authMode !== 'emulator' || e.AUTH_AUDIENCE !== undefined;
  if (enabled) {
    if (!e.AUTH_AUDIENCE) problems.push(`AUTH_AUDIENCE: required when GRAPH_AUTH_MODE=${authMode} (the subgraph's client id and/or App ID URI)`);
    if (!e.AUTH_ISSUER && !e.AZURE_TENANT_ID) problems.push('AUTH_ISSUER: required without AZURE_TENANT_ID (it defaults to the tenant\'s issuers)');
    if (!e.AUTH_JWKS_URL && !e.AZURE_TENANT_ID) problems.push('AUTH_JWKS_URL: required without AZURE_TENANT_ID (it defaults to the tenant\'s keys)');
  }
  return enabled;
}

/** Two equal names would let one duty grant another (read → assign, assign → importing activation codes). */
function permissionsOf(e: Env, problems: string[]): PermissionNames {
  const read = e.AUTH_READ_PERMISSION ?? AUTH_DEFAULTS.permissions.read;
  const assign = e.AUTH_ASSIGN_PERMISSION ?? AUTH_DEFAULTS.permissions.assign;
  const manage = e.AUTH_MANAGE_PERMISSION ?? AUTH_DEFAULTS.permissions.manage;
  if (read === assign) problems.push('AUTH_ASSIGN_PERMISSION: must differ from AUTH_READ_PERMISSION');
  if (manage === read || manage === assign) problems.push('AUTH_MANAGE_PERMISSION: must differ from AUTH_READ_PERMISSION and AUTH_ASSIGN_PERMISSION');
  return { read, assign, manage };
}

/** Applies the rules; throws ConfigError listing every one that is broken. */
export function decide(e: Env, production: boolean): Decisions {
  const problems: string[] = [];
  const authMode = authModeOf(e, production, problems);
  if (authMode !== undefined) checkAzure(e, authMode, problems);
  const authEnabled = authMode !== undefined && checkInboundAuth(e, authMode, problems);
  const permissions = permissionsOf(e, problems);
  checkTokenTimeout(e, problems);
  // The router refuses invalidations without its shared key: a URL alone would only ever fail.
  if ((e.ROUTER_INVALIDATION_URL === undefined) !== (e.ROUTER_INVALIDATION_SECRET === undefined)) {
    problems.push('ROUTER_INVALIDATION_URL: set together with ROUTER_INVALIDATION_SECRET (the router\'s invalidation shared_key), or neither');
  }
  if (problems.length > 0 || authMode === undefined) throw new ConfigError(problems);
  return { authMode, authEnabled, permissions };
}
