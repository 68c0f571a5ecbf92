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
import { z } from 'zod';
import { type FaultConfig, FaultConfigError, parseFaultConfig } from './faults';
import type { WriteReplyMode } from './pools';
import { type QuirksConfig, parseQuirks } from './quirks';
import type { StartEmulatorOptions, TargetAccess } from './types';
import { DEFAULT_WRITE_WINDOW_SECONDS, type WriteLimit, parseWriteLimit } from './write-window';

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

type Env = Readonly<Record<string, string | undefined>>;

export class EnvError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'EnvError';
  }
}

/** Reports `message` as the variable's problem; the value returned is never used. */
function fail(ctx: z.RefinementCtx, message: string): typeof z.NEVER {
  ctx.addIssue({ code: z.ZodIssueCode.custom, message });
  return z.NEVER;
}

const integer = (min: number, max: number) =>
  z.string().transform((text, ctx) => {
    if (!/^[+-]?[0-9]+$/.test(text)) return fail(ctx, `must be an integer, got '${text}'`);
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < min || n > max) return fail(ctx, `must be between ${min} and ${max}, got '${text}'`);
    return n;
  });

/** JSON validated by `parse`; its FaultConfigError or RangeError becomes the variable's message. */
const json = <T>(parse: (value: unknown) => T) =>
  z.string().transform((text, ctx) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return fail(ctx, `is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    try {
      return parse(value);
    } catch (err) {
      if (err instanceof FaultConfigError || err instanceof RangeError) return fail(ctx, err.message);
      throw err;
    }
  });

const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = { true: true, 1: true, yes: true, false: false, 0: false, no: false };

/** The EMULATOR_* variables listed above (values trimmed, empty ones unset). */
const envSchema = z.object({
  EMULATOR_PORT: integer(0, 65535).optional(),
  EMULATOR_HOST: z
    .string()
    .transform((host, ctx) => (/\s|\//.test(host) ? fail(ctx, `must be a host name or IP address, got '${host}'`) : host))
    .optional(),
  EMULATOR_LATENCY_MS: z
    .string()
    .transform((text, ctx) => {
      if (!/^[0-9]+(\.[0-9]+)?$/.test(text)) return fail(ctx, `must be a non-negative number of milliseconds, got '${text}'`);
      return Number(text) > 600_000 ? fail(ctx, `must be at most 600000, got '${text}'`) : Number(text);
    })
    .optional(),
  EMULATOR_FAULTS: json((v) => parseFaultConfig(v, 'EMULATOR_FAULTS')).optional(),
  EMULATOR_SEED: integer(-0x80000000, 0xffffffff).optional(),
  EMULATOR_REQUIRE_AUTH: z
    .string()
    .transform((text, ctx) => BOOLEAN_WORDS[text.toLowerCase()] ?? fail(ctx, `must be true or false, got '${text}'`))
    .optional(),
  EMULATOR_MAX_RECORDED: integer(0, 1e9).optional(),
  EMULATOR_EXTRA_POOLS: integer(0, 100_000).optional(),
  EMULATOR_WRITE_LIMIT: z
    .string()
    .transform((text, ctx) => {
      const m = /^([0-9]+)(?:\/([0-9]+(?:\.[0-9]+)?))?$/.exec(text);
      if (m === null) return fail(ctx, `must be N (writes per ${DEFAULT_WRITE_WINDOW_SECONDS} s) or N/S (N writes per S seconds), got '${text}'`);
      try {
        return parseWriteLimit({ limit: Number(m[1]), windowSeconds: m[2] === undefined ? DEFAULT_WRITE_WINDOW_SECONDS : Number(m[2]) });
      } catch (err) {
        return fail(ctx, err instanceof Error ? err.message : String(err));
      }
    })
    .optional(),
  EMULATOR_WRITE_REPLY: z.enum(['entity', 'noContent'], { errorMap: (_issue, ctx) => ({ message: `must be entity or noContent, got '${String(ctx.data)}'` }) }).optional(),
  EMULATOR_QUIRKS: json((v) => parseQuirks(v, 'EMULATOR_QUIRKS')).optional(),
  EMULATOR_FORBIDDEN: z
    .string()
    .transform((text, ctx) => {
      const access: TargetAccess = { groups: 'allowed', filters: 'allowed' };
      for (const item of text.split(',').map((i) => i.trim())) {
        if (item !== 'groups' && item !== 'filters') return fail(ctx, `must list groups and/or filters (comma-separated), got '${text}'`);
        access[item] = 'forbidden';
      }
      return access;
    })
    .optional(),
});

/** Parses and validates the EMULATOR_* variables. Throws EnvError naming the first bad variable. */
export function parseEmulatorEnv(env: Env): EmulatorCliConfig {
  const input: Record<string, string> = {};
  for (const name of Object.keys(envSchema.shape)) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') input[name] = value;
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    const [first] = parsed.error.issues;
    throw new EnvError(String(first.path[0]), first.message);
  }
  const e = parsed.data;
  const cfg: EmulatorCliConfig = {
    port: e.EMULATOR_PORT ?? DEFAULT_CLI_PORT,
    host: e.EMULATOR_HOST ?? '127.0.0.1',
    latencyMs: e.EMULATOR_LATENCY_MS ?? 0,
    requireAuth: e.EMULATOR_REQUIRE_AUTH ?? true,
    maxRecordedRequests: e.EMULATOR_MAX_RECORDED ?? DEFAULT_CLI_MAX_RECORDED,
  };
  if (e.EMULATOR_FAULTS !== undefined) cfg.faults = e.EMULATOR_FAULTS;
  if (e.EMULATOR_SEED !== undefined) cfg.seed = e.EMULATOR_SEED;
  if (e.EMULATOR_EXTRA_POOLS !== undefined) cfg.extraPools = e.EMULATOR_EXTRA_POOLS;
  if (e.EMULATOR_WRITE_LIMIT !== undefined) cfg.writeLimit = e.EMULATOR_WRITE_LIMIT;
  if (e.EMULATOR_WRITE_REPLY !== undefined) cfg.writeReply = e.EMULATOR_WRITE_REPLY;
  if (e.EMULATOR_QUIRKS !== undefined) cfg.quirks = e.EMULATOR_QUIRKS;
  if (e.EMULATOR_FORBIDDEN !== undefined) cfg.targetAccess = e.EMULATOR_FORBIDDEN;
  return cfg;
}

/**
 * Options for the emulator the service embeds in emulator mode: every EMULATOR_* variable as the CLI
 * reads it, except where it listens: `port` comes from the service's configuration (which reads
 * EMULATOR_PORT itself) and the host is always loopback (only this process talks to it).
 * Throws EnvError naming the variable.
 */
export function embeddedEmulatorOptions(env: Env, port: number): StartEmulatorOptions {
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
