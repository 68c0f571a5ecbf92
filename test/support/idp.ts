/**
 * A local HTTPS identity provider that looks enough like Microsoft Entra ID (login.microsoftonline.com)
 * for the real @azure/identity credentials (ClientSecretCredential, ClientCertificateCredential,
 * OnBehalfOfCredential — with `authorityHost: idp.url`, `disableInstanceDiscovery: true`) to get tokens
 * from it, and for jose's createRemoteJWKSet to verify the tokens it signs.
 *
 * Trusting its TLS certificate:
 *  - in-process @azure/identity: credential option `tlsOptions: { ca: idp.caPem }` (a PipelineOptions
 *    field; the pipeline's tlsPolicy puts it on every request, including MSAL's, which go through
 *    @azure/identity's IdentityClient);
 *  - in-process jose 5 (Node build uses node:https): `createRemoteJWKSet(url, { agent: new https.Agent({ ca: idp.caPem }) })`;
 *  - undici: `new Agent({ connect: { ca: idp.caPem } })`;
 *  - a child process: env `NODE_EXTRA_CA_CERTS=idp.caFile`.
 *
 * Endpoints (paths are relative to `idp.url`; {t} = the tenant id, or `common` / `organizations` for metadata):
 *  GET  /{t}/v2.0/.well-known/openid-configuration   v2 OIDC metadata (what MSAL fetches)
 *  GET  /{t}/.well-known/openid-configuration        v1 OIDC metadata
 *  GET  /{t}/discovery/v2.0/keys, /{t}/discovery/keys, /common/discovery/[v2.0/]keys   JWKS
 *  GET  /common/discovery/instance                    instance discovery (MSAL only calls the real
 *                                                     login.microsoftonline.com for it; here for completeness)
 *  POST /{tenantId}/oauth2/v2.0/token                 client_credentials and jwt-bearer (on-behalf-of); its outages
 *                                                     are set with setTokenEndpoint('down' | 'hang' | 'reset') and
 *                                                     ended with recover()
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as fs from 'node:fs';
import * as https from 'node:https';
import {
  SignJWT,
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  importX509,
  jwtVerify,
} from 'jose';
import type { JWK, JWTHeaderParameters, JWTPayload, KeyLike, ProtectedHeaderParameters } from 'jose';
import { certificateThumbprints, createTestCertificates } from './certs';
import { listenOnLoopback } from './net';

export interface IdpTokenRequest {
  grantType: string;
  clientId: string;
  scope: string;
  /** How the client authenticated: client_secret (post or basic), client_assertion (certificate), or neither. */
  clientAuth: 'secret' | 'assertion' | 'none';
  /** Whether client authentication succeeded (secret matched / assertion verified). False when not evaluated (IdP down, earlier error). */
  clientSecretOk: boolean;
  /** The OBO assertion (the user's token). */
  assertion?: string;
  requestedTokenUse?: string;
  /** Date.now() when the request arrived. */
  at: number;
  /** HTTP status the IdP answered with. */
  status: number;
  /** `AADSTS<code>` of the error answered, if any (or 'service_unavailable' while down, 'hung' / 'reset' in those modes). */
  error?: string;
  /** The `claims` parameter (a claims challenge's JSON, CAE's `xms_cc`), when sent. */
  claims?: string;
}

/**
 * How the token endpoint behaves (metadata and JWKS always stay up):
 * - `up`: answers as Entra would;
 * - `down`: 503 with an HTML body (an outage Entra's front door reports);
 * - `hang`: accepts the request and never answers (a black hole: the client has to give up by itself);
 * - `reset`: reads the request, then destroys the TCP connection without a reply.
 */
export type TokenEndpointMode = 'up' | 'down' | 'hang' | 'reset';

export interface IdpClientRegistration {
  /** Client secret (ClientSecretCredential / OBO with secret). */
  secret?: string;
  /** SHA-1 thumbprint (hex, any case, colons allowed) of a registered certificate; the public key then comes from the assertion's x5c. */
  certThumbprintSha1?: string;
  /** Registered certificate (PEM): client assertions signed by its key are accepted (x5t or x5t#S256). */
  certPem?: string;
  /** Application permissions put in `roles` of app-only tokens. Default: DEFAULT_APP_ROLES. */
  roles?: string[];
  /** Delegated permissions put in `scp` of OBO tokens requested with `/.default`. Default: DEFAULT_DELEGATED_SCOPES. */
  delegatedScopes?: string[];
  /** Extra audience accepted for OBO assertions besides the client id and `api://<clientId>`. Default: the IdP's `apiAudience`. */
  appIdUri?: string;
}

