/**
 * The local fake Entra ID (test/support/idp.ts) against the real libraries: @azure/identity (MSAL node)
 * credentials get tokens from it, jose's remote JWKS verifies what it signs.
 */
import { expect } from '@jest/globals';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AccessToken } from '@azure/core-auth';
import { ClientCertificateCredential, ClientSecretCredential, OnBehalfOfCredential } from '@azure/identity';
import type { TokenCredentialOptions } from '@azure/identity';
import { SignJWT, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, generateKeyPair, jwtVerify } from 'jose';
import { Agent, fetch } from 'undici';
import { createClientCertificate } from '../support/certs';
import type { ClientCertificate } from '../support/certs';
import { startTestIdp } from '../support/idp';
import type { TestIdp } from '../support/idp';

const TENANT_ID = '3f0c1a52-6b1e-4c7a-9d7e-2b8f5e4a9c01';
const SECRET_APP = '5a1d6e0b-1111-4a4a-8b8b-000000000001';
const CERT_APP = '5a1d6e0b-2222-4a4a-8b8b-000000000002';
const THUMBPRINT_APP = '5a1d6e0b-3333-4a4a-8b8b-000000000003';
const SECRET = 'Zq8~s3cr3t.VALUE-do-not-leak_7Kp';
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

let idp: TestIdp;
let clientCert: ClientCertificate;
let otherCert: ClientCertificate;
let tmpDir: string;

/** What in-process credentials need: the authority host, no instance discovery, and trust in the test CA. */
function credentialOptions(extra: TokenCredentialOptions = {}): TokenCredentialOptions & { disableInstanceDiscovery: boolean } {
  return {
    authorityHost: idp.url,
    disableInstanceDiscovery: true,
    // PipelineOptions.tlsOptions → core-rest-pipeline's tlsPolicy → https.Agent({ ca }) for every request,
    // including MSAL's (they go through @azure/identity's IdentityClient).
    tlsOptions: { ca: idp.caPem },
    ...extra,
  };
}

function secretCredential(secret = SECRET, extra: TokenCredentialOptions = {}): ClientSecretCredential {
  return new ClientSecretCredential(TENANT_ID, SECRET_APP, secret, credentialOptions(extra));
}

function oboCredential(userAssertionToken: string): OnBehalfOfCredential {
  return new OnBehalfOfCredential({
    tenantId: TENANT_ID,
    clientId: SECRET_APP,
    clientSecret: SECRET,
    userAssertionToken,
    ...credentialOptions(),
  });
}

async function userToken(oid: string, extra: Record<string, unknown> = {}, opts: Parameters<TestIdp['signAccessToken']>[1] = {}): Promise<string> {
  return idp.signAccessToken(
    { oid, sub: `sub-${oid}`, preferred_username: `${oid.slice(0, 8)}@contoso.test`, name: `User ${oid.slice(0, 8)}`, scp: 'access_as_user', azp: 'spa-client-id', ...extra },
    { audience: `api://${SECRET_APP}`, ...opts },
  );
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`rejected with a non-Error: ${String(err)}`, { cause: err });
  }
  throw new Error('expected a rejection, got a token');
}

function newRequestsSince(n: number) {
  return idp.tokenRequests.slice(n);
}

beforeAll(async () => {
  // Environment that would make @azure/identity / MSAL go elsewhere (regional endpoints, another host).
  for (const name of ['AZURE_AUTHORITY_HOST', 'AZURE_REGIONAL_AUTHORITY_NAME', 'MSAL_FORCE_REGION', 'REGION_NAME']) delete process.env[name];
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'esim-idp-test-'));
  [idp, clientCert, otherCert] = await Promise.all([
    startTestIdp({ tenantId: TENANT_ID }),
    createClientCertificate({ dir: tmpDir, commonName: 'registered-client' }),
    createClientCertificate({ dir: tmpDir, commonName: 'unregistered-client' }),
  ]);
  idp.clients.set(SECRET_APP, { secret: SECRET });
  idp.clients.set(CERT_APP, { certPem: clientCert.certPem });
  idp.clients.set(THUMBPRINT_APP, { certThumbprintSha1: clientCert.thumbprintSha1 });
});

