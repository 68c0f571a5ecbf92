/** GRAPH_AUTH_MODE=app's credential from the standard Azure variables, as a factory (docs/identity.md). */
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

/** Which credential the settings choose, and a factory of new instances of it. */
export function appCredentialFactory(s: AppCredentialSettings): { create: () => TokenCredential; kind: string } {
  const common = { authorityHost: s.authorityHost, disableInstanceDiscovery: s.disableInstanceDiscovery };
  const { tenantId, clientId } = s;
  if (tenantId && clientId && s.clientSecret) {
    const secret = s.clientSecret;
    return { kind: 'client secret', create: () => new ClientSecretCredential(tenantId, clientId, secret, common) };
  }
  if (tenantId && clientId && s.clientCertificatePath) {
    const certificate = { certificatePath: s.clientCertificatePath, certificatePassword: s.clientCertificatePassword };
    return { kind: 'client certificate', create: () => new ClientCertificateCredential(tenantId, clientId, certificate, common) };
  }
  if (s.federatedTokenFile && tenantId && clientId) {
    const tokenFilePath = s.federatedTokenFile;
    return { kind: 'workload identity', create: () => new WorkloadIdentityCredential({ ...common, tenantId, clientId, tokenFilePath }) };
  }
  if (clientId) return { kind: 'managed identity (user-assigned)', create: () => new ManagedIdentityCredential({ clientId }) };
  return { kind: 'managed identity (system-assigned)', create: () => new ManagedIdentityCredential() };
}

/** GRAPH_AUTH_MODE=emulator's credential: a fixed, clearly fake token; never used against Microsoft Graph. */
export class EmulatorCredential implements TokenCredential {
  async getToken(): Promise<AccessToken> {
    return { token: 'emulator-token', expiresOnTimestamp: Date.now() + 24 * 3600_000 };
  }
}
