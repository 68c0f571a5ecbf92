/**
 * Fault injection for the Graph emulator, modelled on Microsoft Dev Proxy (random errors, throttling
 * with Retry-After, rate limiting with RateLimit-* headers, latency) plus transport faults (hang,
 * TCP reset, malformed JSON, HTML gateway pages) and a deterministic nth-request script.
 *
 * Every random decision comes from a seeded PRNG (mulberry32), so a run with the same seed and the
 * same request order repeats exactly.
 */
import { isRecord } from './util';

export type ScriptStep = number | 'hang' | 'reset' | 'malformed' | 'html' | 'ok';

export interface FaultConfig {
  /** PRNG seed (mulberry32) so a run repeats exactly. Default: the emulator's default fault seed. */
  seed?: number;
  /** 0..1: random failure with a status drawn from `statuses`. */
  failureRate?: number;
  /** Statuses for `failureRate` (default [500,502,503,504,507]). Integers 400..599. */
  statuses?: number[];
  /** Extra latency per (matching) request, uniformly drawn from [minMs, maxMs]. */
  latency?: { minMs: number; maxMs: number };
  /**
   * 429 with Retry-After. With `rate`, each request outside a throttle window is throttled with that
   * probability; without `rate`, only the first matching request is (one-shot). A request arriving
   * BEFORE the Retry-After of the last throttle elapsed is answered 429 again.
   */
  throttle?: { retryAfterSeconds: number; rate?: number };
  /** Fixed-window counter with RateLimit-Limit/-Remaining/-Reset headers; 429 + Retry-After when exceeded. */
  rateLimit?: { limit: number; windowSeconds: number };
  /** Accept and never answer (until the client gives up or close()). */
  hang?: boolean | { rate: number };
  /** Write headers + part of the body, then reset the TCP connection. */
  reset?: boolean | { rate: number };
  /** 200 with truncated JSON. */
  malformedJson?: boolean | { rate: number };
  /** An HTML gateway error page (text/html), default status 502. */
  htmlError?: boolean | { rate: number; status?: number };
  /** 429/503 without Retry-After. */
  omitRetryAfter?: boolean;
  /** Request k (0-based, counting matching requests) gets script[k]; afterwards the rest of the config applies. */
  script?: ScriptStep[];
  /** Only apply to requests whose decoded path contains this substring. */
  match?: string;
  /** Apply the faults per item inside $batch instead of to the whole $batch HTTP request. */
  batchItems?: boolean;
}

export const DEFAULT_FAILURE_STATUSES: readonly number[] = [500, 502, 503, 504, 507];
export const DEFAULT_FAULT_SEED = 0x5eed1e55;

export class FaultConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultConfigError';
  }
}

/** mulberry32: tiny, fast, good-enough 32-bit PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

const TOP_KEYS = new Set([
  'seed', 'failureRate', 'statuses', 'latency', 'throttle', 'rateLimit', 'hang', 'reset',
  'malformedJson', 'htmlError', 'omitRetryAfter', 'script', 'match', 'batchItems',
]);
const SCRIPT_WORDS = new Set(['hang', 'reset', 'malformed', 'html', 'ok']);

function fail(msg: string): never {
  throw new FaultConfigError(msg);
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) fail(`${where}: unknown property '${k}' (allowed: ${allowed.join(', ')})`);
  }
}

function num(v: unknown, where: string, min: number, max: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${where} must be a finite number`);
  if (integer && !Number.isInteger(v)) fail(`${where} must be an integer`);
  if (v < min || v > max) fail(`${where} must be between ${min} and ${max}`);
  return v;
}

function bool(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') fail(`${where} must be a boolean`);
  return v;
}

function rateOption(v: unknown, where: string): boolean | { rate: number } {
  if (typeof v === 'boolean') return v;
  if (!isRecord(v)) fail(`${where} must be a boolean or { "rate": 0..1 }`);
  checkKeys(v, ['rate'], where);
  return { rate: num(v.rate, `${where}.rate`, 0, 1) };
}

function statusCode(v: unknown, where: string): number {
  return num(v, where, 400, 599, true);
}

/**
 * Validates an untrusted fault configuration (e.g. parsed from JSON). `null`/`undefined` → undefined
 * (no faults). Throws FaultConfigError with a message naming the offending property.
 */
