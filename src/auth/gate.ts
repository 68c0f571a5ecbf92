/** The door of /graphql, before Apollo: the router secret, the bearer token, then (obo) the caller's Graph client. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { accessSync, constants as fsConstants } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent } from 'node:https';
import type { Config } from '../config';
import type { EsimPoolsApi } from '../graph/api';
import type { Logger } from '../observability/logger';
import { AuthError, tokenHash, tokenVerifier, type TokenVerifier } from './jwt';
import { OboClients, type CredentialScopedApi } from '../identity/obo';
import type { PermissionNames, Principal } from './principal';

/** Who is calling, and through which Graph client. */
export interface Caller {
  /** The verified caller; undefined when inbound token authentication is off (emulator mode without it). */
  principal?: Principal;
  /** The Graph API acting for this caller (on-behalf-of); undefined: the application's shared client. */
  graph?: EsimPoolsApi;
}

/** The door of /graphql, as createGate makes it. */
export type AuthGate = ReturnType<typeof createGate>;

const NO_CALLER: Caller = Object.freeze({});
const BEARER = /^Bearer +([^\s]+) *$/i;

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export function createGate(options: {
  permissions: PermissionNames;
  /** The value the router sends as `router-authorization`; unset: not checked. */
  routerSecret?: string;
  /** Inbound token verification; unset: no token needed. */
  verifier?: TokenVerifier;
  /** On-behalf-of mode: each caller's Graph client. Needs `verifier`. */
  obo?: OboClients;
  /** Released by close(). */
  agent?: Agent;
}) {
  const { verifier, obo, routerSecret } = options;
  if (obo && !verifier) throw new Error('on-behalf-of needs inbound token verification');
  const secretDigest = routerSecret === undefined ? undefined : digest(routerSecret);
  const caller = (principal: Principal, token: string, hash: string): Caller => {
    if (obo === undefined) return { principal };
    if (principal.isApp) throw new AuthError('app_token_in_obo_mode');
    return { principal, graph: obo.clientFor(principal, token, hash) };
  };
  return {
    /** Whether every request carries a verified principal (the permissions plugin then fails closed without one). */
    tokensRequired: verifier !== undefined,
    /** Whether every request carries the router's secret (ROUTER_SECRET set): its operations came through the router. */
    routerTrusted: secretDigest !== undefined,
    permissions: options.permissions,
    /** The caller of a request with these headers; throws AuthError when it must be turned away. */
    check(headers: IncomingHttpHeaders): Caller | Promise<Caller> {
      if (secretDigest !== undefined) {
        const sent = headers['router-authorization'];
        // Digests have equal length, so the comparison is constant-time whatever was sent.
        if (typeof sent !== 'string' || !timingSafeEqual(digest(sent), secretDigest)) throw new AuthError('router_secret');
      }
      if (verifier === undefined) return NO_CALLER;
      const token = headers.authorization === undefined ? undefined : BEARER.exec(headers.authorization)?.[1];
      if (token === undefined) throw new AuthError('missing_token');
      const hash = tokenHash(token);
      const principal = verifier.verify(token, hash);
      return principal instanceof Promise ? principal.then((p) => caller(p, token, hash)) : caller(principal, token, hash);
    },
    close: (): void => options.agent?.destroy(),
  };
}

/** The parts of the configuration the gate reads. */
export type AuthGateConfig = Pick<Config, 'auth' | 'azure'> & { graph: Pick<Config['graph'], 'authMode'> };

/** The gate the configuration asks for (undefined: no token or router secret needed); `tlsCa`: an extra CA (PEM) to trust. */
export function createAuthGate(config: AuthGateConfig, deps: { graph: CredentialScopedApi; logger: Logger; tlsCa?: string }): AuthGate | undefined {
  const { auth, azure } = config;
  // The verifier gets the auth settings without the router secret (one copy of a secret fewer).
  const { permissions, routerSecret, ...verification } = auth;
  if (!auth.enabled) return routerSecret === undefined ? undefined : createGate({ permissions, routerSecret });
  const log = deps.logger.child({ component: 'auth' });
  const agent = deps.tlsCa === undefined ? undefined : new Agent({ ca: deps.tlsCa, keepAlive: true });
  const verifier = tokenVerifier({
    ...verification,
    cacheSize: auth.verifiedCacheSize,
    agent,
    onKeySetError: (error) =>
      log.warn({ reason: error instanceof Error ? error.name : 'unknown', message: error instanceof Error ? error.message : undefined }, 'could not fetch the signing keys (JWKS)'),
  });
  let obo: OboClients | undefined;
  if (config.graph.authMode === 'obo') {
    const { tenantId, clientId } = azure;
    if (tenantId === undefined || clientId === undefined) throw new Error('on-behalf-of needs AZURE_TENANT_ID and AZURE_CLIENT_ID');
    if (azure.clientCertificatePath !== undefined && azure.clientSecret === undefined) {
      // OnBehalfOfCredential reads the file at each token request: fail at start-up rather than on every call.
      try {
        accessSync(azure.clientCertificatePath, fsConstants.R_OK);
      } catch {
        throw new Error(`AZURE_CLIENT_CERTIFICATE_PATH: cannot read ${azure.clientCertificatePath}`);
      }
    }
    obo = new OboClients(deps.graph, { ...azure, tenantId, clientId, cacheSize: auth.oboCacheSize, tlsCa: deps.tlsCa }, log);
  }
  return createGate({ permissions, routerSecret, verifier, obo, agent });
}
