/**
 * The door of /graphql, before Apollo: the router secret, the bearer token, then (obo) the caller's Graph client.
 * A refused request never reaches Apollo, a resolver or Graph.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { accessSync, constants as fsConstants } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent } from 'node:https';
import type { Config } from '../config';
import type { EsimPoolsApi } from '../graph/api';
import type { Logger } from '../observability/logger';
import { AuthError } from './errors';
import { tokenHash, TokenVerifier } from './jwt';
import { OboClients, type CredentialScopedApi } from '../identity/obo';
import type { PermissionNames, Principal } from './principal';
import type { AuthSettings } from './settings';

/** Who is calling, and through which Graph client. */
export interface Caller {
  /** The verified caller; undefined when inbound token authentication is off (emulator mode without it). */
  principal?: Principal;
  /** The Graph API acting for this caller (on-behalf-of); undefined: the application's shared client. */
  graph?: EsimPoolsApi;
}

export interface AuthGate {
  /** The caller of a request with these headers; throws AuthError when it must be turned away. */
  check(headers: IncomingHttpHeaders): Caller | Promise<Caller>;
  /** Whether every request carries a verified principal (the permissions plugin then fails closed without one). */
  readonly tokensRequired: boolean;
  /** Whether every request carries the router's secret (ROUTER_SECRET set): its operations came through the router. */
  readonly routerTrusted: boolean;
  readonly permissions: PermissionNames;
  close(): void;
}

export interface AuthGateOptions {
  permissions: PermissionNames;
  /** The value the router sends as `router-authorization`; unset: not checked. */
  routerSecret?: string;
  /** Inbound token verification; unset: no token needed. */
  verifier?: TokenVerifier;
  /** On-behalf-of mode: each caller's Graph client. Needs `verifier`. */
  obo?: OboClients;
  /** Released by close(). */
  agent?: Agent;
}

const NO_CALLER: Caller = Object.freeze({});
const BEARER = /^Bearer +([^\s]+) *$/i;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

class Gate implements AuthGate {
  private readonly routerSecretDigest?: Buffer;
  readonly tokensRequired: boolean;
  readonly routerTrusted: boolean;
  readonly permissions: PermissionNames;

  constructor(private readonly options: AuthGateOptions) {
    if (options.obo && !options.verifier) throw new Error('on-behalf-of needs inbound token verification');
    this.routerSecretDigest = options.routerSecret === undefined ? undefined : digest(options.routerSecret);
    this.tokensRequired = options.verifier !== undefined;
    this.routerTrusted = this.routerSecretDigest !== undefined;
    this.permissions = options.permissions;
  }

  check(headers: IncomingHttpHeaders): Caller | Promise<Caller> {
    if (this.routerSecretDigest !== undefined) {
      const sent = headers['router-authorization'];
      // Digests have equal length, so the comparison is constant-time whatever was sent.
      if (typeof sent !== 'string' || !timingSafeEqual(digest(sent), this.routerSecretDigest)) throw new AuthError('router_secret');
    }
    const verifier = this.options.verifier;
    if (verifier === undefined) return NO_CALLER;
    const authorization = headers.authorization;
    const token = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
    if (token === undefined) throw new AuthError('missing_token');
    const hash = tokenHash(token);
    const principal = verifier.verify(token, hash);
    return principal instanceof Promise ? principal.then((p) => this.caller(p, token, hash)) : this.caller(principal, token, hash);
  }

  private caller(principal: Principal, token: string, hash: string): Caller {
    const obo = this.options.obo;
    if (obo === undefined) return { principal };
    if (principal.isApp) throw new AuthError('app_token_in_obo_mode');
    return { principal, graph: obo.clientFor(principal, token, hash) };
  }

  close(): void {
    this.options.agent?.destroy();
  }
}

export function createGate(options: AuthGateOptions): AuthGate {
  return new Gate(options);
}

export interface AuthGateDeps {
  /** The application's Graph client; in on-behalf-of mode the per-user clients share its connections. */
  graph: CredentialScopedApi;
  logger: Logger;
  /** An extra CA (PEM) trusted for the key set and token endpoint (tests; a private authority). */
  tlsCa?: string;
}

/** The parts of the configuration the gate reads. */
export interface AuthGateConfig {
  auth: AuthSettings;
  graph: Pick<Config['graph'], 'authMode'>;
  azure: Pick<Config['azure'], 'tenantId' | 'clientId' | 'clientSecret' | 'clientCertificatePath' | 'authorityHost' | 'disableInstanceDiscovery'>;
}

/** The gate the configuration asks for, or undefined when neither tokens nor a router secret are required. */
export function createAuthGate(config: AuthGateConfig, deps: AuthGateDeps): AuthGate | undefined {
  const auth = config.auth;
  if (!auth.enabled && auth.routerSecret === undefined) return undefined;
  const log = deps.logger.child({ component: 'auth' });
  let verifier: TokenVerifier | undefined;
  let agent: Agent | undefined;
  let obo: OboClients | undefined;
  if (auth.enabled) {
    agent = deps.tlsCa === undefined ? undefined : new Agent({ ca: deps.tlsCa, keepAlive: true });
    verifier = new TokenVerifier({
      jwksUrl: auth.jwksUrl,
      issuers: auth.issuers,
      audiences: auth.audiences,
      clockToleranceSeconds: auth.clockToleranceSeconds,
      jwksCooldownSeconds: auth.jwksCooldownSeconds,
      jwksRefreshSeconds: auth.jwksRefreshSeconds,
      cacheSize: auth.verifiedCacheSize,
      agent,
      onKeySetError: (error) =>
        log.warn({ reason: error instanceof Error ? error.name : 'unknown', message: error instanceof Error ? error.message : undefined }, 'could not fetch the signing keys (JWKS)'),
    });
    if (config.graph.authMode === 'obo') {
      const { tenantId, clientId } = config.azure;
      if (tenantId === undefined || clientId === undefined) throw new Error('on-behalf-of needs AZURE_TENANT_ID and AZURE_CLIENT_ID');
      const certificatePath = config.azure.clientCertificatePath;
      if (certificatePath !== undefined && config.azure.clientSecret === undefined) {
        // OnBehalfOfCredential reads the file at each token request: fail at start-up rather than on every call.
        try {
          accessSync(certificatePath, fsConstants.R_OK);
        } catch {
          throw new Error(`AZURE_CLIENT_CERTIFICATE_PATH: cannot read ${certificatePath}`);
        }
      }
      obo = new OboClients(
        deps.graph,
        {
          tenantId,
          clientId,
          clientSecret: config.azure.clientSecret,
          clientCertificatePath: config.azure.clientCertificatePath,
          authorityHost: config.azure.authorityHost,
          disableInstanceDiscovery: config.azure.disableInstanceDiscovery,
          cacheSize: auth.oboCacheSize,
          tlsCa: deps.tlsCa,
        },
        log,
      );
    }
  }
  return createGate({ permissions: auth.permissions, routerSecret: auth.routerSecret, verifier, obo, agent });
}