afterAll(async () => {
  await idp?.close();
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
});

afterEach(() => {
  idp.setDown(false);
  idp.setOboFailure(undefined);
});

describe('TLS and metadata', () => {
  it('serves Entra-shaped v2 OpenID metadata over TLS trusted only through the test CA', async () => {
    const dispatcher = new Agent({ connect: { ca: idp.caPem } });
    try {
      const res = await fetch(`${idp.url}/${TENANT_ID}/v2.0/.well-known/openid-configuration`, { dispatcher });
      expect(res.status).toBe(200);
      const meta = (await res.json()) as Record<string, unknown>;
      expect(meta).toMatchObject({
        issuer: idp.issuerV2,
        token_endpoint: `${idp.url}/${TENANT_ID}/oauth2/v2.0/token`,
        jwks_uri: idp.jwksUrl,
        authorization_endpoint: `${idp.url}/${TENANT_ID}/oauth2/v2.0/authorize`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
      const unknownTenant = await fetch(`${idp.url}/not-a-tenant/v2.0/.well-known/openid-configuration`, { dispatcher });
      expect(unknownTenant.status).toBe(400);
      expect(await unknownTenant.json()).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
    } finally {
      await dispatcher.close();
    }
    // Without the CA the certificate must be rejected (the TLS is real).
    const untrusting = new Agent();
    try {
      await expect(fetch(idp.jwksUrl, { dispatcher: untrusting })).rejects.toThrow();
    } finally {
      await untrusting.close();
    }
  });
});

describe('token endpoint protocol (raw HTTP)', () => {
  let dispatcher: Agent;
  beforeAll(() => {
    dispatcher = new Agent({ connect: { ca: idp.caPem } });
  });
  afterAll(() => dispatcher.close());

  const post = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${idp.url}/${TENANT_ID}/oauth2/v2.0/token`, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });

  it('answers errors in Entra’s JSON shape, echoing client-request-id as correlation_id', async () => {
    const res = await post(
      { grant_type: 'client_credentials', client_id: SECRET_APP, client_secret: 'nope', scope: GRAPH_SCOPE },
      { 'client-request-id': 'corr-123' },
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      error: 'invalid_client',
      error_codes: [7000215],
      correlation_id: 'corr-123',
      trace_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
    });
    expect(body.error_description).toEqual(expect.stringMatching(/^AADSTS7000215: .* Trace ID: .* Correlation ID: corr-123 Timestamp: /));
  });

  it('accepts client_secret_basic and returns the token response fields', async () => {
    const basic = Buffer.from(`${SECRET_APP}:${encodeURIComponent(SECRET)}`).toString('base64');
    const res = await post({ grant_type: 'client_credentials', scope: GRAPH_SCOPE }, { authorization: `Basic ${basic}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, scope: GRAPH_SCOPE, access_token: expect.any(String) });
  });

  it('while down answers 503 with an HTML body', async () => {
    idp.setDown(true);
    const res = await post({ grant_type: 'client_credentials', client_id: SECRET_APP, client_secret: SECRET, scope: GRAPH_SCOPE });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('Service Unavailable');
  });

  it('rejects unsupported grant types (AADSTS70003)', async () => {
    const res = await post({ grant_type: 'password', client_id: SECRET_APP, client_secret: SECRET, scope: GRAPH_SCOPE });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'unsupported_grant_type', error_codes: [70003] });
  });
});

