import {
  type FaultAction,
  type FaultConfig,
  FaultConfigError,
  FaultEngine,
  mulberry32,
  parseFaultConfig,
  startGraphEmulator,
} from '../src';
import { POOLS, withEmulator } from './helpers';

const PATH = '/beta/deviceManagement/embeddedSIMActivationCodePools';

function kinds(engine: FaultEngine, n: number, now = 0): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const a: FaultAction | undefined = engine.decide(PATH, now)?.action;
    out.push(a === undefined ? 'n/a' : a.kind === 'status' ? String(a.status) : a.kind);
  }
  return out;
}

describe('mulberry32', () => {
  it('is deterministic per seed and returns floats in [0, 1)', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    const c = mulberry32(124);
    const sa = Array.from({ length: 100 }, () => a());
    const sb = Array.from({ length: 100 }, () => b());
    const sc = Array.from({ length: 100 }, () => c());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    for (const v of sa) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });
});

describe('parseFaultConfig', () => {
  it('null/undefined → no faults; a full valid config round-trips', () => {
    expect(parseFaultConfig(null)).toBeUndefined();
    expect(parseFaultConfig(undefined)).toBeUndefined();
    const full: FaultConfig = {
      seed: 7,
      failureRate: 0.25,
      statuses: [500, 503],
      latency: { minMs: 1, maxMs: 5 },
      throttle: { retryAfterSeconds: 2, rate: 0.1 },
      rateLimit: { limit: 10, windowSeconds: 1 },
      hang: { rate: 0.01 },
      reset: false,
      malformedJson: { rate: 0.02 },
      htmlError: { rate: 0.03, status: 504 },
      omitRetryAfter: true,
      script: [429, 'hang', 'reset', 'malformed', 'html', 'ok'],
      match: '/assign',
      batchItems: true,
    };
    expect(parseFaultConfig(JSON.parse(JSON.stringify(full)))).toEqual(full);
  });

  it.each([
    [{ failureRate: 1.5 }, 'failureRate'],
    [{ failureRate: '0.5' }, 'failureRate'],
    [{ statuses: [] }, 'statuses'],
    [{ statuses: [200] }, 'statuses[0]'],
    [{ latency: { minMs: 10, maxMs: 5 } }, 'latency.maxMs'],
    [{ latency: { min: 1 } }, 'latency'],
    [{ throttle: {} }, 'throttle.retryAfterSeconds'],
    [{ rateLimit: { limit: 1.5, windowSeconds: 1 } }, 'rateLimit.limit'],
    [{ hang: { rate: 2 } }, 'hang.rate'],
    [{ reset: 'yes' }, 'reset'],
    [{ script: ['boom'] }, 'script[0]'],
    [{ script: 'ok' }, 'script'],
    [{ match: '' }, 'match'],
    [{ failurerate: 0.5 }, 'failurerate'],
    [[], 'faults'],
  ])('rejects %j naming %s', (cfg, name) => {
    expect(() => parseFaultConfig(cfg)).toThrow(FaultConfigError);
    expect(() => parseFaultConfig(cfg)).toThrow(name);
  });

  it('startGraphEmulator and setFaults reject invalid configs', async () => {
    const bad: FaultConfig = { failureRate: 7 };
    await expect(startGraphEmulator({ faults: bad })).rejects.toThrow(FaultConfigError);
    await withEmulator({}, (emu) => {
      expect(() => emu.setFaults(bad)).toThrow('failureRate');
      return Promise.resolve();
    });
  });
});

