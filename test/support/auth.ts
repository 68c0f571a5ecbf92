/**
 * Inbound authentication against the local HTTPS IdP (test/support/idp.ts) for in-process stacks: the real
 * TokenVerifier (jose) and OnBehalfOfCredential (@azure/identity), trusting the IdP's test CA.
 */
import { Writable } from 'node:stream';
import type { Config, GraphAuthMode } from '../../src/config';
import { createAuthGate, type AuthGate, type AuthGateConfig } from '../../src/auth/gate';
import { DEFAULT_PERMISSIONS } from '../../src/auth/principal';
import type { CredentialScopedApi } from '../../src/identity/obo';
import { createLogger, type Logger } from '../../src/observability/logger';
import { startTestIdp, type TestIdp } from './idp';
import { startStack, type Stack } from './stack';

/** The subgraph's own app registration in these tests. */
export const API_CLIENT_ID = '0e5a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b';
export const API_CLIENT_SECRET = 'obo-secret~Qx7.never-in-a-log';

export function authSettings(idp: TestIdp, overrides: Partial<Config['auth']> = {}): Config['auth'] {
  return {
    enabled: true,
    audiences: [idp.apiAudience, API_CLIENT_ID],
    issuers: [idp.issuerV2, idp.issuerV1],
    jwksUrl: idp.jwksUrl,
    jwksCooldownSeconds: 30,
    jwksRefreshSeconds: 3600,
    clockToleranceSeconds: 30,
    permissions: DEFAULT_PERMISSIONS,
    routerSecret: undefined,
    verifiedCacheSize: 1000,
    oboCacheSize: 100,
    ...overrides,
  };
}

/** A gate as the service builds it, for the IdP's tenant, trusting its CA. */
export function gateFor(
  idp: TestIdp,
  graph: CredentialScopedApi,
  options: { mode?: GraphAuthMode; auth?: Partial<Config['auth']>; azure?: Partial<AuthGateConfig['azure']>; logger?: Logger } = {},
): AuthGate | undefined {
  return createAuthGate(
    {
      auth: authSettings(idp, options.auth),
      graph: { authMode: options.mode ?? 'app' },
      azure: {
        tenantId: idp.tenantId,
        clientId: API_CLIENT_ID,
        clientSecret: API_CLIENT_SECRET,
        authorityHost: idp.url,
        disableInstanceDiscovery: true,
        ...options.azure,
      },
    },
    { graph, logger: options.logger ?? createLogger('silent'), tlsCa: idp.caPem },
  );
}

/** A logger whose JSON lines are kept in memory (to assert what is, and is not, logged). */
export function memoryLogger(level = 'debug'): { logger: Logger; text: () => string; lines: () => Array<Record<string, unknown>> } {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  return {
    logger: createLogger(level, sink),
    text: () => out,
    lines: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A delegated (user) token for the subgraph, as a SPA would get it. */
export function userToken(idp: TestIdp, oid: string, scp: string, extra: Record<string, unknown> = {}, opts: Parameters<TestIdp['signAccessToken']>[1] = {}): Promise<string> {
  return idp.signAccessToken(
    { oid, sub: `sub-${oid}`, scp, azp: 'b1a2c3d4-0000-4000-8000-00000000c11e', preferred_username: `${oid.slice(0, 8)}@contoso.test`, ...extra },
    opts,
  );
}

/** An application (client credentials) token for the subgraph. */
export function appToken(idp: TestIdp, roles: string[], extra: Record<string, unknown> = {}, opts: Parameters<TestIdp['signAccessToken']>[1] = {}): Promise<string> {
  const oid = 'a9900000-0000-4000-8000-0000000a9900';
  return idp.signAccessToken({ oid, sub: oid, idtyp: 'app', roles, azp: 'c0ffee00-0000-4000-8000-0000000c0ffe', ...extra }, opts);
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/**
 * The jest fixture of the suites that call the subgraph as an authenticated client: one local HTTPS IdP and one
 * stack whose gate trusts it (app mode) for the file, the emulator reset before each test. Read `idp` and `stack`
 * inside tests or hooks.
 */
export function useAuthenticatedStack(): { readonly idp: TestIdp; readonly stack: Stack } {
  let idp: TestIdp | undefined;
  let stack: Stack | undefined;
  beforeAll(async () => {
    idp = await startTestIdp();
    const started = idp;
    stack = await startStack({ auth: (graph) => gateFor(started, graph) });
  }, 30_000);
  afterAll(async () => {
    await stack?.stop();
    await idp?.close();
  });
  beforeEach(() => stack?.emulator.reset());
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useAuthenticatedStack: no ${what} yet (read it inside a test or hook)`);
    return value;
  };
  return {
    get idp() {
      return need(idp, 'IdP');
    },
    get stack() {
      return need(stack, 'stack');
    },
  };
}