export function parseFaultConfig(input: unknown, where = 'faults'): FaultConfig | undefined {
  if (input === null || input === undefined) return undefined;
  if (!isRecord(input)) fail(`${where} must be a JSON object or null`);
  for (const k of Object.keys(input)) {
    if (!TOP_KEYS.has(k)) fail(`${where}: unknown property '${k}'`);
  }
  const out: FaultConfig = {};
  if (input.seed !== undefined) out.seed = num(input.seed, `${where}.seed`, -0x80000000, 0xffffffff, true);
  if (input.failureRate !== undefined) out.failureRate = num(input.failureRate, `${where}.failureRate`, 0, 1);
  if (input.statuses !== undefined) {
    const s = input.statuses;
    if (!Array.isArray(s) || s.length === 0) fail(`${where}.statuses must be a non-empty array of HTTP statuses`);
    out.statuses = s.map((x: unknown, i) => statusCode(x, `${where}.statuses[${i}]`));
  }
  if (input.latency !== undefined) {
    const l = input.latency;
    if (!isRecord(l)) fail(`${where}.latency must be { "minMs": n, "maxMs": n }`);
    checkKeys(l, ['minMs', 'maxMs'], `${where}.latency`);
    const minMs = num(l.minMs, `${where}.latency.minMs`, 0, 600_000, true);
    const maxMs = num(l.maxMs, `${where}.latency.maxMs`, 0, 600_000, true);
    if (maxMs < minMs) fail(`${where}.latency.maxMs must be >= minMs`);
    out.latency = { minMs, maxMs };
  }
  if (input.throttle !== undefined) {
    const t = input.throttle;
    if (!isRecord(t)) fail(`${where}.throttle must be { "retryAfterSeconds": n, "rate"?: 0..1 }`);
    checkKeys(t, ['retryAfterSeconds', 'rate'], `${where}.throttle`);
    const throttle: { retryAfterSeconds: number; rate?: number } = {
      retryAfterSeconds: num(t.retryAfterSeconds, `${where}.throttle.retryAfterSeconds`, 0, 86_400),
    };
    if (t.rate !== undefined) throttle.rate = num(t.rate, `${where}.throttle.rate`, 0, 1);
    out.throttle = throttle;
  }
  if (input.rateLimit !== undefined) {
    const r = input.rateLimit;
    if (!isRecord(r)) fail(`${where}.rateLimit must be { "limit": n, "windowSeconds": n }`);
    checkKeys(r, ['limit', 'windowSeconds'], `${where}.rateLimit`);
    out.rateLimit = {
      limit: num(r.limit, `${where}.rateLimit.limit`, 0, 1e9, true),
      windowSeconds: num(r.windowSeconds, `${where}.rateLimit.windowSeconds`, 0.001, 86_400),
    };
  }
  if (input.hang !== undefined) out.hang = rateOption(input.hang, `${where}.hang`);
  if (input.reset !== undefined) out.reset = rateOption(input.reset, `${where}.reset`);
  if (input.malformedJson !== undefined) out.malformedJson = rateOption(input.malformedJson, `${where}.malformedJson`);
  if (input.htmlError !== undefined) {
    const h = input.htmlError;
    if (typeof h === 'boolean') out.htmlError = h;
    else {
      if (!isRecord(h)) fail(`${where}.htmlError must be a boolean or { "rate": 0..1, "status"?: n }`);
      checkKeys(h, ['rate', 'status'], `${where}.htmlError`);
      const html: { rate: number; status?: number } = { rate: num(h.rate, `${where}.htmlError.rate`, 0, 1) };
      if (h.status !== undefined) html.status = statusCode(h.status, `${where}.htmlError.status`);
      out.htmlError = html;
    }
  }
  if (input.omitRetryAfter !== undefined) out.omitRetryAfter = bool(input.omitRetryAfter, `${where}.omitRetryAfter`);
  if (input.script !== undefined) {
    const s = input.script;
    if (!Array.isArray(s)) fail(`${where}.script must be an array`);
    out.script = s.map((x: unknown, i): ScriptStep => {
      if (typeof x === 'string') {
        if (x === 'hang' || x === 'reset' || x === 'malformed' || x === 'html' || x === 'ok') return x;
        return fail(`${where}.script[${i}] must be an HTTP status (400..599) or one of ${[...SCRIPT_WORDS].join('|')}`);
      }
      return statusCode(x, `${where}.script[${i}]`);
    });
  }
  if (input.match !== undefined) {
    if (typeof input.match !== 'string' || input.match.length === 0) fail(`${where}.match must be a non-empty string`);
    out.match = input.match;
  }
  if (input.batchItems !== undefined) out.batchItems = bool(input.batchItems, `${where}.batchItems`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Engine
// ---------------------------------------------------------------------------------------------

export type FaultAction =
  | { kind: 'none' }
  /** A Graph JSON error of that status; retryAfter (seconds) → Retry-After header. */
  | { kind: 'status'; status: number; retryAfter?: number }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'malformed' }
  | { kind: 'html'; status: number };

export interface FaultDecision {
  action: FaultAction;
  /** Extra latency before answering. */
  latencyMs: number;
  /** Headers to add to the reply whatever it is (RateLimit-*), lower-case names. */
  headers?: Record<string, string>;
}

const NONE: FaultAction = { kind: 'none' };

function rateOf(v: boolean | { rate: number } | undefined): number {
  if (v === undefined || v === false) return 0;
  if (v === true) return 1;
  return v.rate;
}

function htmlRateOf(h: FaultConfig['htmlError']): number {
  return h === undefined || typeof h === 'boolean' ? rateOf(h) : h.rate;
}

/** True when the config would never change a reply (so the server can skip the engine entirely). */
export function isNoopFaultConfig(c: FaultConfig): boolean {
  return (
    !c.failureRate &&
    c.latency === undefined &&
    c.throttle === undefined &&
    c.rateLimit === undefined &&
    rateOf(c.hang) === 0 &&
    rateOf(c.reset) === 0 &&
    rateOf(c.malformedJson) === 0 &&
    htmlRateOf(c.htmlError) === 0 &&
    (c.script === undefined || c.script.length === 0)
  );
}

/**
 * Stateful fault decider. One instance per configuration: (re)configuring restarts the PRNG, the
 * script position, the throttle window and the rate-limit window.
 *
 * Per matching request, in this order: script step (if any left) → active throttle window (429
 * again) → rate limit exceeded (429) → hang → reset → html → malformed → failureRate → new throttle.
 * The random draws for every configured feature are consumed on every non-scripted request, so the
 * sequence of outcomes depends only on the seed and the order of requests.
 */
export class FaultEngine {
  readonly config: FaultConfig;
  readonly batchItems: boolean;
  private readonly rng: () => number;
  private readonly statuses: readonly number[];
  private readonly hangRate: number;
  private readonly resetRate: number;
  private readonly malformedRate: number;
  private readonly htmlRate: number;
  private readonly htmlStatus: number;
  private count = 0;
  private throttledUntil = 0;
  private throttleFired = false;
  private rlUsed = 0;
  private rlResetAt = 0;

  constructor(config: FaultConfig, defaultSeed: number = DEFAULT_FAULT_SEED) {
    this.config = config;
    this.batchItems = config.batchItems === true;
    this.rng = mulberry32(config.seed ?? defaultSeed);
    this.statuses = config.statuses ?? DEFAULT_FAILURE_STATUSES;
    this.hangRate = rateOf(config.hang);
    this.resetRate = rateOf(config.reset);
    this.malformedRate = rateOf(config.malformedJson);
    const h = config.htmlError;
    this.htmlRate = htmlRateOf(h);
    this.htmlStatus = h !== undefined && typeof h !== 'boolean' && h.status !== undefined ? h.status : 502;
  }

  /** Number of requests this engine has decided on (matching requests only). */
  get decided(): number {
    return this.count;
  }

  /** Decide the fate of one request. undefined → the config does not apply to this path. */
  decide(path: string, now: number): FaultDecision | undefined {
    const c = this.config;
    if (c.match !== undefined && !path.includes(c.match)) return undefined;
    const k = this.count++;

    let latencyMs = 0;
    if (c.latency !== undefined) {
      const { minMs, maxMs } = c.latency;
      latencyMs = minMs + Math.floor(this.rng() * (maxMs - minMs + 1));
    }

    let headers: Record<string, string> | undefined;
    let rlExceeded = false;
    let rlResetSeconds = 0;
    if (c.rateLimit !== undefined) {
      const { limit, windowSeconds } = c.rateLimit;
      if (now >= this.rlResetAt) {
        this.rlUsed = 0;
        this.rlResetAt = now + windowSeconds * 1000;
      }
      if (this.rlUsed >= limit) rlExceeded = true;
      else this.rlUsed++;
      rlResetSeconds = Math.max(1, Math.ceil((this.rlResetAt - now) / 1000));
      headers = {
        'ratelimit-limit': String(limit),
        'ratelimit-remaining': String(limit - this.rlUsed),
        'ratelimit-reset': String(rlResetSeconds),
      };
    }

    const script = c.script;
    if (script !== undefined && k < script.length) {
      return { action: this.scriptAction(script[k]), latencyMs, headers };
    }

    // Fixed draw order, every draw consumed for every configured feature.
    const dHang = this.hangRate > 0 ? this.rng() : 1;
    const dReset = this.resetRate > 0 ? this.rng() : 1;
    const dHtml = this.htmlRate > 0 ? this.rng() : 1;
    const dMalformed = this.malformedRate > 0 ? this.rng() : 1;
    const failureRate = c.failureRate ?? 0;
    const dFail = failureRate > 0 ? this.rng() : 1;
    const dStatus = failureRate > 0 ? this.rng() : 0;
    const throttleRate = c.throttle?.rate;
    const dThrottle = c.throttle !== undefined && throttleRate !== undefined ? this.rng() : 1;

    let action: FaultAction = NONE;
    if (c.throttle !== undefined && now < this.throttledUntil) {
      action = this.tooMany(Math.max(1, Math.ceil((this.throttledUntil - now) / 1000)));
    } else if (rlExceeded) {
      action = this.tooMany(rlResetSeconds);
    } else if (dHang < this.hangRate) {
      action = { kind: 'hang' };
    } else if (dReset < this.resetRate) {
      action = { kind: 'reset' };
    } else if (dHtml < this.htmlRate) {
      action = { kind: 'html', status: this.htmlStatus };
    } else if (dMalformed < this.malformedRate) {
      action = { kind: 'malformed' };
    } else if (dFail < failureRate) {
      const status = this.statuses[Math.floor(dStatus * this.statuses.length)];
      action = this.statusAction(status);
    } else if (c.throttle !== undefined) {
      const fire = throttleRate === undefined ? !this.throttleFired : dThrottle < throttleRate;
      if (fire) {
        this.throttleFired = true;
        const secs = c.throttle.retryAfterSeconds;
        this.throttledUntil = now + secs * 1000;
        action = this.tooMany(Math.max(1, Math.ceil(secs)));
      }
    }
    return { action, latencyMs, headers };
  }

  private tooMany(retryAfter: number): FaultAction {
    return this.config.omitRetryAfter ? { kind: 'status', status: 429 } : { kind: 'status', status: 429, retryAfter };
  }

  private statusAction(status: number): FaultAction {
    if ((status === 429 || status === 503) && !this.config.omitRetryAfter) {
      return { kind: 'status', status, retryAfter: 1 };
    }
    return { kind: 'status', status };
  }

  private scriptAction(step: ScriptStep): FaultAction {
    switch (step) {
      case 'ok':
        return NONE;
      case 'hang':
        return { kind: 'hang' };
      case 'reset':
        return { kind: 'reset' };
      case 'malformed':
        return { kind: 'malformed' };
      case 'html':
        return { kind: 'html', status: this.htmlStatus };
      default:
        return this.statusAction(step);
    }
  }
}
