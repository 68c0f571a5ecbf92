/**
 * Environment parsing for the emulator: the standalone one (cli.ts) and the one `npm start` embeds
 * in emulator mode (embeddedEmulatorOptions), so both honour the same variables the same way. Kept
 * separate and side-effect free so it can be unit-tested.
 *
 *   EMULATOR_PORT          0..65535 (default 4001)
 *   EMULATOR_HOST          interface to bind (default 127.0.0.1)
 *   EMULATOR_LATENCY_MS    fixed added latency per request, ms (default 0)
 *   EMULATOR_FAULTS        FaultConfig as JSON (or "null")
 *   EMULATOR_SEED          integer PRNG seed for fault configs that do not set their own `seed`
 *   EMULATOR_REQUIRE_AUTH  true|false|1|0 (default true)
 *   EMULATOR_MAX_RECORDED  request-log cap, positive integer, or 0 = unlimited (default 10000)
 *   EMULATOR_EXTRA_POOLS   generated pools besides the sample tenant, 0..100000 (default 0; for load tests)
 *   EMULATOR_WRITE_LIMIT   tenant-wide write window: N (per 20 s) or N/S (N per S seconds); default off
 *   EMULATOR_WRITE_REPLY   entity|noContent: how create/update answer (default entity)
 *   EMULATOR_QUIRKS        QuirksConfig as JSON (odd data: reply rules, skiptoken style), or "null"
 *   EMULATOR_FORBIDDEN     directory reads that answer 403: `groups`, `filters` or `groups,filters` (default none)
 *
 * An empty value counts as unset.
 */
import { FaultConfig, FaultConfigError, parseFaultConfig } from './faults';
import type { WriteReplyMode } from './pools';
import { QuirksConfig, parseQuirks } from './quirks';
import type { StartEmulatorOptions, TargetAccess } from './types';
import { DEFAULT_WRITE_WINDOW_SECONDS, WriteLimit, parseWriteLimit } from './write-window';

export interface EmulatorCliConfig {
  port: number;
  host: string;
  latencyMs: number;
  faults?: FaultConfig;
  seed?: number;
  requireAuth: boolean;
  /** 0 = unlimited. */
  maxRecordedRequests: number;
  /** Generated pools besides the sample tenant (unset: none). */
  extraPools?: number;
  writeLimit?: WriteLimit;
  writeReply?: WriteReplyMode;
  quirks?: QuirksConfig;
  targetAccess?: TargetAccess;
}

export const DEFAULT_CLI_PORT = 4001;
export const DEFAULT_CLI_MAX_RECORDED = 10_000;

export class EnvError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'EnvError';
  }
}

function get(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t.length === 0 ? undefined : t;
}