describe('ClientSecretCredential', () => {
  it('gets a Graph token, and the second getToken is served from MSAL’s cache', async () => {
    const before = idp.tokenRequests.length;
    const logBefore = idp.requestLog.length;
    const credential = secretCredential();
    const first = await credential.getToken(GRAPH_SCOPE);
    const requests = newRequestsSince(before);
    expect(requests).toHaveLength(1);
    const [req] = requests;
    expect(req).toMatchObject({
      grantType: 'client_credentials',
      clientId: SECRET_APP,
      scope: GRAPH_SCOPE,
      clientAuth: 'secret',
      clientSecretOk: true,
      status: 200,
    });
    expect(JSON.stringify(req)).not.toContain(SECRET);
    expect(idp.graphTokenFor(req)).toBe(first.token);
    expect(first.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3500_000);

    const claims = decodeJwt(first.token);
    expect(claims).toMatchObject({
      aud: 'https://graph.microsoft.com',
      iss: idp.issuerV1,
      tid: TENANT_ID,
      appid: SECRET_APP,
      azp: SECRET_APP,
      appidacr: '1',
      idtyp: 'app',
      roles: ['DeviceManagementServiceConfig.ReadWrite.All'],
      ver: '1.0',
    });
    expect(typeof claims.jti).toBe('string');

    const second = await credential.getToken(GRAPH_SCOPE);
    expect(second.token).toBe(first.token);
    expect(idp.tokenRequests.length).toBe(before + 1);

    // What MSAL fetched: the v2 OpenID configuration of the tenant, then the token endpoint. No instance discovery.
    const paths = idp.requestLog.slice(logBefore).map((e) => `${e.method} ${e.path}`);
    expect(paths).toEqual([
      `GET /${TENANT_ID}/v2.0/.well-known/openid-configuration`,
      `POST /${TENANT_ID}/oauth2/v2.0/token`,
    ]);
  });

  it('every issued token is distinct (two credentials → two tokens)', async () => {
    const a = await secretCredential().getToken(GRAPH_SCOPE);
    const b = await secretCredential().getToken(GRAPH_SCOPE);
    expect(a.token).not.toBe(b.token);
    expect(decodeJwt(a.token).jti).not.toBe(decodeJwt(b.token).jti);
  });

  it('a wrong secret fails with AADSTS7000215 and the secret never appears in the error', async () => {
    const wrongSecret = 'WRONG~secret-value.that-must-not-leak';
    const before = idp.tokenRequests.length;
    const err = await rejection(secretCredential(wrongSecret).getToken(GRAPH_SCOPE));
    // MSAL's ServerError is not one @azure/identity maps to AuthenticationError: it becomes AuthenticationRequiredError.
    expect(err.name).toBe('AuthenticationRequiredError');
    expect(err.message).toContain('AADSTS7000215');
    expect(err.message).not.toContain(wrongSecret);
    expect(err.message).not.toContain(SECRET);
    expect(String(err.stack)).not.toContain(wrongSecret);
    const requests = newRequestsSince(before);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ clientAuth: 'secret', clientSecretOk: false, status: 401, error: 'AADSTS7000215' });
    expect(idp.graphTokenFor(requests[0])).toBeUndefined();
    expect(JSON.stringify(requests)).not.toContain(wrongSecret);
  });

  it('an unregistered client gets 401 invalid_client', async () => {
    const credential = new ClientSecretCredential(TENANT_ID, '00000000-dead-4bee-8f00-000000000000', SECRET, credentialOptions());
    const err = await rejection(credential.getToken(GRAPH_SCOPE));
    expect(err.message).toContain('AADSTS700016');
    expect(idp.tokenRequests[idp.tokenRequests.length - 1]).toMatchObject({ status: 401, error: 'AADSTS700016' });
  });

  it('rejects a client-credentials scope without /.default (AADSTS1002012)', async () => {
    const err = await rejection(secretCredential().getToken('https://graph.microsoft.com/User.Read'));
    expect(err.message).toContain('AADSTS1002012');
  });
});

