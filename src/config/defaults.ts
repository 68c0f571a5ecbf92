/**
 * The value each setting takes when its variable is unset, stated once. The README's configuration table shows
 * the same values to operators.
 */
import { DEFAULT_PERMISSIONS } from '../auth/principal';
import { GRAPH_CLIENT_DEFAULTS } from '../graph/options';

export { DEFAULT_LIMITS } from '../auth/settings';

export const SERVER_DEFAULTS = {
  nodeEnv: 'development',
  /** Outside production the subgraph answers this machine only; in a container it must answer the pod network. */
  host: 'localhost',
  productionHost: '0.0.0.0',
  port: 4000,
  logLevel: 'info',
  executor: 'jit',
  maxBodyBytes: 256 * 1024,
  shutdownGraceMs: 10_000,
  shutdownDelayMs: 0,
  /** Any free port: the embedded emulator is reached through the URL it reports, never a fixed port. */
  emulatorPort: 0,
  serviceName: 'esim-pools-subgraph',
  /** How long an idempotency key is kept after its first use: a day. */
  idempotencyTtlS: 86_400,
} as const;

/**
 * The Graph client's settings: the client's own defaults (src/graph/options.ts), so that an unset variable and no
 * setting at all mean the same, plus the cloud.
 */
export const GRAPH_DEFAULTS = {
  cloud: 'global',
  timeoutMs: GRAPH_CLIENT_DEFAULTS.timeoutMs,
  /** One token acquisition's longest wait (never longer than the call's deadline). */
  tokenTimeoutMs: 10_000,
  maxRetries: GRAPH_CLIENT_DEFAULTS.retry.maxRetries,
  maxConnections: GRAPH_CLIENT_DEFAULTS.maxConnections,
  connectTimeoutMs: GRAPH_CLIENT_DEFAULTS.connectTimeoutMs,
  bulkhead: GRAPH_CLIENT_DEFAULTS.bulkhead,
  writeBudget: GRAPH_CLIENT_DEFAULTS.writeBudget,
  /** Intune: 1000 requests of any kind per 20 s per app per tenant (the writes' window). */
  readLimit: 1000,
} as const;

export const FEDERATION_DEFAULTS = {
  /** Seconds a gateway may reuse a read (docs/federation.md, "Cache hints": why 30). */
  cacheMaxAgeS: 30,
  /** How long a write waits for the router's answer to its invalidation before answering anyway. */
  invalidationTimeoutMs: 2000,
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

/** Target checks and bulk edits (docs/edits.md). */
export const EDIT_DEFAULTS = {
  targetChecks: 'strict',
  /** How long a group's or filter's existence is remembered for `targetState` (writes always read afresh). */
  targetCheckCacheSeconds: 30,
  /** How long a bulk edit keeps retrying a pool that was throttled, from the start of the edit. */
  bulkTimeoutMs: 60_000,
} as const;
