/**
 * The value each setting takes when its variable is unset, stated once. The README's configuration table shows
 * the same values to operators.
 */
import { DEFAULT_PERMISSIONS } from '../auth/principal';

export { DEFAULT_LIMITS } from '../auth/settings';

export const SERVER_DEFAULTS = {
  nodeEnv: 'development',
  /** Outside production the subgraph answers this machine only; in a container it must answer the pod network. */
  host: 'localhost',
  productionHost: '0.0.0.0',
  port: 4000,
  logLevel: 'info',
  maxBodyBytes: 256 * 1024,
  shutdownGraceMs: 10_000,
  shutdownDelayMs: 0,
  /** Any free port: the embedded emulator is reached through the URL it reports, never a fixed port. */
  emulatorPort: 0,
  serviceName: 'esim-pools-subgraph',
} as const;

/**
 * The Graph client's settings. These restate the client's own defaults (src/graph) so that the configuration
 * shows every value it hands over; the two must stay equal.
 */
export const GRAPH_DEFAULTS = {
  cloud: 'global',
  timeoutMs: 30_000,
  maxRetries: 3,
  maxConnections: 32,
  connectTimeoutMs: 10_000,
  bulkhead: { maxConcurrent: 64, maxQueue: 256, maxWaitMs: 5_000 },
  /** Intune allows 100 writes per 20 s per app per tenant. */
  writeBudget: { limit: 100, windowSeconds: 20, maxWaitMs: 2_000 },
} as const;

export const AUTH_DEFAULTS = {
  jwksCooldownSeconds: 30,
  jwksRefreshSeconds: 3600,
  /** Entra ID's tokens and this host's clock may disagree by this much. */
  clockToleranceSeconds: 60,
  verifiedCacheSize: 10_000,
  oboCacheSize: 1000,
  permissions: DEFAULT_PERMISSIONS,
} as const;
