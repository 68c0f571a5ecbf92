import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ts from 'typescript';
import { request } from 'undici';
import { arr, rec } from './helpers';
import { DEFAULT_CLI_MAX_RECORDED, EnvError, embeddedEmulatorOptions, parseEmulatorEnv, toStartOptions } from '../src/cli-env';

describe('parseEmulatorEnv', () => {
  it('defaults', () => {
    expect(parseEmulatorEnv({})).toEqual({
      port: 4001,
      host: '127.0.0.1',
      latencyMs: 0,
      requireAuth: true,
      maxRecordedRequests: DEFAULT_CLI_MAX_RECORDED,
    });
  });

  it('parses every variable; empty values count as unset', () => {
    const cfg = parseEmulatorEnv({
      EMULATOR_PORT: '0',
      EMULATOR_HOST: '::1',
      EMULATOR_LATENCY_MS: '12.5',
      EMULATOR_FAULTS: '{"failureRate":0.1,"match":"/assign"}',
      EMULATOR_SEED: '42',
      EMULATOR_REQUIRE_AUTH: 'false',
      EMULATOR_MAX_RECORDED: '0',
      EMULATOR_UNRELATED: 'x',
    });
    expect(cfg).toEqual({
      port: 0,
      host: '::1',
      latencyMs: 12.5,
      faults: { failureRate: 0.1, match: '/assign' },
      seed: 42,
      requireAuth: false,
      maxRecordedRequests: 0,
    });
    const opts = toStartOptions(cfg);
    expect(opts.faultSeed).toBe(42);
    expect(opts.maxRecordedRequests).toBe(Number.POSITIVE_INFINITY);
    expect(opts.faults).toEqual({ failureRate: 0.1, match: '/assign' });
    expect(parseEmulatorEnv({ EMULATOR_PORT: '', EMULATOR_FAULTS: 'null' }).port).toBe(4001);
  });

  it.each([
    ['EMULATOR_PORT', 'abc'],
    ['EMULATOR_PORT', '70000'],
    ['EMULATOR_PORT', '80.5'],
    ['EMULATOR_HOST', 'bad host'],
    ['EMULATOR_LATENCY_MS', '-5'],
    ['EMULATOR_LATENCY_MS', 'fast'],
    ['EMULATOR_FAULTS', '{not json'],
    ['EMULATOR_FAULTS', '{"failureRate":3}'],
    ['EMULATOR_FAULTS', '{"bogus":true}'],
    ['EMULATOR_SEED', '1.5'],
    ['EMULATOR_SEED', 'seed'],
    ['EMULATOR_REQUIRE_AUTH', 'maybe'],
    ['EMULATOR_MAX_RECORDED', '-1'],
  ])('%s=%p → EnvError naming the variable', (name, value) => {
    let caught: unknown;
    try {
      parseEmulatorEnv({ [name]: value });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EnvError);
    if (caught instanceof EnvError) {
      expect(caught.variable).toBe(name);
      expect(caught.message).toContain(name);
    }
  });
});

describe('embeddedEmulatorOptions (npm start in emulator mode)', () => {
  it('reads the same variables as the CLI, but listens on the given port and on loopback only', () => {
    const opts = embeddedEmulatorOptions(
      { EMULATOR_PORT: '4999', EMULATOR_HOST: '0.0.0.0', EMULATOR_EXTRA_POOLS: '5', EMULATOR_LATENCY_MS: '2', EMULATOR_SEED: '9', EMULATOR_FAULTS: '{"script":[503]}' },
      0,
    );
    expect(opts).toMatchObject({ port: 0, host: '127.0.0.1', extraPools: 5, latencyMs: 2, faultSeed: 9, faults: { script: [503] } });
    expect(opts.maxRecordedRequests).toBe(DEFAULT_CLI_MAX_RECORDED);
    expect(() => embeddedEmulatorOptions({ EMULATOR_EXTRA_POOLS: '-1' }, 0)).toThrow('EMULATOR_EXTRA_POOLS');
  });
});

describe('cli.js (transpiled, real process)', () => {
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    // tsx/ts-node are not installed: transpile src/ to plain CommonJS in a temp dir.
    dir = mkdtempSync(join(tmpdir(), 'graph-emulator-cli-'));
    const src = join(__dirname, '../src');
    for (const f of readdirSync(src)) {
      if (!f.endsWith('.ts')) continue;
      const out = ts.transpileModule(readFileSync(join(src, f), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        fileName: f,
      });
      writeFileSync(join(dir, f.replace(/\.ts$/, '.js')), out.outputText);
    }
  });

  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.pid !== undefined) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  function run(env: Record<string, string>): { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
    const child = spawn(process.execPath, [join(dir, 'cli.js')], {
      // The temp dir has no node_modules above it: the package's dependencies (zod) from where this test finds them.
      env: { PATH: process.env.PATH ?? '', NODE_PATH: dirname(dirname(require.resolve('zod/package.json'))), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, stdout: () => out, stderr: () => err, exit };
  }

  async function waitFor(pred: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('prints one line with the URL, serves Graph, exits 0 on SIGTERM', async () => {
    const p = run({ EMULATOR_PORT: '0', EMULATOR_FAULTS: '{"script":[503]}' });
    await waitFor(() => p.stdout().includes('\n'));
    const lines = p.stdout().trim().split('\n');
    expect(lines).toHaveLength(1);
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(lines[0])?.[0];
    expect(url).toBeDefined();
    const pools = `${url ?? ''}/beta/deviceManagement/embeddedSIMActivationCodePools`;
    const first = await request(pools, { headers: { authorization: 'Bearer t' } });
    await first.body.text();
    expect(first.statusCode).toBe(503);
    const second = await request(pools, { headers: { authorization: 'Bearer t' }, reset: true });
    const body: unknown = await second.body.json();
    expect(second.statusCode).toBe(200);
    expect(arr(rec(body).value)).toHaveLength(3);
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
  });

  it('exits 1 naming the variable when the environment is invalid', async () => {
    const p = run({ EMULATOR_PORT: 'abc' });
    expect(await p.exit).toBe(1);
    expect(p.stderr()).toContain('EMULATOR_PORT');
    const q = run({ EMULATOR_PORT: '0', EMULATOR_FAULTS: '{"failureRate":9}' });
    expect(await q.exit).toBe(1);
    expect(q.stderr()).toContain('EMULATOR_FAULTS');
  });
});
