/**
 * `npm run soak`: a bounded soak test (not part of `npm test`). The emulator runs as its own process with mixed
 * faults, the subgraph (dist/index.js) as another, and this process drives a steady mixed load for SOAK_SECONDS
 * (default 180) at SOAK_CONCURRENCY (default 16) while sampling the subgraph's RSS. It prints the RSS series and
 * fails (exit 1) when RSS grew by more than SOAK_MAX_GROWTH (default 0.2) from the end of warm-up to the end, or
 * when a request hung past the client timeout. Only loopback addresses are used.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';

const ROOT = join(__dirname, '..', '..');
const SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 16);
const MAX_GROWTH = Number(process.env.SOAK_MAX_GROWTH ?? 0.2);
const WARMUP_SECONDS = Math.min(30, Math.floor(SECONDS / 4));

const FAULTS = {
  seed: 20261128,
  failureRate: 0.03,
  statuses: [500, 502, 503, 504],
  latency: { minMs: 2, maxMs: 40 },
  throttle: { retryAfterSeconds: 0.2, rate: 0.02 },
  reset: { rate: 0.005 },
  malformedJson: { rate: 0.005 },
  htmlError: { rate: 0.005 },
  hang: { rate: 0.001 },
};

function start(command: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; line: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, command, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let started = false;
    const timer = setTimeout(() => reject(new Error(`did not start: ${out}`)), 15_000);
    child.stdout?.on('data', (d: Buffer) => {
      if (started) return; // after start-up the output is drained, not kept
      out += d.toString();
      const match = out.split('\n').find((l) => ready.test(l));
      if (match) {
        started = true;
        clearTimeout(timer);
        resolve({ child, line: match });
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (!started) out += d.toString();
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function main(): Promise<void> {
  const emulator = await start([join(ROOT, 'dist', 'emulator', 'cli.js')], {
    EMULATOR_PORT: '0',
    EMULATOR_FAULTS: JSON.stringify(FAULTS),
    EMULATOR_MAX_RECORDED: '1000',
  }, /http:\/\/127\.0\.0\.1:\d+/);
  const emulatorUrl = /http:\/\/127\.0\.0\.1:\d+/.exec(emulator.line)?.[0] ?? '';
  const subgraph = await start([join(ROOT, 'dist', 'index.js')], {
    GRAPH_AUTH_MODE: 'emulator',
    GRAPH_BASE_URL: emulatorUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    GRAPH_TIMEOUT_MS: '3000',
    GRAPH_WRITE_LIMIT: '0',
    GRAPH_READ_LIMIT: '0',
  }, /ready at/);
  const url = String((JSON.parse(subgraph.line) as { url: string }).url);
  const pid = subgraph.child.pid ?? 0;

  const pools = ['6f2c1b9e-4a3d-4c8e-9b1a-2f5e7d8c9a01', 'b83e4d27-91c5-4f0a-a6d2-7c1e3f9b5d02'];
  const group = '3a1f6c2e-8d4b-4e9a-b7c5-1d2e3f4a5b60';
  const operations = [
    { query: `mutation ($p: ID!) { assignEmbeddedSIMActivationCodePool(poolId: $p, assignments: [{ target: { kind: GROUP, groupId: "${group}" } }]) { pool { id } assignments { id } } }` },
    { query: '{ embeddedSIMActivationCodePools(first: 5) { edges { node { id assignments { id } } } pageInfo { hasNextPage } } }' },
    { query: 'query ($p: ID!) { embeddedSIMActivationCodePool(id: $p) { displayName deviceStates(first: 10) { edges { node { state } } } } }' },
  ];

  const outcomes = new Map<string, number>();
  let hung = 0;
  let sent = 0;
  const deadline = Date.now() + SECONDS * 1000;
  const samples: Array<{ t: number; rss: number }> = [];
  const started = Date.now();
  const sampler = setInterval(() => samples.push({ t: Math.round((Date.now() - started) / 1000), rss: rssMiB(pid) }), 5000);

  async function worker(id: number): Promise<void> {
    for (let i = id; Date.now() < deadline; i += CONCURRENCY) {
      const op = operations[i % operations.length];
      sent++;
      try {
        const res = await request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...op, variables: { p: pools[i % pools.length] } }),
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        });
        const body = (await res.body.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
        const code = body.errors?.[0]?.extensions?.code ?? 'ok';
        outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
      } catch {
        hung++;
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => worker(i)));
  clearInterval(sampler);
  samples.push({ t: Math.round((Date.now() - started) / 1000), rss: rssMiB(pid) });

  subgraph.child.kill('SIGTERM');
  emulator.child.kill('SIGTERM');

  const afterWarmup = samples.find((s) => s.t >= WARMUP_SECONDS) ?? samples[0];
  const end = samples[samples.length - 1];
  const max = Math.max(...samples.map((s) => s.rss));
  const growth = (end.rss - afterWarmup.rss) / afterWarmup.rss;
  console.log(`soak: ${SECONDS} s, ${CONCURRENCY} concurrent, ${sent} requests, faults ${JSON.stringify(FAULTS)}`);
  console.log(`outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}; client-side failures (no reply): ${hung}`);
  console.log('RSS (MiB) every 5 s: ' + samples.map((s) => `${s.t}s=${s.rss.toFixed(1)}`).join(' '));
  console.log(
    `RSS after warm-up (${afterWarmup.t} s): ${afterWarmup.rss.toFixed(1)} MiB; end: ${end.rss.toFixed(1)} MiB; max: ${max.toFixed(1)} MiB; growth ${(growth * 100).toFixed(1)}%`,
  );
  const ok = growth <= MAX_GROWTH && hung === 0;
  console.log(ok ? 'soak: PASS (RSS flat, every request answered)' : 'soak: FAIL');
  process.exit(ok ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