describe('ClientCertificateCredential', () => {
  it('authenticates with a client assertion signed by the registered certificate (PEM file)', async () => {
    const before = idp.tokenRequests.length;
    const credential = new ClientCertificateCredential(TENANT_ID, CERT_APP, clientCert.pemFile, credentialOptions());
    const token = await credential.getToken(GRAPH_SCOPE);
    const [req] = newRequestsSince(before);
    expect(req).toMatchObject({ grantType: 'client_credentials', clientId: CERT_APP, clientAuth: 'assertion', clientSecretOk: true, status: 200 });
    expect(idp.graphTokenFor(req)).toBe(token.token);
    expect(decodeJwt(token.token)).toMatchObject({ appid: CERT_APP, appidacr: '2', aud: 'https://graph.microsoft.com' });
  });

  it('accepts a thumbprint-only registration when the chain is sent (x5c), with an in-memory PEM', async () => {
    const credential = new ClientCertificateCredential(
      TENANT_ID,
      THUMBPRINT_APP,
      { certificate: clientCert.pem },
      { ...credentialOptions(), sendCertificateChain: true },
    );
    const token = await credential.getToken(GRAPH_SCOPE);
    expect(decodeJwt(token.token)).toMatchObject({ appid: THUMBPRINT_APP, appidacr: '2' });
  });

  it('rejects an assertion signed by an unregistered certificate (AADSTS700027)', async () => {
    const before = idp.tokenRequests.length;
    const credential = new ClientCertificateCredential(TENANT_ID, CERT_APP, otherCert.pemFile, credentialOptions());
    const err = await rejection(credential.getToken(GRAPH_SCOPE));
    expect(err.message).toContain('AADSTS700027');
    expect(newRequestsSince(before)[0]).toMatchObject({ clientAuth: 'assertion', clientSecretOk: false, status: 401 });
  });
});

