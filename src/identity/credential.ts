/**
 * The credential the subgraph uses to call Graph with the application's own rights (GRAPH_AUTH_MODE=app),
 * chosen from the standard Azure variables like @azure/identity's EnvironmentCredential, plus workload identity
 * and managed identity. One instance per process: its MSAL cache is the token cache.
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
} from '@azure/identity';

export interface AppCredentialSettings {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  clientCertificatePath?: string;
  clientCertificatePassword?: string;
  federatedTokenFile?: string;
  authorityHost: string;
  disableInstanceDiscovery: boolean;
}

export function createAppCredential(s: AppCredentialSettings): { credential: TokenCredential; kind: string } {
  const common = { authorityHost: s.authorityHost, disableInstanceDiscovery: s.disableInstanceDiscovery };
  if (s.tenantId && s.clientId && s.clientSecret) {
    return { credential: new ClientSecretCredential(s.tenantId, s.clientId, s.clientSecret, common), kind: 'client secret' };
  }
  if (s.tenantId && s.clientId && s.clientCertificatePath) {
    return {
      credential: new ClientCertificateCredential(
        s.tenantId,
        s.clientId,
        { certificatePath: s.clientCertificatePath, certificatePassword: s.clientCertificatePassword },
        common,
      ),
      kind: 'client certificate',
    };
  }
  if (s.federatedTokenFile && s.tenantId && s.clientId) {
    return {
      credential: new WorkloadIdentityCredential({ ...common, tenantId: s.tenantId, clientId: s.clientId, tokenFilePath: s.federatedTokenFile }),
      kind: 'workload identity',
    };
  }
  return {
    credential: s.clientId ? new ManagedIdentityCredential({ clientId: s.clientId }) : new ManagedIdentityCredential(),
    kind: s.clientId ? 'managed identity (user-assigned)' : 'managed identity (system-assigned)',
  };
}

/**
 * The credential of GRAPH_AUTH_MODE=emulator: the embedded Graph emulator accepts any bearer token, so this
 * hands out a fixed, clearly fake one. Never used against Microsoft Graph.
 */
export class EmulatorCredential implements TokenCredential {
  async getToken(): Promise<AccessToken> {
    return { token: 'emulator-token', expiresOnTimestamp: Date.now() + 24 * 3600_000 };
  }
}
