/** The shared coordination store's settings, as src/config parses them from REDIS_*. */
export interface RedisSettings {
  host: string;
  port: number;
  /** `rediss://`: TLS, with the host name checked against the certificate. */
  tls: boolean;
  username?: string;
  password?: string;
  db: number;
  /** The URL for logs and health: the password replaced by `***`. */
  displayUrl: string;
  /** Prepended to every key: `<REDIS_KEY_PREFIX>:<tenant id>:<client id>:` (Intune counts per app per tenant). */
  keyPrefix: string;
  /** How long a pool lock lives without being renewed: a dead holder's lock is free again after this. */
  lockTtlMs: number;
  /** Longest wait for any one Redis reply; past it the call fails with `unavailable` (or reads go local). */
  commandTimeoutMs: number;
}

export interface CoordinationSettings {
  /** Undefined: REDIS_URL is unset and coordination is in process (one replica). */
  redis?: RedisSettings;
}
