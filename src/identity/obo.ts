/** GRAPH_AUTH_MODE=obo: a Graph client per caller's assertion (bounded LRU), failures classified (docs/identity.md). */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { OnBehalfOfCredential, type TokenCredentialOptions } from '@azure/identity';
import type { EsimPoolsApi } from '../graph/api';
import type { CredentialClient } from '../graph/client';
import { GraphError } from '../graph/errors';
import type { Logger } from '../observability/logger';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../auth/principal';
import type { AppCredentialSettings } from './credential';

/** The app's own settings (a client secret, or a PEM file with the certificate and its unencrypted key), and: */
type OboSettings = Omit<AppCredentialSettings, 'clientCertificatePassword' | 'federatedTokenFile'> & {
  tenantId: string;
  clientId: string;
  /** Most users' clients kept at once. */
  cacheSize: number;
  /** Extra CA (PEM) trusted for the token endpoint (a private authority, tests); default the system store. */
  tlsCa?: string;
};

/** What the base Graph client must offer: a client sharing its connections, with another credential. */
export type CredentialScopedApi = Pick<CredentialClient, 'withCredential'>;

/** Why an on-behalf-of token request failed (`extensions.reason` of the GraphQL error). */
export type OboFailureReason =
  | 'consent_required'
  | 'conditional_access'
  | 'interaction_required'
  | 'invalid_grant'
  | 'configuration'
  | 'identity_provider_unavailable';

const FAILURES: Record<OboFailureReason, { failure: 'unauthenticated' | 'forbidden' | 'unavailable'; message: string }> = {
  consent_required: {
    failure: 'forbidden',
    message:
      'Microsoft Graph cannot be called on your behalf: consent to the subgraph’s delegated Graph permission is missing (ask an administrator to grant admin consent).',
  },
  conditional_access: {
    failure: 'forbidden',
    message: 'A Conditional Access policy blocks calling Microsoft Graph on your behalf from here.',
  },
  interaction_required: {
    failure: 'unauthenticated',
    message: 'Sign in again: a Conditional Access policy (for example multi-factor authentication) needs an interactive sign-in before Microsoft Graph can be called on your behalf.',
  },
  invalid_grant: {
    failure: 'unauthenticated',
    message: 'Your sign-in can no longer be used to call Microsoft Graph on your behalf (expired or revoked): sign in again.',
  },
  configuration: {
    failure: 'unavailable',
    message: 'The identity provider refused the subgraph’s own credentials, so Microsoft Graph cannot be called; the operators must fix the configuration.',
  },
  identity_provider_unavailable: {
    failure: 'unavailable',
    message: 'The identity provider did not issue a token for Microsoft Graph on your behalf (unreachable or failing); retry later.',
  },
};

const CONSENT = new Set(['65001', '65004', '65005']);
const CONDITIONAL_ACCESS_BLOCK = new Set(['53000', '53001', '53002', '53003', '530003']);
const INTERACTION = new Set(['50076', '50079', '50158', '50072', '50074']);

/** Classifies an @azure/identity / MSAL error by its MSAL code (`invalid_grant: …`) and AADSTS code. */
export function classifyOboError(error: unknown): { reason: OboFailureReason; msalCode?: string; aadsts?: string } {
  const text = error instanceof Error ? error.message : '';
  const msalCode = /^([a-z_]+):/.exec(text)?.[1];
  const aadsts = /AADSTS(\d+)/.exec(text)?.[1];
  let reason: OboFailureReason;
  if ((aadsts !== undefined && CONSENT.has(aadsts)) || msalCode === 'consent_required') reason = 'consent_required';
  else if (aadsts !== undefined && CONDITIONAL_ACCESS_BLOCK.has(aadsts)) reason = 'conditional_access';
  else if (msalCode === 'interaction_required' || (aadsts !== undefined && INTERACTION.has(aadsts))) reason = 'interaction_required';
  else if (msalCode === 'invalid_grant') reason = 'invalid_grant';
  else if (msalCode === 'invalid_client' || msalCode === 'unauthorized_client') reason = 'configuration';
  else reason = 'identity_provider_unavailable';
  return { reason, msalCode, aadsts };
}

/** `inner` (an OnBehalfOfCredential) whose failures are classified GraphErrors (the client passes GraphErrors through). */
function classified(inner: TokenCredential, onFailure: (details: ReturnType<typeof classifyOboError>) => void): TokenCredential {
  return {
    async getToken(scopes, options) {
      try {
        return await inner.getToken(scopes, options);
      } catch (error) {
        const details = classifyOboError(error);
        onFailure(details);
        const { failure, message } = FAILURES[details.reason];
        // No `cause`: Entra's message names the app and tenant, and nothing here should ever be logged with it.
        throw new GraphError(message, { kind: 'credential', code: details.reason, credentialFailure: failure });
      }
    },
  };
}

export class OboClients {
  private readonly clients: LRUCache<string, EsimPoolsApi>;

  constructor(
    private readonly base: CredentialScopedApi,
    private readonly settings: OboSettings,
    private readonly logger?: Logger,
  ) {
    if (!settings.clientSecret && !settings.clientCertificatePath) {
      throw new Error('on-behalf-of needs a client secret or a certificate');
    }
    this.clients = new LRUCache<string, EsimPoolsApi>({ max: settings.cacheSize });
  }

  /** The Graph API acting as the caller of `assertion` (its verified token; `hash`: tokenHash()) until it expires. */
  clientFor(principal: Principal, assertion: string, hash: string): EsimPoolsApi {
    const existing = this.clients.get(hash);
    if (existing !== undefined) return existing;
    const { tenantId, clientId, authorityHost, disableInstanceDiscovery, tlsCa, clientSecret, clientCertificatePath } = this.settings;
    const tlsOptions: TokenCredentialOptions['tlsOptions'] = tlsCa === undefined ? undefined : { ca: tlsCa };
    // A factory: after a 401 a new OnBehalfOfCredential, whose MSAL cache cannot hand back the rejected token.
    const base = { tenantId, clientId, userAssertionToken: assertion, authorityHost, disableInstanceDiscovery, tlsOptions };
    const credential = (): TokenCredential =>
      clientSecret
        ? new OnBehalfOfCredential({ ...base, clientSecret })
        : new OnBehalfOfCredential({ ...base, certificatePath: clientCertificatePath ?? '' });
    const oid = principal.oid;
    const onFailure = ({ reason, msalCode, aadsts }: ReturnType<typeof classifyOboError>): void =>
      this.logger?.[reason === 'identity_provider_unavailable' || reason === 'configuration' ? 'error' : 'warn'](
        { oid, reason, msalCode, aadsts: aadsts === undefined ? undefined : `AADSTS${aadsts}` },
        'on-behalf-of token request failed',
      );
    const client = this.base.withCredential(() => classified(credential(), onFailure));
    const ttl = principal.expiresAt * 1000 - Date.now();
    if (ttl > 0) this.clients.set(hash, client, { ttl });
    return client;
  }
}

/** The base client's credential in obo mode: a call without a user fails instead of using the app's rights. */
export class NoUserCredential implements TokenCredential {
  async getToken(): Promise<AccessToken> {
    throw new GraphError('Microsoft Graph is called on behalf of the signed-in user, and this request has none.', {
      kind: 'credential',
      code: 'no_user',
      credentialFailure: 'unauthenticated',
    });
  }
}
