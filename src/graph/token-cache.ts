import type { AccessToken, TokenCredential } from '@azure/core-auth';

/**
 * Keeps the last access token of a credential until shortly before it expires, and shares one in-flight
 * request among concurrent callers, so the hot path does not go through the credential (and MSAL's cache
 * lookup) on every Graph call. @azure/identity still owns acquisition and its own cache.
 */
export class CachedToken {
  private token?: AccessToken;
  private pending?: Promise<AccessToken>;
  private failed = false;

  constructor(
    private readonly credential: TokenCredential,
    private readonly scope: string,
    /** Refresh this long before expiry (default 5 minutes, like the Azure SDK's bearer policy). */
    private readonly refreshBeforeMs = 5 * 60_000,
    /** Called after each token the credential handed out (for metrics). */
    private readonly onAcquired?: () => void,
  ) {}

  /** False while the last acquisition failed. */
  get healthy(): boolean {
    return !this.failed;
  }

  /** A valid token: the cached one, or a new one from the credential. */
  get(signal?: AbortSignal): Promise<AccessToken> | AccessToken {
    const token = this.token;
    if (token && token.expiresOnTimestamp - this.refreshBeforeMs > Date.now()) return token;
    this.pending ??= this.acquire(signal);
    return this.pending;
  }

  private async acquire(signal?: AbortSignal): Promise<AccessToken> {
    try {
      const token = await this.credential.getToken(this.scope, { abortSignal: signal });
      if (!token) throw new Error('The credential returned no token.');
      this.token = token;
      this.failed = false;
      this.onAcquired?.();
      return token;
    } catch (error) {
      this.failed = true;
      throw error;
    } finally {
      this.pending = undefined;
    }
  }
}
