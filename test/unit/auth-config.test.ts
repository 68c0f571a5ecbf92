/** The AUTH_*, ROUTER_SECRET, OBO_* and MAX_* variables: defaults, validation, and secrets never printed. */
import { loadConfig } from '../../src/config';
import { configError } from '../support/config';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '3f6c2a1e-8b7d-4c5e-9f0a-1b2c3d4e5f60';
const APP = { GRAPH_AUTH_MODE: 'app', AZURE_TENANT_ID: TENANT, AUTH_AUDIENCE: `api://esim,${CLIENT}` };

describe('inbound authentication settings', () => {
  it('is required in app and obo modes: AUTH_AUDIENCE must be set', () => {
    expect(configError({ GRAPH_AUTH_MODE: 'app', AZURE_TENANT_ID: TENANT })).toContain('AUTH_AUDIENCE');
    expect(
      configError({ GRAPH_AUTH_MODE: 'obo', AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: 'x-secret-value' }),
    ).toContain('AUTH_AUDIENCE');
  });

  it('is off in emulator mode unless AUTH_AUDIENCE is set', () => {
    expect(loadConfig({}).auth.enabled).toBe(false);
    expect(configError({ AUTH_AUDIENCE: 'api://esim' })).toMatch(/AUTH_ISSUER[\s\S]*AUTH_JWKS_URL/);
    const on = loadConfig({ AUTH_AUDIENCE: 'api://esim', AUTH_ISSUER: 'https://idp.example/t/v2.0', AUTH_JWKS_URL: 'https://idp.example/t/keys' });
    expect(on.auth).toMatchObject({ enabled: true, audiences: ['api://esim'], issuers: ['https://idp.example/t/v2.0'], jwksUrl: 'https://idp.example/t/keys' });
  });

  it('defaults: the tenant’s v2 and v1 issuers and keys on the public cloud, 30 s cooldown, 60 s tolerance', () => {
    const { auth } = loadConfig(APP);
    expect(auth).toMatchObject({
      enabled: true,
      audiences: ['api://esim', CLIENT],
      issuers: [`https://login.microsoftonline.com/${TENANT}/v2.0`, `https://sts.windows.net/${TENANT}/`],
      jwksUrl: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`,
      jwksCooldownSeconds: 30,
      jwksRefreshSeconds: 3600,
      clockToleranceSeconds: 60,
      permissions: { read: 'EsimPools.Read', assign: 'EsimPools.Assign', manage: 'EsimPools.Manage' },
      verifiedCacheSize: 10_000,
      oboCacheSize: 1000,
    });
    expect(auth.routerSecret).toBeUndefined();
  });

  it.each([
    ['usgov', `https://login.microsoftonline.us/${TENANT}/v2.0`, `https://sts.windows.net/${TENANT}/`, 'https://login.microsoftonline.us'],
    ['china', `https://login.chinacloudapi.cn/${TENANT}/v2.0`, `https://sts.chinacloudapi.cn/${TENANT}/`, 'https://login.chinacloudapi.cn'],
  ])('GRAPH_CLOUD=%s picks that cloud’s issuers and keys', (cloud, v2, v1, authority) => {
    const { auth } = loadConfig({ ...APP, GRAPH_CLOUD: cloud });
    expect(auth.issuers).toEqual([v2, v1]);
    expect(auth.jwksUrl).toBe(`${authority}/${TENANT}/discovery/v2.0/keys`);
  });

  it('a custom AZURE_AUTHORITY_HOST hosts both issuers and the keys', () => {
    const { auth } = loadConfig({ ...APP, AZURE_AUTHORITY_HOST: 'https://127.0.0.1:8443' });
    expect(auth.issuers).toEqual([`https://127.0.0.1:8443/${TENANT}/v2.0`, `https://127.0.0.1:8443/${TENANT}/`]);
    expect(auth.jwksUrl).toBe(`https://127.0.0.1:8443/${TENANT}/discovery/v2.0/keys`);
  });

  it('AUTH_ISSUER and AUTH_AUDIENCE take comma lists; AUTH_JWKS_URL may carry ?appid=', () => {
    const { auth } = loadConfig({
      ...APP,
      AUTH_AUDIENCE: ' api://a , b ,',
      AUTH_ISSUER: `https://sts.windows.net/${TENANT}/,https://login.microsoftonline.com/${TENANT}/v2.0`,
      AUTH_JWKS_URL: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys?appid=${CLIENT}`,
    });
    expect(auth.audiences).toEqual(['api://a', 'b']);
    expect(auth.issuers).toEqual([`https://sts.windows.net/${TENANT}/`, `https://login.microsoftonline.com/${TENANT}/v2.0`]);
    expect(auth.jwksUrl).toContain('?appid=');
  });

  it.each([
    [{ AUTH_AUDIENCE: ' , ' }, 'AUTH_AUDIENCE'],
    [{ AUTH_ISSUER: 'http://idp.example/t/' }, 'AUTH_ISSUER'],
    [{ AUTH_ISSUER: 'not a url' }, 'AUTH_ISSUER'],
    [{ AUTH_JWKS_URL: 'http://keys.example/keys' }, 'AUTH_JWKS_URL'],
    [{ AUTH_JWKS_URL: 'https://user:pw@keys.example/keys' }, 'AUTH_JWKS_URL'],
    [{ AUTH_JWKS_COOLDOWN_SECONDS: '-1' }, 'AUTH_JWKS_COOLDOWN_SECONDS'],
    [{ AUTH_JWKS_REFRESH_SECONDS: '5' }, 'AUTH_JWKS_REFRESH_SECONDS'],
    [{ AUTH_CLOCK_TOLERANCE_SECONDS: '3600' }, 'AUTH_CLOCK_TOLERANCE_SECONDS'],
    [{ AUTH_READ_PERMISSION: 'Esim Pools' }, 'AUTH_READ_PERMISSION'],
    [{ AUTH_ASSIGN_PERMISSION: 'EsimPools.Read' }, 'AUTH_ASSIGN_PERMISSION'],
    [{ AUTH_MANAGE_PERMISSION: 'EsimPools.Assign' }, 'AUTH_MANAGE_PERMISSION'],
    [{ AUTH_MANAGE_PERMISSION: 'EsimPools.Read' }, 'AUTH_MANAGE_PERMISSION'],
    [{ AUTH_MANAGE_PERMISSION: 'Esim Pools' }, 'AUTH_MANAGE_PERMISSION'],
    [{ AUTH_TOKEN_CACHE_SIZE: '0' }, 'AUTH_TOKEN_CACHE_SIZE'],
    [{ OBO_CACHE_SIZE: 'many' }, 'OBO_CACHE_SIZE'],
    [{ MAX_DEPTH: '0' }, 'MAX_DEPTH'],
    [{ MAX_ALIASES: 'x' }, 'MAX_ALIASES'],
    [{ MAX_TOKENS: '5' }, 'MAX_TOKENS'],
    [{ MAX_COST: '0' }, 'MAX_COST'],
    [{ MAX_DIRECTIVES: '-3' }, 'MAX_DIRECTIVES'],
  ])('names the bad variable %j', (env, name) => {
    expect(configError({ ...APP, ...env })).toContain(name);
  });

  it('AUTH_ISSUER and AUTH_JWKS_URL with credentials are refused without quoting them', () => {
    const message = configError({
      ...APP,
      AUTH_ISSUER: 'https://issuer-user:issuer-pass-never-shown@idp.example/t/v2.0',
      AUTH_JWKS_URL: 'https://keys-pass-never-shown@idp.example/t/keys',
    });
    expect(message).toMatch(/AUTH_ISSUER.*"https:\/\/\*\*\*@idp\.example\/t\/v2\.0" must not have credentials/);
    expect(message).toMatch(/AUTH_JWKS_URL.*must not have credentials/);
    expect(message).not.toMatch(/issuer-user|never-shown/);
    expect(configError({ ...APP, AUTH_JWKS_URL: 'https://idp.example/t/keys#frag' })).toMatch(/AUTH_JWKS_URL.*must not have a fragment/);
    // The second item of a list, refused for another reason first (http://), and a Graph URL: masked all the same.
    const others = configError({
      ...APP,
      AUTH_ISSUER: 'https://idp.example/a/v2.0,http://list-user:list-pass-never-shown@idp.example/b',
      GRAPH_BASE_URL: 'https://graph-user:graph-pass-never-shown@graph.example/beta',
    });
    expect(others).toMatch(/AUTH_ISSUER.*"http:\/\/\*\*\*@idp\.example\/b" must be https/);
    expect(others).toMatch(/GRAPH_BASE_URL: must not have credentials.*\(got "https:\/\/\*\*\*@graph\.example\/beta"\)/);
    expect(others).not.toMatch(/list-user|graph-user|never-shown/);
  });

  it('AUTH_MANAGE_PERMISSION names the permission of the pool lifecycle (default EsimPools.Manage)', () => {
    expect(loadConfig({ ...APP, AUTH_MANAGE_PERMISSION: 'Pools.Admin' }).auth.permissions).toEqual({
      read: 'EsimPools.Read',
      assign: 'EsimPools.Assign',
      manage: 'Pools.Admin',
    });
  });

  it('ROUTER_SECRET: at least 16 characters, and its value is never printed', () => {
    const message = configError({ ...APP, ROUTER_SECRET: 'short-secret' });
    expect(message).toContain('ROUTER_SECRET');
    expect(message).not.toContain('short-secret');
    expect(loadConfig({ ...APP, ROUTER_SECRET: 'a-long-enough-router-secret' }).auth.routerSecret).toBe('a-long-enough-router-secret');
    // A router secret alone (emulator mode, no tokens) is allowed.
    expect(loadConfig({ ROUTER_SECRET: 'a-long-enough-router-secret' }).auth).toMatchObject({ enabled: false, routerSecret: 'a-long-enough-router-secret' });
  });

  it('obo with an encrypted certificate is refused (OnBehalfOfCredential reads an unencrypted PEM)', () => {
    const message = configError({
      GRAPH_AUTH_MODE: 'obo',
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: CLIENT,
      AZURE_CLIENT_CERTIFICATE_PATH: '/certs/api.pem',
      AZURE_CLIENT_CERTIFICATE_PASSWORD: 'pem-password-value',
      AUTH_AUDIENCE: CLIENT,
    });
    expect(message).toContain('AZURE_CLIENT_CERTIFICATE_PASSWORD');
    expect(message).not.toContain('pem-password-value');
  });
});

describe('operation limits', () => {
  it('defaults, and each MAX_* variable', () => {
    expect(loadConfig({}).limits).toEqual({
      maxDepth: 10,
      maxAliases: 15,
      maxTokens: 1000,
      maxCost: 1000,
      maxDirectives: 20,
      maxEntities: 500,
      routerMaxAliases: 500,
      routerMaxTokens: 50_000,
    });
    const env = { MAX_DEPTH: '8', MAX_ALIASES: '4', MAX_TOKENS: '500', MAX_COST: '900', MAX_DIRECTIVES: '2', MAX_ENTITIES: '40', ROUTER_MAX_ALIASES: '60', ROUTER_MAX_TOKENS: '7000' };
    expect(loadConfig(env).limits).toEqual({
      maxDepth: 8,
      maxAliases: 4,
      maxTokens: 500,
      maxCost: 900,
      maxDirectives: 2,
      maxEntities: 40,
      routerMaxAliases: 60,
      routerMaxTokens: 7000,
    });
    expect(() => loadConfig({ MAX_ENTITIES: '0' })).toThrow(/MAX_ENTITIES/);
  });
});