function integer(name: string, text: string, min: number, max: number): number {
  if (!/^[+-]?[0-9]+$/.test(text)) throw new EnvError(name, `must be an integer, got '${text}'`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new EnvError(name, `must be between ${min} and ${max}, got '${text}'`);
  return n;
}

/** A JSON-valued variable: parsed, then validated by `parse` (its FaultConfigError/RangeError → EnvError naming the variable). */
function jsonSetting<T>(name: string, text: string, parse: (value: unknown) => T): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new EnvError(name, `is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  try {
    return parse(value);
  } catch (err) {
    if (err instanceof FaultConfigError || err instanceof RangeError) throw new EnvError(name, err.message);
    throw err;
  }
}

/** Parses and validates the EMULATOR_* variables. Throws EnvError naming the variable. */
export function parseEmulatorEnv(env: Readonly<Record<string, string | undefined>>): EmulatorCliConfig {
  const cfg: EmulatorCliConfig = {
    port: DEFAULT_CLI_PORT,
    host: '127.0.0.1',
    latencyMs: 0,
    requireAuth: true,
    maxRecordedRequests: DEFAULT_CLI_MAX_RECORDED,
  };

  const port = get(env, 'EMULATOR_PORT');
  if (port !== undefined) cfg.port = integer('EMULATOR_PORT', port, 0, 65535);

  const host = get(env, 'EMULATOR_HOST');
  if (host !== undefined) {
    if (/\s|\//.test(host)) throw new EnvError('EMULATOR_HOST', `must be a host name or IP address, got '${host}'`);
    cfg.host = host;
  }

  const latency = get(env, 'EMULATOR_LATENCY_MS');
  if (latency !== undefined) {
    if (!/^[0-9]+(\.[0-9]+)?$/.test(latency)) throw new EnvError('EMULATOR_LATENCY_MS', `must be a non-negative number of milliseconds, got '${latency}'`);
    const ms = Number(latency);
    if (ms > 600_000) throw new EnvError('EMULATOR_LATENCY_MS', `must be at most 600000, got '${latency}'`);
    cfg.latencyMs = ms;
  }

  const faults = get(env, 'EMULATOR_FAULTS');
  if (faults !== undefined) {
    const fc = jsonSetting('EMULATOR_FAULTS', faults, (v) => parseFaultConfig(v, 'EMULATOR_FAULTS'));
    if (fc !== undefined) cfg.faults = fc;
  }

  const seed = get(env, 'EMULATOR_SEED');
  if (seed !== undefined) cfg.seed = integer('EMULATOR_SEED', seed, -0x80000000, 0xffffffff);

  const auth = get(env, 'EMULATOR_REQUIRE_AUTH');
  if (auth !== undefined) {
    const a = auth.toLowerCase();
    if (a === 'true' || a === '1' || a === 'yes') cfg.requireAuth = true;
    else if (a === 'false' || a === '0' || a === 'no') cfg.requireAuth = false;
    else throw new EnvError('EMULATOR_REQUIRE_AUTH', `must be true or false, got '${auth}'`);
  }

  const max = get(env, 'EMULATOR_MAX_RECORDED');
  if (max !== undefined) cfg.maxRecordedRequests = integer('EMULATOR_MAX_RECORDED', max, 0, 1e9);

  const extra = get(env, 'EMULATOR_EXTRA_POOLS');
  if (extra !== undefined) cfg.extraPools = integer('EMULATOR_EXTRA_POOLS', extra, 0, 100_000);

  const writeLimit = get(env, 'EMULATOR_WRITE_LIMIT');
  if (writeLimit !== undefined) {
    const m = /^([0-9]+)(?:\/([0-9]+(?:\.[0-9]+)?))?$/.exec(writeLimit);
    if (m === null) throw new EnvError('EMULATOR_WRITE_LIMIT', `must be N (writes per ${DEFAULT_WRITE_WINDOW_SECONDS} s) or N/S (N writes per S seconds), got '${writeLimit}'`);
    try {
      cfg.writeLimit = parseWriteLimit({ limit: Number(m[1]), windowSeconds: m[2] === undefined ? DEFAULT_WRITE_WINDOW_SECONDS : Number(m[2]) });
    } catch (err) {
      throw new EnvError('EMULATOR_WRITE_LIMIT', err instanceof Error ? err.message : String(err));
    }
  }

  const writeReply = get(env, 'EMULATOR_WRITE_REPLY');
  if (writeReply !== undefined) {
    if (writeReply !== 'entity' && writeReply !== 'noContent') throw new EnvError('EMULATOR_WRITE_REPLY', `must be entity or noContent, got '${writeReply}'`);
    cfg.writeReply = writeReply;
  }

  const quirks = get(env, 'EMULATOR_QUIRKS');
  if (quirks !== undefined) {
    const q = jsonSetting('EMULATOR_QUIRKS', quirks, (v) => parseQuirks(v, 'EMULATOR_QUIRKS'));
    if (q !== undefined) cfg.quirks = q;
  }

  const forbidden = get(env, 'EMULATOR_FORBIDDEN');
  if (forbidden !== undefined) {
    const access: TargetAccess = { groups: 'allowed', filters: 'allowed' };
    for (const item of forbidden.split(',').map((i) => i.trim())) {
      if (item !== 'groups' && item !== 'filters') throw new EnvError('EMULATOR_FORBIDDEN', `must list groups and/or filters (comma-separated), got '${forbidden}'`);
      access[item] = 'forbidden';
    }
    cfg.targetAccess = access;
  }

  return cfg;
}

/**
 * Options for the emulator the service embeds in emulator mode: every EMULATOR_* variable as the CLI
 * reads it, except where it listens: `port` comes from the service's configuration (which reads
 * EMULATOR_PORT itself) and the host is always loopback (only this process talks to it).
 * Throws EnvError naming the variable.
 */
export function embeddedEmulatorOptions(env: Readonly<Record<string, string | undefined>>, port: number): StartEmulatorOptions {
  const cfg = parseEmulatorEnv({ ...env, EMULATOR_PORT: undefined, EMULATOR_HOST: undefined });
  return { ...toStartOptions(cfg), port, host: '127.0.0.1' };
}

/** Maps the CLI configuration onto startGraphEmulator options. EMULATOR_SEED becomes the default fault seed. */
export function toStartOptions(cfg: EmulatorCliConfig): StartEmulatorOptions {
  const opts: StartEmulatorOptions = {
    port: cfg.port,
    host: cfg.host,
    latencyMs: cfg.latencyMs,
    requireAuth: cfg.requireAuth,
    seed: true,
    maxRecordedRequests: cfg.maxRecordedRequests === 0 ? Number.POSITIVE_INFINITY : cfg.maxRecordedRequests,
  };
  if (cfg.extraPools !== undefined) opts.extraPools = cfg.extraPools;
  if (cfg.faults !== undefined) opts.faults = cfg.faults;
  if (cfg.seed !== undefined) opts.faultSeed = cfg.seed;
  if (cfg.writeLimit !== undefined) opts.writeLimit = cfg.writeLimit;
  if (cfg.writeReply !== undefined) opts.writeReply = cfg.writeReply;
  if (cfg.quirks !== undefined) opts.quirks = cfg.quirks;
  if (cfg.targetAccess !== undefined) opts.targetAccess = cfg.targetAccess;
  return opts;
}