export type OboFailureMode = undefined | 'invalid_grant' | 'consent_required' | 'interaction_required';

export interface SignAccessTokenOptions {
  /** Sign with this key (must be one of the IdP's keys). Default: the active key. */
  kid?: string;
  /** Default: tokenLifetimeSeconds. Negative/zero → an already expired token. */
  expiresInSeconds?: number;
  /** nbf = now + this (default 0). */
  notBeforeOffsetSeconds?: number;
  /** Default: issuerV2 (issuerV1 → ver '1.0' and an `x5t` header). */
  issuer?: string;
  /** Default: claims.aud, else the IdP's `apiAudience`. */
  audience?: string | string[];
  alg?: 'RS256';
}

export interface TestIdp {
  /** https://127.0.0.1:<port> — the authority host. */
  url: string;
  tenantId: string;
  /** `${url}/${tenantId}/v2.0` */
  issuerV2: string;
  /** `${url}/${tenantId}/` (stands for Entra's `https://sts.windows.net/${tenantId}/`) */
  issuerV1: string;
  /** `${url}/${tenantId}/discovery/v2.0/keys` */
  jwksUrl: string;
  /** `${url}/${tenantId}/oauth2/v2.0/token` */
  tokenEndpoint: string;
  /** Default audience of signAccessToken() tokens (the subgraph's App ID URI). */
  apiAudience: string;
  caFile: string;
  caPem: string;
  readonly tokenRequests: IdpTokenRequest[];
  /** Every HTTP request served (method, path without query, status). */
  readonly requestLog: ReadonlyArray<{ method: string; path: string; status: number; at: number }>;
  /** Registered confidential clients; token requests from others → 401 invalid_client. */
  clients: Map<string, IdpClientRegistration>;
  /** Sign an access token as Entra would for an API (inbound tokens for the subgraph). */
  signAccessToken(claims: Record<string, unknown>, opts?: SignAccessTokenOptions): Promise<string>;
  /** New active key (new kid) added to the JWKS; the old ones stay unless `removeOld`. Returns the new kid. */
  rotateKey(opts?: { removeOld?: boolean }): Promise<string>;
  /** The active signing key's kid. */
  readonly activeKid: string;
  /** Show/hide a key in the JWKS (tokens keep being signed with the active key either way). */
  setKeyInJwks(kid: string, present: boolean): void;
  /** When down, the token endpoint answers 503 with an HTML body (metadata and JWKS stay up). setDown(false) = recover(). */
  setDown(down: boolean): void;
  /** The token endpoint's behaviour from now on (see TokenEndpointMode); requests already hung stay hung. */
  setTokenEndpoint(mode: TokenEndpointMode): void;
  /** Back to `up`, and hung token requests are dropped (their connections destroyed), as a restarted Entra would. */
  recover(): void;
  /** Token requests accepted in `hang` mode and not answered yet. */
  readonly hungRequests: number;
  /** Make every OBO request fail with Entra's HTTP 400 error JSON for that case. */
  setOboFailure(mode: OboFailureMode): void;
  /** The access token issued for a request, if one was. */
  graphTokenFor(request: IdpTokenRequest): string | undefined;
  close(): Promise<void>;
}

export interface StartTestIdpOptions {
  tenantId?: string;
  /** Lifetime of issued tokens (default 3600). */
  tokenLifetimeSeconds?: number;
  certs?: { certPem: string; keyPem: string; caPem: string; caFile: string };
  /** Default audience of signAccessToken() (default DEFAULT_API_AUDIENCE). */
  apiAudience?: string;
}

export const DEFAULT_TENANT_ID = '72f988bf-0000-4000-8000-00000000e51a';
export const DEFAULT_API_AUDIENCE = 'api://esim-pools-subgraph';
export const DEFAULT_APP_ROLES: readonly string[] = ['DeviceManagementServiceConfig.ReadWrite.All'];
export const DEFAULT_DELEGATED_SCOPES: readonly string[] = ['DeviceManagementServiceConfig.ReadWrite.All'];
/** Microsoft Graph's application id (scopes may name the resource by it). */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
/** The on-behalf-of grant type (RFC 7523), as token requests carry it. */
export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_BODY = 1024 * 1024;
const CLIENT_ASSERTION_CLOCK_SKEW_SECONDS = 300;

interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  publicKey: KeyLike;
  publicJwk: JWK;
  inJwks: boolean;
}

/** An Entra-shaped OAuth error, answered as JSON. */
class EntraError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    readonly description: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(`AADSTS${code}: ${description}`);
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function entraTimestamp(d = new Date()): string {
  // Entra: "2024-05-01 12:34:56Z"
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

function randomId(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** A stable UUID-shaped id derived from the inputs. */
function stableGuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function normalizeThumbprint(t: string): string {
  return t.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
}

/** x5t / x5t#S256 header value (base64url of the digest bytes) → upper-case hex. */
function headerThumbprintToHex(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return Buffer.from(value, 'base64url').toString('hex').toUpperCase();
}

function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Split a scope into its resource and permission: `https://graph.microsoft.com/.default` → [graph, '.default']. */
function splitScope(scope: string): { resource: string; permission: string } {
  const i = scope.lastIndexOf('/');
  if (i <= 0) return { resource: 'https://graph.microsoft.com', permission: scope };
  return { resource: scope.slice(0, i), permission: scope.slice(i + 1) };
}

function pemToDerBase64(pem: string): string {
  return pem
    .replace(/-----BEGIN CERTIFICATE-----/, '')
    .replace(/-----END CERTIFICATE-----[\s\S]*$/, '')
    .replace(/\s+/g, '');
}

function derBase64ToPem(b64: string): string {
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

class TestIdpImpl implements TestIdp {
  url = '';
  issuerV2 = '';
  issuerV1 = '';
  jwksUrl = '';
  tokenEndpoint = '';
  readonly tokenRequests: IdpTokenRequest[] = [];
  readonly requestLog: Array<{ method: string; path: string; status: number; at: number }> = [];
  readonly clients = new Map<string, IdpClientRegistration>();

  private readonly keys: SigningKey[] = [];
  private active!: SigningKey;
  private mode: TokenEndpointMode = 'up';
  private readonly hung = new Set<ServerResponse>();
  private oboFailure: OboFailureMode = undefined;
  private readonly issued = new Map<IdpTokenRequest, string>();
  private server?: https.Server;
  /** A directory to delete on close (the certificates the IdP made for itself). */
  ownedDir?: string;

  constructor(
    readonly tenantId: string,
    readonly apiAudience: string,
    readonly caPem: string,
    readonly caFile: string,
    private readonly tokenLifetimeSeconds: number,
  ) {}

  get activeKid(): string {
    return this.active.kid;
  }

  async start(certPem: string, keyPem: string): Promise<void> {
    await this.rotateKey();
    const server = https.createServer({ cert: certPem, key: keyPem }, (req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          this.sendJson(res, 500, { error: 'server_error', error_description: String(err) });
        } else {
          res.destroy();
        }
      });
    });
    const port = await listenOnLoopback(server);
    this.server = server;
    this.url = `https://127.0.0.1:${port}`;
    this.issuerV2 = `${this.url}/${this.tenantId}/v2.0`;
    this.issuerV1 = `${this.url}/${this.tenantId}/`;
    this.jwksUrl = `${this.url}/${this.tenantId}/discovery/v2.0/keys`;
    this.tokenEndpoint = `${this.url}/${this.tenantId}/oauth2/v2.0/token`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    if (this.ownedDir) fs.rmSync(this.ownedDir, { recursive: true, force: true });
  }

  // ---- keys -------------------------------------------------------------------------------------

  async rotateKey(opts: { removeOld?: boolean } = {}): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
    const publicJwk = await exportJWK(publicKey);
    const key: SigningKey = { kid: randomId(20), privateKey, publicKey, publicJwk, inJwks: true };
    if (opts.removeOld) for (const k of this.keys) k.inJwks = false;
    this.keys.push(key);
    this.active = key;
    return key.kid;
  }

  setKeyInJwks(kid: string, present: boolean): void {
    const key = this.keys.find((k) => k.kid === kid);
    if (!key) throw new Error(`TestIdp: no key with kid ${kid}`);
    key.inJwks = present;
  }

  setDown(down: boolean): void {
    if (down) this.setTokenEndpoint('down');
    else this.recover();
  }

  setTokenEndpoint(mode: TokenEndpointMode): void {
    this.mode = mode;
  }

  recover(): void {
    this.mode = 'up';
    for (const res of this.hung) res.destroy();
    this.hung.clear();
  }

  get hungRequests(): number {
    return this.hung.size;
  }

  setOboFailure(mode: OboFailureMode): void {
    this.oboFailure = mode;
  }

  graphTokenFor(request: IdpTokenRequest): string | undefined {
    return this.issued.get(request);
  }

  private jwks(): { keys: JWK[] } {
    return {
      keys: this.keys
        .filter((k) => k.inJwks)
        .map((k) => ({
          kty: 'RSA',
          use: 'sig',
          alg: 'RS256',
          kid: k.kid,
          x5t: k.kid,
          n: k.publicJwk.n,
          e: k.publicJwk.e,
          issuer: this.issuerV2,
        })),
    };
  }

  private async sign(payload: JWTPayload, key: SigningKey, v1: boolean): Promise<string> {
    const header: JWTHeaderParameters = { alg: 'RS256', typ: 'JWT', kid: key.kid };
    if (v1) header.x5t = key.kid;
    return new SignJWT(payload).setProtectedHeader(header).sign(key.privateKey);
  }

  async signAccessToken(claims: Record<string, unknown>, opts: SignAccessTokenOptions = {}): Promise<string> {
    const key = opts.kid ? this.keys.find((k) => k.kid === opts.kid) : this.active;
    if (!key) throw new Error(`TestIdp: no key with kid ${String(opts.kid)}`);
    const now = nowSeconds();
    const lifetime = opts.expiresInSeconds ?? this.tokenLifetimeSeconds;
    const exp = now + lifetime;
    let iat = now;
    let nbf = now + (opts.notBeforeOffsetSeconds ?? 0);
    if (lifetime <= 0) {
      // An already-expired token: issued (and valid from) one lifetime before it expired.
      iat = exp - this.tokenLifetimeSeconds;
      nbf = iat;
    }
    const issuer = opts.issuer ?? this.issuerV2;
    const v1 = issuer === this.issuerV1;
    const payload: JWTPayload = {
      aud: opts.audience ?? this.apiAudience,
      iss: issuer,
      iat,
      nbf,
      exp,
      aio: randomId(32),
      oid: randomUUID(),
      rh: `0.${randomId(30)}.`,
      sub: randomId(32),
      tid: this.tenantId,
      uti: randomId(16),
      ver: v1 ? '1.0' : '2.0',
      ...claims,
    };
    if (opts.audience !== undefined) payload.aud = opts.audience;
    return this.sign(payload, key, v1);
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  private sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text).toString(),
      'Cache-Control': 'no-store, no-cache',
      Pragma: 'no-cache',
      'x-ms-request-id': randomUUID(),
      ...headers,
    });
    res.end(text);
  }

  private sendEntraError(res: ServerResponse, e: EntraError, correlationId: string): void {
    const traceId = randomUUID();
    const timestamp = entraTimestamp();
    this.sendJson(
      res,
      e.status,
      {
        error: e.error,
        error_description: `AADSTS${e.code}: ${e.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
        error_codes: [e.code],
        timestamp,
        trace_id: traceId,
        correlation_id: correlationId,
        error_uri: `${this.url}/error?code=${e.code}`,
        ...e.extra,
      },
      { 'x-ms-request-id': traceId, 'client-request-id': correlationId },
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const u = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const entry = { method, path: u.pathname, status: 0, at };
    this.requestLog.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    const seg = u.pathname.split('/').filter(Boolean);
    const correlationId = (req.headers['client-request-id'] as string | undefined) ?? randomUUID();
    const tenantOk = (t: string | undefined, allowAliases: boolean): boolean =>
      t === this.tenantId || (allowAliases && (t === 'common' || t === 'organizations'));
    const notFoundTenant = (t: string | undefined): EntraError =>
      new EntraError(
        400,
        'invalid_tenant',
        90002,
        `Tenant '${t ?? ''}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );

    if (method === 'GET') {
      const p = seg.slice(1).join('/');
      if (seg[0] === 'common' && p === 'discovery/instance') {
        this.sendJson(res, 200, this.instanceDiscovery());
        return;
      }
      if (p === 'v2.0/.well-known/openid-configuration' || p === '.well-known/openid-configuration') {
        if (!tenantOk(seg[0], true)) return this.sendEntraError(res, notFoundTenant(seg[0]), correlationId);
        this.sendJson(res, 200, p.startsWith('v2.0') ? this.openIdConfigV2(seg[0]) : this.openIdConfigV1(seg[0]));
        return;
      }
      if (p === 'discovery/v2.0/keys' || p === 'discovery/keys') {
        if (!tenantOk(seg[0], true)) return this.sendEntraError(res, notFoundTenant(seg[0]), correlationId);
        this.sendJson(res, 200, this.jwks(), { 'Cache-Control': 'max-age=86400, private' });
        return;
      }
    }
    if (method === 'POST' && seg.length === 4 && seg[1] === 'oauth2' && seg[2] === 'v2.0' && seg[3] === 'token') {
      if (!tenantOk(seg[0], false)) return this.sendEntraError(res, notFoundTenant(seg[0]), correlationId);
      return this.handleToken(req, res, at, correlationId);
    }
    this.sendJson(res, 404, { error: 'not_found', error_description: `${method} ${u.pathname} is not served by the test IdP` });
  }

  private instanceDiscovery(): unknown {
    const host = new URL(this.url).host;
    return {
      tenant_discovery_endpoint: `${this.url}/${this.tenantId}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    };
  }

  private openIdConfigV2(t: string): Record<string, unknown> {
    const base = `${this.url}/${t}`;
    const tenantIssuer = t === this.tenantId ? this.issuerV2 : `${this.url}/{tenantid}/v2.0`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: tenantIssuer,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${this.url}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: [
        'sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host',
        'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash',
        'c_hash', 'email',
      ],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'NA',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    };
  }

  private openIdConfigV1(t: string): Record<string, unknown> {
    const base = `${this.url}/${t}`;
    return {
      token_endpoint: `${base}/oauth2/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
      scopes_supported: ['openid'],
      issuer: t === this.tenantId ? this.issuerV1 : `${this.url}/{tenantid}/`,
      microsoft_multi_refresh_token: true,
      authorization_endpoint: `${base}/oauth2/authorize`,
      device_authorization_endpoint: `${base}/oauth2/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/logout`,
      claims_supported: ['sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'amr', 'nonce', 'email', 'given_name', 'family_name', 'nickname'],
      check_session_iframe: `${base}/oauth2/checksession`,
      userinfo_endpoint: `${base}/openid/userinfo`,
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'NA',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    };
  }

  // ---- token endpoint ---------------------------------------------------------------------------

  private async handleToken(req: IncomingMessage, res: ServerResponse, at: number, headerCorrelationId: string): Promise<void> {
    const body = await readBody(req);
    const params = new URLSearchParams(body);
    let clientId = params.get('client_id') ?? '';
    let clientSecret = params.get('client_secret') ?? undefined;
    const authz = req.headers.authorization;
    if (authz?.startsWith('Basic ')) {
      const decoded = Buffer.from(authz.slice(6), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i > 0) {
        clientId ||= decodeURIComponent(decoded.slice(0, i));
        clientSecret ??= decodeURIComponent(decoded.slice(i + 1));
      }
    }
    const clientAssertion = params.get('client_assertion') ?? undefined;
    const correlationId = params.get('client-request-id') ?? headerCorrelationId;
    const record: IdpTokenRequest = {
      grantType: params.get('grant_type') ?? '',
      clientId,
      scope: params.get('scope') ?? '',
      clientAuth: clientSecret !== undefined ? 'secret' : clientAssertion !== undefined ? 'assertion' : 'none',
      clientSecretOk: false,
      at,
      status: 0,
    };
    const oboAssertion = params.get('assertion');
    if (oboAssertion !== null) record.assertion = oboAssertion;
    const requestedTokenUse = params.get('requested_token_use');
    if (requestedTokenUse !== null) record.requestedTokenUse = requestedTokenUse;
    const claims = params.get('claims');
    if (claims !== null) record.claims = claims;
    this.tokenRequests.push(record);

    if (this.mode === 'hang') {
      record.error = 'hung';
      this.hung.add(res);
      res.once('close', () => this.hung.delete(res));
      return;
    }
    if (this.mode === 'reset') {
      record.error = 'reset';
      req.socket.destroy();
      return;
    }
    if (this.mode === 'down') {
      record.status = 503;
      record.error = 'service_unavailable';
      const html =
        '<!DOCTYPE html><html><head><title>Service Unavailable</title></head>' +
        '<body><h2>Service Unavailable</h2><hr><p>HTTP Error 503. The service is unavailable.</p></body></html>';
      res.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html).toString() });
      res.end(html);
      return;
    }

    try {
      const result = await this.issueToken(params, record, clientSecret, clientAssertion);
      record.status = 200;
      this.issued.set(record, result.access_token);
      this.sendJson(res, 200, result, { 'client-request-id': correlationId });
    } catch (err) {
      if (!(err instanceof EntraError)) throw err;
      record.status = err.status;
      record.error = `AADSTS${err.code}`;
      this.sendEntraError(res, err, correlationId);
    }
  }

  private async issueToken(
    params: URLSearchParams,
    record: IdpTokenRequest,
    clientSecret: string | undefined,
    clientAssertion: string | undefined,
  ): Promise<{ access_token: string; token_type: string; expires_in: number; ext_expires_in: number; scope: string; client_info?: string }> {
    const grantType = record.grantType;
    if (!grantType) {
      throw new EntraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    }
    if (grantType !== 'client_credentials' && grantType !== JWT_BEARER) {
      throw new EntraError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
    }
    const clientId = record.clientId;
    if (!clientId) {
      throw new EntraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    }
    const client = this.clients.get(clientId);
    if (!client) {
      // Real Entra answers 400 unauthorized_client for an unknown application; this IdP answers 401 invalid_client.
      throw new EntraError(
        401,
        'invalid_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${this.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }

    // Client authentication.
    let appidacr: '1' | '2';
    if (clientSecret !== undefined && clientAssertion !== undefined) {
      throw new EntraError(400, 'invalid_request', 90014, 'The request must contain only one of client_secret or client_assertion.');
    } else if (clientSecret !== undefined) {
      record.clientSecretOk = client.secret !== undefined && safeEqual(clientSecret, client.secret);
      if (!record.clientSecretOk) {
        throw new EntraError(
          401,
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
        );
      }
      appidacr = '1';
    } else if (clientAssertion !== undefined) {
      const type = params.get('client_assertion_type');
      if (type !== CLIENT_ASSERTION_TYPE) {
        throw new EntraError(400, 'invalid_request', 50027, `Invalid client_assertion_type '${type ?? ''}'.`);
      }
      await this.verifyClientAssertion(clientAssertion, clientId, client);
      record.clientSecretOk = true;
      appidacr = '2';
    } else {
      throw new EntraError(
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }

    // Scopes.
    const requested = record.scope.split(' ').filter(Boolean);
    const resourceScopes = requested.filter((s) => !OIDC_SCOPES.has(s));
    if (resourceScopes.length === 0) {
      throw new EntraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
    }
    const resources = new Set(resourceScopes.map((s) => splitScope(s).resource));
    if (resources.size > 1) {
      throw new EntraError(
        400,
        'invalid_scope',
        28000,
        `Provided value for the input parameter scope '${record.scope}' is not valid because it contains more than one resource. Scope ${record.scope} is not valid.`,
      );
    }
    const resource = [...resources][0];
    const now = nowSeconds();
    const lifetime = this.tokenLifetimeSeconds;
    const base: JWTPayload = {
      aud: resource,
      iss: this.issuerV1,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      aio: randomId(32),
      app_displayname: clientId,
      appid: clientId,
      azp: clientId,
      appidacr,
      idp: this.issuerV1,
      rh: `0.${randomId(30)}.`,
      tid: this.tenantId,
      uti: randomId(16),
      jti: randomUUID(),
      ver: '1.0',
      xms_tcdt: now - 86400 * 365,
    };

    let claims: JWTPayload;
    let clientInfo: string | undefined;
    if (grantType === 'client_credentials') {
      if (resourceScopes.length !== 1 || splitScope(resourceScopes[0]).permission !== '.default') {
        throw new EntraError(
          400,
          'invalid_scope',
          1002012,
          `The provided value for scope ${record.scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
        );
      }
      const spOid = stableGuid(this.tenantId, 'sp', clientId);
      claims = { ...base, idtyp: 'app', oid: spOid, sub: spOid, roles: [...(client.roles ?? DEFAULT_APP_ROLES)] };
    } else {
      if (record.requestedTokenUse !== 'on_behalf_of') {
        throw new EntraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'requested_token_use'.");
      }
      if (!record.assertion) {
        throw new EntraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'assertion'.");
      }
      const user = await this.verifyOboAssertion(record.assertion, clientId, client);
      if (this.oboFailure) throw this.oboError(this.oboFailure, clientId, resource);
      const scp = resourceScopes.flatMap((s) => {
        const { permission } = splitScope(s);
        return permission === '.default' ? [...(client.delegatedScopes ?? DEFAULT_DELEGATED_SCOPES)] : [permission];
      });
      claims = {
        ...base,
        idtyp: 'user',
        acr: '1',
        amr: user.amr ?? ['pwd'],
        oid: user.oid,
        sub: user.sub ?? (typeof user.oid === 'string' ? user.oid : undefined),
        scp: [...new Set(scp)].join(' '),
      };
      for (const k of ['upn', 'unique_name', 'name', 'given_name', 'family_name'] as const) {
        if (user[k] !== undefined) claims[k] = user[k];
      }
      if (claims.upn === undefined && typeof user.preferred_username === 'string') {
        claims.upn = user.preferred_username;
        claims.unique_name = user.preferred_username;
      }
      if (params.get('client_info') === '1' && typeof user.oid === 'string') {
        clientInfo = Buffer.from(JSON.stringify({ uid: user.oid, utid: this.tenantId })).toString('base64url');
      }
    }

    const accessToken = await this.sign(claims, this.active, true);
    const response: { access_token: string; token_type: string; expires_in: number; ext_expires_in: number; scope: string; client_info?: string } = {
      token_type: 'Bearer',
      scope: resourceScopes.join(' '),
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
    };
    if (clientInfo) response.client_info = clientInfo;
    return response;
  }

  private oboError(mode: Exclude<OboFailureMode, undefined>, clientId: string, resource: string): EntraError {
    switch (mode) {
      case 'consent_required':
        return new EntraError(
          400,
          'invalid_grant',
          65001,
          `The user or administrator has not consented to use the application with ID '${clientId}' named '${clientId}'. Send an interactive authorization request for this user and resource.`,
          { suberror: 'consent_required' },
        );
      case 'interaction_required':
        return new EntraError(
          400,
          'interaction_required',
          50079,
          `Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access '${resource}'.`,
          { claims: JSON.stringify({ access_token: { capolids: { essential: true, values: [stableGuid('policy', this.tenantId)] } } }) },
        );
      case 'invalid_grant':
        return new EntraError(
          400,
          'invalid_grant',
          50173,
          "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
        );
    }
  }

  /** Verify an OBO assertion: a token this IdP signed, not expired, for this client. Returns its claims. */
  private async verifyOboAssertion(assertion: string, clientId: string, client: IdpClientRegistration): Promise<JWTPayload> {
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(assertion);
      decodeJwt(assertion);
    } catch {
      throw new EntraError(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.');
    }
    const key = this.keys.find((k) => k.kid === header.kid && (k.inJwks || k === this.active));
    if (!key) {
      throw new EntraError(
        400,
        'invalid_grant',
        50013,
        `Assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '${String(header.kid)}']`,
      );
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(assertion, key.publicKey, { algorithms: ['RS256'] }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) {
        throw new EntraError(
          400,
          'invalid_grant',
          500133,
          'Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token.',
        );
      }
      if (err instanceof joseErrors.JWTClaimValidationFailed) {
        throw new EntraError(400, 'invalid_grant', 500133, `Assertion is not within its valid time range. [Reason - ${err.message}]`);
      }
      if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
        throw new EntraError(400, 'invalid_grant', 50013, 'Assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]');
      }
      throw new EntraError(400, 'invalid_request', 50027, `JWT token is invalid or malformed. [${err instanceof Error ? err.message : String(err)}]`);
    }
    if (payload.iss !== this.issuerV1 && payload.iss !== this.issuerV2) {
      throw new EntraError(400, 'invalid_grant', 50013, `Assertion failed signature validation. [Reason - The issuer '${String(payload.iss)}' is not valid for this tenant.]`);
    }
    const accepted = new Set([clientId, `api://${clientId}`, client.appIdUri ?? this.apiAudience]);
    const auds = Array.isArray(payload.aud) ? payload.aud : payload.aud !== undefined ? [payload.aud] : [];
    if (!auds.some((a) => accepted.has(a))) {
      throw new EntraError(
        400,
        'invalid_grant',
        50013,
        `Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '${auds.join(',')}' and the expected audience is '${clientId}' or one of the Application Id URIs of this web API registered in Azure AD.`,
      );
    }
    return payload;
  }

  /** Verify a certificate client assertion (private_key_jwt): signature by a registered certificate, aud = token endpoint. */
  private async verifyClientAssertion(assertion: string, clientId: string, client: IdpClientRegistration): Promise<void> {
    const fail = (reason: string): EntraError =>
      new EntraError(401, 'invalid_client', 700027, `Client assertion failed signature validation. [Reason - ${reason}]`);
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(assertion);
    } catch {
      throw new EntraError(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.');
    }
    const alg = header.alg;
    if (alg !== 'RS256' && alg !== 'PS256') throw fail(`The algorithm '${String(alg)}' is not supported.`);
    const x5tSha1 = headerThumbprintToHex(header.x5t);
    const x5tSha256 = headerThumbprintToHex(header['x5t#S256']);
    if (!x5tSha1 && !x5tSha256) throw fail('The assertion has no x5t or x5t#S256 header.');

    // Candidate certificates: the registered PEM, and an x5c certificate if its thumbprint is registered.
    const candidates: string[] = [];
    if (client.certPem) candidates.push(client.certPem);
    const x5c = header.x5c;
    if (client.certThumbprintSha1 && Array.isArray(x5c) && typeof x5c[0] === 'string') {
      const pem = derBase64ToPem(x5c[0]);
      if (certificateThumbprints(pem).sha1 === normalizeThumbprint(client.certThumbprintSha1)) candidates.push(pem);
    }
    const certPem = candidates.find((pem) => {
      const t = certificateThumbprints(pem);
      return (x5tSha1 !== undefined && t.sha1 === x5tSha1) || (x5tSha256 !== undefined && t.sha256 === x5tSha256);
    });
    if (!certPem) {
      throw fail(`The key was not found., Thumbprint of key used by client: '${x5tSha1 ?? x5tSha256 ?? ''}'`);
    }
    // importX509 wants a single certificate.
    const key = await importX509(derBase64ToPem(pemToDerBase64(certPem)), alg);
    try {
      await jwtVerify(assertion, key, {
        algorithms: [alg],
        audience: [this.tokenEndpoint, `${this.url}/${this.tenantId}/oauth2/token`],
        issuer: clientId,
        subject: clientId,
        requiredClaims: ['exp', 'jti'],
        // Entra tolerates 5 minutes of clock skew; MSAL also rounds (not floors) its `nbf`, which can be 1 s ahead.
        clockTolerance: CLIENT_ASSERTION_CLOCK_SKEW_SECONDS,
      });
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) {
        throw new EntraError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
      }
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'aud') {
        throw new EntraError(401, 'invalid_client', 700212, `No matching federated identity record found for presented assertion audience. Expected '${this.tokenEndpoint}'.`);
      }
      throw fail(err instanceof Error ? err.message : String(err));
    }
  }
}

/** Start the fake Entra ID on https://127.0.0.1:<random port>. */
export async function startTestIdp(opts: StartTestIdpOptions = {}): Promise<TestIdp> {
  let certs = opts.certs;
  let ownedDir: string | undefined;
  if (!certs) {
    const made = await createTestCertificates();
    certs = made;
    ownedDir = made.dir; // removed by close()
  }
  const idp = new TestIdpImpl(
    opts.tenantId ?? DEFAULT_TENANT_ID,
    opts.apiAudience ?? DEFAULT_API_AUDIENCE,
    certs.caPem,
    certs.caFile,
    opts.tokenLifetimeSeconds ?? 3600,
  );
  idp.ownedDir = ownedDir;
  await idp.start(certs.certPem, certs.keyPem);
  return idp;
}