describe('OnBehalfOfCredential', () => {
  const alice = 'a11ce000-0000-4000-8000-00000000a11c';
  const bob = 'b0b00000-0000-4000-8000-000000000b0b';

  it('gets a distinct Graph token per user, carrying that user’s oid; repeat calls hit MSAL’s cache', async () => {
    const before = idp.tokenRequests.length;
    const [aliceAssertion, bobAssertion] = await Promise.all([userToken(alice), userToken(bob)]);
    const aliceCredential = oboCredential(aliceAssertion);
    const bobCredential = oboCredential(bobAssertion);
    const [a, b] = await Promise.all([aliceCredential.getToken(GRAPH_SCOPE), bobCredential.getToken(GRAPH_SCOPE)]);
    expect(a.token).not.toBe(b.token);
    const ca = decodeJwt(a.token);
    const cb = decodeJwt(b.token);
    expect(ca).toMatchObject({ oid: alice, sub: `sub-${alice}`, appid: SECRET_APP, idtyp: 'user', aud: 'https://graph.microsoft.com', scp: 'DeviceManagementServiceConfig.ReadWrite.All' });
    expect(cb).toMatchObject({ oid: bob, sub: `sub-${bob}`, appid: SECRET_APP, idtyp: 'user' });
    expect(ca.roles).toBeUndefined();

    const requests = newRequestsSince(before);
    expect(requests).toHaveLength(2);
    for (const r of requests) {
      expect(r).toMatchObject({ grantType: 'urn:ietf:params:oauth:grant-type:jwt-bearer', requestedTokenUse: 'on_behalf_of', clientAuth: 'secret', clientSecretOk: true, status: 200 });
      // MSAL adds the OIDC scopes to OBO requests.
      expect(r.scope.split(' ')).toEqual(expect.arrayContaining([GRAPH_SCOPE, 'openid', 'profile', 'offline_access']));
    }
    const aliceReq = requests.find((r) => r.assertion === aliceAssertion);
    const bobReq = requests.find((r) => r.assertion === bobAssertion);
    expect(aliceReq && idp.graphTokenFor(aliceReq)).toBe(a.token);
    expect(bobReq && idp.graphTokenFor(bobReq)).toBe(b.token);

    const again: AccessToken = await aliceCredential.getToken(GRAPH_SCOPE);
    expect(again.token).toBe(a.token);
    expect(idp.tokenRequests.length).toBe(before + 2);
  });

  it('rejects an expired assertion (AADSTS500133)', async () => {
    const expired = await userToken(alice, {}, { expiresInSeconds: -120 });
    const before = idp.tokenRequests.length;
    const err = await rejection(oboCredential(expired).getToken(GRAPH_SCOPE));
    expect(err.message).toContain('AADSTS500133');
    const [req] = newRequestsSince(before);
    expect(req).toMatchObject({ status: 400, error: 'AADSTS500133', assertion: expired });
    expect(idp.graphTokenFor(req)).toBeUndefined();
  });

  it('rejects a forged assertion (right kid, wrong key: AADSTS50013)', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ oid: alice, tid: TENANT_ID, scp: 'access_as_user', ver: '2.0' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: idp.activeKid })
      .setIssuer(idp.issuerV2)
      .setAudience(`api://${SECRET_APP}`)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(privateKey);
    const err = await rejection(oboCredential(forged).getToken(GRAPH_SCOPE));
    expect(err.message).toContain('AADSTS50013');
  });

  it('rejects an assertion for another audience (AADSTS50013)', async () => {
    const other = await userToken(alice, {}, { audience: 'api://someone-else' });
    const err = await rejection(oboCredential(other).getToken(GRAPH_SCOPE));
    expect(err.message).toContain('AADSTS50013');
    expect(err.message).toContain('audience');
  });

  it('setOboFailure(consent_required) → error carrying AADSTS65001', async () => {
    idp.setOboFailure('consent_required');
    const err = await rejection(oboCredential(await userToken(alice)).getToken(GRAPH_SCOPE));
    expect(err.message).toContain('AADSTS65001');
    expect(idp.tokenRequests[idp.tokenRequests.length - 1]).toMatchObject({ status: 400, error: 'AADSTS65001' });
  });

  it('setOboFailure(interaction_required) and (invalid_grant) → errors with their AADSTS codes', async () => {
    idp.setOboFailure('interaction_required');
    const mfa = await rejection(oboCredential(await userToken(bob)).getToken(GRAPH_SCOPE));
    expect(mfa.message).toContain('AADSTS50079');
    idp.setOboFailure('invalid_grant');
    const revoked = await rejection(oboCredential(await userToken(bob)).getToken(GRAPH_SCOPE));
    expect(revoked.message).toContain('AADSTS50173');
    idp.setOboFailure(undefined);
    await expect(oboCredential(await userToken(bob)).getToken(GRAPH_SCOPE)).resolves.toMatchObject({ token: expect.any(String) });
  });
});

describe('IdP outage', () => {
  it('setDown → 503 HTML from the token endpoint → getToken fails; back up → works', async () => {
    idp.setDown(true);
    const before = idp.tokenRequests.length;
    // Fast retries so the test does not wait for the pipeline's default exponential backoff.
    const credential = secretCredential(SECRET, { retryOptions: { maxRetries: 2, retryDelayInMs: 5, maxRetryDelayInMs: 20 } });
    const err = await rejection(credential.getToken(GRAPH_SCOPE));
    expect(err.message).not.toContain(SECRET);
    // IdentityClient JSON.parses the HTML body, that throws, and MSAL reports a generic network_error (no status code).
    expect(err.name).toBe('AuthenticationRequiredError');
    expect(err.message).toContain('network_error');
    const down = newRequestsSince(before);
    // core-rest-pipeline retries 503s (maxRetries + 1 attempts); MSAL itself does not retry.
    expect(down).toHaveLength(3);
    for (const r of down) expect(r).toMatchObject({ status: 503, error: 'service_unavailable', clientSecretOk: false });

    idp.setDown(false);
    const token = await credential.getToken(GRAPH_SCOPE);
    expect(decodeJwt(token.token).appid).toBe(SECRET_APP);
  });
});

