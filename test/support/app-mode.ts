/**
 * The subgraph as a process in GRAPH_AUTH_MODE=app: Graph (the emulator) and Entra ID (the local IdP), both over
 * HTTPS trusted through the IdP's test CA only, with the subgraph's own app registration and a client secret.
 * Shared by the process tests and the benchmark, so that both run the production code path the same way.
 */
import type { TestIdp } from './idp';

/** The subgraph's app registration in the IdP: a client secret, and Graph's application permission. */
export const APP_REGISTRATION = {
  clientId: '3f6c2a1e-8b7d-4c5e-9f0a-1b2c3d4e5f60',
  clientSecret: 'test-secret-Zx9~never-log-me',
} as const;

/** Registers the subgraph's app with the IdP, allowed to read and write Intune configuration. */
export function registerApp(idp: TestIdp): void {
  idp.clients.set(APP_REGISTRATION.clientId, { secret: APP_REGISTRATION.clientSecret, roles: ['DeviceManagementConfiguration.ReadWrite.All'] });
}

/** The environment of the subgraph in app mode, calling Graph at `graphUrl` with tokens from `idp`. */
export function appModeEnv(idp: TestIdp, graphUrl: string): Record<string, string> {
  return {
    GRAPH_AUTH_MODE: 'app',
    GRAPH_BASE_URL: graphUrl,
    AZURE_TENANT_ID: idp.tenantId,
    AZURE_CLIENT_ID: APP_REGISTRATION.clientId,
    AZURE_CLIENT_SECRET: APP_REGISTRATION.clientSecret,
    AZURE_AUTHORITY_HOST: idp.url,
    AZURE_DISABLE_INSTANCE_DISCOVERY: 'true',
    NODE_EXTRA_CA_CERTS: idp.caFile,
    AUTH_AUDIENCE: idp.apiAudience,
  };
}
