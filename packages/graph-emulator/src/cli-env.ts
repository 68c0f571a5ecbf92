/** The EMULATOR_* variables (README.md's table), one zod schema for the standalone CLI and the emulator `npm start`
 * embeds; values are trimmed and an empty one counts as unset. Side-effect free. */
import { z } from 'zod';
import { FaultConfigError, parseFaultConfig } from './faults';
import { parseQuirks } from './quirks';
import type { StartEmulatorOptions, TargetAccess } from './types';
import { DEFAULT_WRITE_WINDOW_SECONDS, parseWriteLimit } from './write-window';

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

/** What a check returns when the value is wrong: the variable's message. */
class Problem {
  constructor(readonly message: string) {}
}
const problem = (message: string) => new Problem(message);

/** A string transformed by `check`, which returns the value or a Problem. */
const text = <T>(check: (text: string) => T | Problem) =>
  z.string().transform((value, ctx): T => {
    const result = check(value);
    if (!(result instanceof Problem)) return result;
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: result.message });
    return z.NEVER;
  });

const integer = (min: number, max: number) =>
  text((value) => {
    const n = Number(value);
    if (!/^[+-]?[0-9]+$/.test(value)) return problem(`must be an integer, got '${value}'`);
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : problem(`must be between ${min} and ${max}, got '${value}'`);
  });

/** JSON validated by `parse`; its SyntaxError, FaultConfigError or RangeError becomes the variable's message. */
const json = <T>(parse: (value: unknown) => T) =>
  text((value) => {
    try {
      return parse(JSON.parse(value));
    } catch (err) {
      if (err instanceof SyntaxError) return problem(`is not valid JSON (${err.message})`);
      if (err instanceof FaultConfigError || err instanceof RangeError) return problem(err.message);
      throw err;
    }
  });

const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = { true: true, 1: true, yes: true, false: false, 0: false, no: false };

const envSchema = z
  .object({
    EMULATOR_PORT: integer(0, 65535).default(String(DEFAULT_CLI_PORT)),
    EMULATOR_HOST: text((host) => (/\s|\//.test(host) ? problem(`must be a host name or IP address, got '${host}'`) : host)).default('127.0.0.1'),
    EMULATOR_LATENCY_MS: text((ms) => {
      if (!/^[0-9]+(\.[0-9]+)?$/.test(ms)) return problem(`must be a non-negative number of milliseconds, got '${ms}'`);
      return Number(ms) > 600_000 ? problem(`must be at most 600000, got '${ms}'`) : Number(ms);
    }).default('0'),
    EMULATOR_FAULTS: json((v) => parseFaultConfig(v, 'EMULATOR_FAULTS')).optional(),
    EMULATOR_SEED: integer(-0x80000000, 0xffffffff).optional(),
    EMULATOR_REQUIRE_AUTH: text((word) => BOOLEAN_WORDS[word.toLowerCase()] ?? problem(`must be true or false, got '${word}'`)).default('true'),
    EMULATOR_MAX_RECORDED: integer(0, 1e9).default(String(DEFAULT_CLI_MAX_RECORDED)),
    EMULATOR_EXTRA_POOLS: integer(0, 100_000).optional(),
    EMULATOR_WRITE_LIMIT: text((limit) => {
      const m = /^([0-9]+)(?:\/([0-9]+(?:\.[0-9]+)?))?$/.exec(limit);
      if (m === null) return problem(`must be N (writes per ${DEFAULT_WRITE_WINDOW_SECONDS} s) or N/S (N writes per S seconds), got '${limit}'`);
      try {
        return parseWriteLimit({ limit: Number(m[1]), windowSeconds: m[2] === undefined ? DEFAULT_WRITE_WINDOW_SECONDS : Number(m[2]) });
      } catch (err) {
        return problem(err instanceof Error ? err.message : String(err));
      }
    }).optional(),
    EMULATOR_WRITE_REPLY: z.enum(['entity', 'noContent'], { errorMap: (_issue, ctx) => ({ message: `must be entity or noContent, got '${String(ctx.data)}'` }) }).optional(),
    EMULATOR_QUIRKS: json((v) => parseQuirks(v, 'EMULATOR_QUIRKS')).optional(),
    EMULATOR_FORBIDDEN: text((list) => {
      const access: TargetAccess = { groups: 'allowed', filters: 'allowed' };
      for (const item of list.split(',').map((i) => i.trim())) {
        if (item !== 'groups' && item !== 'filters') return problem(`must list groups and/or filters (comma-separated), got '${list}'`);
        access[item] = 'forbidden';
      }
      return access;
    }).optional(),
  })
  .transform((e) => ({
    port: e.EMULATOR_PORT,
    host: e.EMULATOR_HOST,
    latencyMs: e.EMULATOR_LATENCY_MS,
    faults: e.EMULATOR_FAULTS,
    seed: e.EMULATOR_SEED,
    requireAuth: e.EMULATOR_REQUIRE_AUTH,
    maxRecordedRequests: e.EMULATOR_MAX_RECORDED,
    extraPools: e.EMULATOR_EXTRA_POOLS,
    writeLimit: e.EMULATOR_WRITE_LIMIT,
    writeReply: e.EMULATOR_WRITE_REPLY,
    quirks: e.EMULATOR_QUIRKS,
    targetAccess: e.EMULATOR_FORBIDDEN,
  }));

export type EmulatorCliConfig = z.output<typeof envSchema>;

/** Parses and validates the EMULATOR_* variables (unset optional ones stay undefined). Throws EnvError naming the first bad variable. */
export function parseEmulatorEnv(env: Env): EmulatorCliConfig {
  const input: Record<string, string> = {};
  for (const name of Object.keys(envSchema.innerType().shape)) {
    const value = env[name]?.trim();
    if (value) input[name] = value;
  }
  const parsed = envSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const [first] = parsed.error.issues;
  throw new EnvError(String(first.path[0]), first.message);
}

/** The embedded emulator's options: the CLI's, but on `port` (the service's configuration) and on loopback only. Throws EnvError. */
export function embeddedEmulatorOptions(env: Env, port: number): StartEmulatorOptions {
  const cfg = parseEmulatorEnv({ ...env, EMULATOR_PORT: undefined, EMULATOR_HOST: undefined });
  return { ...toStartOptions(cfg), port, host: '127.0.0.1' };
}

/** The CLI configuration as startGraphEmulator options: EMULATOR_SEED becomes the default fault seed. */
export function toStartOptions({ seed, maxRecordedRequests, ...rest }: EmulatorCliConfig): StartEmulatorOptions {
  return { ...rest, seed: true, faultSeed: seed, maxRecordedRequests: maxRecordedRequests === 0 ? Number.POSITIVE_INFINITY : maxRecordedRequests };
}