describe('IdP token endpoint black-holed or resetting', () => {
  it('hang: the request is accepted and never answered; recover() drops it and answers again', async () => {
    idp.setTokenEndpoint('hang');
    const before = idp.tokenRequests.length;
    const credential = secretCredential(SECRET, { retryOptions: { maxRetries: 0 } });
    const pending = rejection(credential.getToken(GRAPH_SCOPE));
    for (let i = 0; idp.hungRequests === 0; i++) {
      if (i > 200) throw new Error('the token request never arrived');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(newRequestsSince(before)).toEqual([expect.objectContaining({ status: 0, error: 'hung' })]);
    idp.recover();
    expect(idp.hungRequests).toBe(0);
    expect((await pending).message).not.toContain(SECRET); // its connection was destroyed
    const token = await secretCredential(SECRET).getToken(GRAPH_SCOPE);
    expect(decodeJwt(token.token).appid).toBe(SECRET_APP);
  });

  it('reset: the connection is destroyed without a reply, so getToken fails', async () => {
    idp.setTokenEndpoint('reset');
    const before = idp.tokenRequests.length;
    const err = await rejection(secretCredential(SECRET, { retryOptions: { maxRetries: 1, retryDelayInMs: 5, maxRetryDelayInMs: 20 } }).getToken(GRAPH_SCOPE));
    expect(err.message).not.toContain(SECRET);
    const reset = newRequestsSince(before);
    expect(reset.length).toBeGreaterThanOrEqual(1);
    for (const r of reset) expect(r).toMatchObject({ status: 0, error: 'reset' });
  });
});

describe('JWKS with jose createRemoteJWKSet', () => {
  let agent: https.Agent;
  beforeAll(() => {
    // jose 5's Node build fetches the JWKS with node:https; it takes an `agent` option.
    agent = new https.Agent({ ca: idp.caPem });
  });
  afterAll(() => agent.destroy());

  it('verifies a token from signAccessToken (issuer, audience, kid)', async () => {
    const jwks = createRemoteJWKSet(new URL(idp.jwksUrl), { agent });
    const token = await idp.signAccessToken({ oid: 'o-1', scp: 'access_as_user' });
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: idp.issuerV2, audience: idp.apiAudience, algorithms: ['RS256'] });
    expect(protectedHeader.kid).toBe(idp.activeKid);
    expect(payload).toMatchObject({ oid: 'o-1', tid: TENANT_ID, ver: '2.0', scp: 'access_as_user' });

    const v1 = await idp.signAccessToken({ roles: ['Pools.Read'] }, { issuer: idp.issuerV1, audience: 'api://x' });
    const r1 = await jwtVerify(v1, jwks, { issuer: idp.issuerV1, audience: 'api://x' });
    expect(r1.payload.ver).toBe('1.0');

    const expired = await idp.signAccessToken({}, { expiresInSeconds: -60 });
    await expect(jwtVerify(expired, jwks)).rejects.toBeInstanceOf(joseErrors.JWTExpired);
  });

  it('after rotateKey, a token with the new kid verifies (jose refetches on an unknown kid)', async () => {
    const jwks = createRemoteJWKSet(new URL(idp.jwksUrl), { agent, cooldownDuration: 0 });
    const oldKid = idp.activeKid;
    const oldToken = await idp.signAccessToken({ oid: 'o-old' });
    await jwtVerify(oldToken, jwks); // JWKS fetched and cached with the old key only
    const jwksGets = () => idp.requestLog.filter((e) => e.path === `/${TENANT_ID}/discovery/v2.0/keys`).length;
    const getsBefore = jwksGets();

    const newKid = await idp.rotateKey();
    expect(newKid).not.toBe(oldKid);
    const newToken = await idp.signAccessToken({ oid: 'o-new' });
    expect(decodeProtectedHeader(newToken).kid).toBe(newKid);
    await expect(jwtVerify(newToken, jwks)).resolves.toMatchObject({ payload: { oid: 'o-new' } });
    expect(jwksGets()).toBe(getsBefore + 1);
    // The old key stays published.
    await expect(jwtVerify(oldToken, jwks)).resolves.toBeDefined();
  });

  it('within jose’s default 30 s cooldown an unknown kid is NOT refetched', async () => {
    const jwks = createRemoteJWKSet(new URL(idp.jwksUrl), { agent });
    await jwtVerify(await idp.signAccessToken({}), jwks);
    await idp.rotateKey();
    await expect(jwtVerify(await idp.signAccessToken({}), jwks)).rejects.toBeInstanceOf(joseErrors.JWKSNoMatchingKey);
  });

  it('setKeyInJwks hides a key (unknown kid) and shows it again', async () => {
    const jwks = createRemoteJWKSet(new URL(idp.jwksUrl), { agent, cooldownDuration: 0 });
    const kid = idp.activeKid;
    const token = await idp.signAccessToken({ oid: 'o-hidden' });
    idp.setKeyInJwks(kid, false);
    await expect(jwtVerify(token, jwks)).rejects.toBeInstanceOf(joseErrors.JWKSNoMatchingKey);
    idp.setKeyInJwks(kid, true);
    await expect(jwtVerify(token, jwks)).resolves.toMatchObject({ payload: { oid: 'o-hidden' } });
  });

  it('rotateKey({ removeOld: true }) unpublishes the previous keys', async () => {
    const jwks = createRemoteJWKSet(new URL(idp.jwksUrl), { agent, cooldownDuration: 0 });
    const oldToken = await idp.signAccessToken({});
    await jwtVerify(oldToken, jwks);
    await idp.rotateKey({ removeOld: true });
    await expect(jwtVerify(await idp.signAccessToken({}), jwks)).resolves.toBeDefined();
    await expect(jwtVerify(oldToken, jwks)).rejects.toBeInstanceOf(joseErrors.JWKSNoMatchingKey);
  });
});