describe('FaultEngine', () => {
  it('the same seed yields the same sequence; failureRate is honoured on average', () => {
    const cfg: FaultConfig = { seed: 99, failureRate: 0.3, statuses: [500, 503] };
    const a = kinds(new FaultEngine(cfg), 2000);
    const b = kinds(new FaultEngine(cfg), 2000);
    expect(a).toEqual(b);
    const failures = a.filter((k) => k !== 'none').length / a.length;
    expect(failures).toBeGreaterThan(0.25);
    expect(failures).toBeLessThan(0.35);
    expect(new Set(a)).toEqual(new Set(['none', '500', '503']));
  });

  it('without a seed, the default seed makes runs repeat; faultSeed changes it', () => {
    const cfg: FaultConfig = { failureRate: 0.5 };
    expect(kinds(new FaultEngine(cfg), 50)).toEqual(kinds(new FaultEngine(cfg), 50));
    expect(kinds(new FaultEngine(cfg, 1), 50)).not.toEqual(kinds(new FaultEngine(cfg, 2), 50));
  });

  it('throttle window: 429 until retryAfter elapsed, Retry-After counts down', () => {
    const e = new FaultEngine({ throttle: { retryAfterSeconds: 2 } });
    expect(e.decide(PATH, 0)?.action).toEqual({ kind: 'status', status: 429, retryAfter: 2 });
    expect(e.decide(PATH, 1500)?.action).toEqual({ kind: 'status', status: 429, retryAfter: 1 });
    expect(e.decide(PATH, 2000)?.action).toEqual({ kind: 'none' });
    expect(e.decide(PATH, 2001)?.action).toEqual({ kind: 'none' });
  });

  it('rate limit: fixed window with RateLimit-* headers', () => {
    const e = new FaultEngine({ rateLimit: { limit: 2, windowSeconds: 10 } });
    expect(e.decide(PATH, 0)?.headers).toEqual({ 'ratelimit-limit': '2', 'ratelimit-remaining': '1', 'ratelimit-reset': '10' });
    expect(e.decide(PATH, 1000)?.headers?.['ratelimit-remaining']).toBe('0');
    const third = e.decide(PATH, 4000);
    expect(third?.action).toEqual({ kind: 'status', status: 429, retryAfter: 6 });
    expect(third?.headers?.['ratelimit-reset']).toBe('6');
    expect(e.decide(PATH, 10_000)?.action).toEqual({ kind: 'none' });
  });

  it('match: non-matching paths are not counted by the script', () => {
    const e = new FaultEngine({ script: [500], match: '/assign' });
    expect(e.decide(PATH, 0)).toBeUndefined();
    expect(e.decide(`${PATH}/x/assign`, 0)?.action).toEqual({ kind: 'status', status: 500 });
    expect(e.decide(`${PATH}/x/assign`, 0)?.action).toEqual({ kind: 'none' });
  });

  it('script status 429/503 carry Retry-After 1 unless omitRetryAfter', () => {
    expect(kinds(new FaultEngine({ script: [429, 503, 'ok', 'hang'] }), 5)).toEqual(['429', '503', 'none', 'hang', 'none']);
    expect(new FaultEngine({ script: [503] }).decide(PATH, 0)?.action).toEqual({ kind: 'status', status: 503, retryAfter: 1 });
    expect(new FaultEngine({ script: [429], omitRetryAfter: true }).decide(PATH, 0)?.action).toEqual({ kind: 'status', status: 429 });
  });

  it('latency is drawn within [minMs, maxMs]', () => {
    const e = new FaultEngine({ seed: 5, latency: { minMs: 10, maxMs: 20 } });
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const ms = e.decide(PATH, 0)?.latencyMs ?? -1;
      expect(ms).toBeGreaterThanOrEqual(10);
      expect(ms).toBeLessThanOrEqual(20);
      seen.add(ms);
    }
    expect(seen.size).toBe(11);
  });
});

describe('emulator faultSeed option', () => {
  it('two emulators with the same faultSeed produce the same status sequence over HTTP', async () => {
    const run = async (faultSeed: number): Promise<number[]> => {
      return withEmulator({ faults: { failureRate: 0.5 }, faultSeed }, async (_emu, c) => {
        const out: number[] = [];
        for (let i = 0; i < 16; i++) out.push((await c.get(POOLS)).status);
        return out;
      });
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  });
});