describe('child process trusting the CA through NODE_EXTRA_CA_CERTS', () => {
  it('a plain-JS ClientSecretCredential (no tlsOptions) gets a token', async () => {
    const script = path.join(tmpDir, 'child-get-token.js');
    fs.writeFileSync(
      script,
      `'use strict';
const { ClientSecretCredential } = require(process.env.IDENTITY_MODULE);
const cred = new ClientSecretCredential(process.env.T_TENANT, process.env.T_CLIENT, process.env.T_SECRET, {
  authorityHost: process.env.T_AUTHORITY, disableInstanceDiscovery: true,
});
cred.getToken(process.env.T_SCOPE).then(
  (t) => { process.stdout.write(JSON.stringify({ token: t.token })); },
  (e) => { process.stdout.write(JSON.stringify({ error: e.name + ': ' + e.message })); process.exitCode = 1; },
);
`,
    );
    const before = idp.tokenRequests.length;
    // Async (not execFileSync): the IdP answers from this process's event loop.
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [script],
        {
          timeout: 20_000,
          env: {
            PATH: process.env.PATH ?? '',
            NODE_EXTRA_CA_CERTS: idp.caFile,
            IDENTITY_MODULE: require.resolve('@azure/identity'),
            T_TENANT: TENANT_ID,
            T_CLIENT: SECRET_APP,
            T_SECRET: SECRET,
            T_AUTHORITY: idp.url,
            T_SCOPE: GRAPH_SCOPE,
          },
        },
        (error, out, errOut) => (error ? reject(new Error(`${error.message}\n${out}\n${errOut}`)) : resolve(out)),
      );
    });
    const result = JSON.parse(stdout) as { token?: string; error?: string };
    expect(result.error).toBeUndefined();
    const [req] = newRequestsSince(before);
    expect(req).toMatchObject({ clientId: SECRET_APP, status: 200 });
    expect(result.token).toBe(idp.graphTokenFor(req));
  });
});
