/**
 * `npm run soak`: a bounded soak test (not part of `npm test`). The emulator runs as its own process, the subgraph
 * (dist/index.js) as another, and this process drives load at SOAK_CONCURRENCY (default 16) while sampling the
 * subgraph's RSS. Only loopback addresses are used. Two scenarios (SOAK_SCENARIO):
 *
 * - `mixed` (default): a steady mixed load for SOAK_SECONDS (default 180) against an emulator with mixed faults.
 *   Fails (exit 1) when RSS grew by more than SOAK_MAX_GROWTH (default 0.2) from the end of warm-up to the end, or
 *   when a request hung past the client timeout.
 * - `hostile`: SOAK_DOCUMENTS (default 100000) distinct documents, each sent once, against a subgraph started with
 *   `--max-old-space-size=SOAK_OLD_SPACE_MB` (default 160). Fails when the subgraph dies or a request gets no
 *   answer, or when RSS grew by more than SOAK_MAX_GROWTH from half-way to the end (no plateau).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { request } from 'undici';

const ROOT = join(__dirname, '..', '..');
const SCENARIO = process.env.SOAK_SCENARIO ?? 'mixed';
const SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const DOCUMENTS = Number(process.env.SOAK_DOCUMENTS ?? 100_000);
const OLD_SPACE_MB = Number(process.env.SOAK_OLD_SPACE_MB ?? 160);
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
    child.once('exit', (code, signal) => reject(new Error(`exited ${code ?? signal}: ${out}`)));
  });
}

function rssMiB(pid: number): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return Number.NaN; // the process is gone
  }
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

interface Started {
  emulator: ChildProcess;
  subgraph: ChildProcess;
  url: string;
  pid: number;
}

/** The emulator (with `faults`, if any) and the subgraph started against it with `nodeOptions`. */
async function startProcesses(faults: object | undefined, nodeOptions: string[]): Promise<Started> {
  const emulator = await start([join(dirname(require.resolve('@esim-pools/graph-emulator')), 'cli.js')], {
    EMULATOR_PORT: '0',
    ...(faults ? { EMULATOR_FAULTS: JSON.stringify(faults) } : {}),
    EMULATOR_MAX_RECORDED: '1000',
  }, /http:\/\/127\.0\.0\.1:\d+/);
  const emulatorUrl = /http:\/\/127\.0\.0\.1:\d+/.exec(emulator.line)?.[0] ?? '';
  const subgraph = await start([...nodeOptions, join(ROOT, 'dist', 'index.js')], {
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
  return { emulator: emulator.child, subgraph: subgraph.child, url, pid: subgraph.child.pid ?? 0 };
}

async function mixed(): Promise<boolean> {
  const { emulator, subgraph, url, pid } = await startProcesses(FAULTS, []);
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

  subgraph.kill('SIGTERM');
  emulator.kill('SIGTERM');

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
  return growth <= MAX_GROWTH && hung === 0;
}

/** The V8 heap in use, from the subgraph's /metrics (prom-client's default metrics), in MiB. */
async function heapUsedMiB(url: string): Promise<number | undefined> {
  try {
    const res = await request(new URL('/metrics', url), { headersTimeout: 10_000, bodyTimeout: 10_000 });
    const text = await res.body.text();
    const bytes = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m.exec(text)?.[1];
    return bytes === undefined ? undefined : Number(bytes) / 2 ** 20;
  } catch {
    return undefined;
  }
}

/** Every request another document (another operation name, another alias): what a hostile caller can send. */
async function hostile(): Promise<boolean> {
  const { emulator, subgraph, url, pid } = await startProcesses(undefined, [`--max-old-space-size=${OLD_SPACE_MB}`]);
  let died: string | undefined;
  subgraph.once('exit', (code, signal) => {
    died = `exited ${code ?? signal}`;
  });
  const outcomes = new Map<string, number>();
  let failed = 0;
  let next = 0;
  let done = 0;
  const every = Math.max(1, Math.floor(DOCUMENTS / 20));
  const samples: Array<{ documents: number; rss: number; heap?: number }> = [{ documents: 0, rss: rssMiB(pid), heap: await heapUsedMiB(url) }];
  let sampling = Promise.resolve();
  const started = Date.now();

  async function worker(): Promise<void> {
    while (next < DOCUMENTS && died === undefined) {
      const n = next++;
      try {
        const res = await request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `query Distinct${n} { __typename a${n}: __typename }`, operationName: `Distinct${n}` }),
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        });
        const body = (await res.body.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
        const code = body.errors?.[0]?.extensions?.code ?? (body.data ? 'ok' : `HTTP ${res.statusCode}`);
        outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
      } catch {
        failed++;
      }
      done++;
      if (done % every === 0 && died === undefined) {
        const documents = done;
        sampling = sampling.then(async () => {
          if (died === undefined) samples.push({ documents, rss: rssMiB(pid), heap: await heapUsedMiB(url) });
        });
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
  await sampling;
  const seconds = (Date.now() - started) / 1000;
  subgraph.kill('SIGTERM');
  emulator.kill('SIGTERM');

  const half = samples.find((s) => s.documents >= DOCUMENTS / 2) ?? samples[0];
  const end = samples[samples.length - 1];
  const growth = (end.rss - half.rss) / half.rss;
  console.log(`soak (hostile): ${DOCUMENTS} distinct documents, ${CONCURRENCY} concurrent, --max-old-space-size=${OLD_SPACE_MB}, ${seconds.toFixed(0)} s`);
  console.log(`outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}; requests without a reply: ${failed}${died ? `; subgraph ${died}` : ''}`);
  console.log(
    'RSS / heap used (MiB) by documents sent: ' +
      samples.map((s) => `${s.documents}=${s.rss.toFixed(0)}/${s.heap === undefined ? '?' : s.heap.toFixed(0)}`).join(' '),
  );
  console.log(`RSS half-way (${half.documents}): ${half.rss.toFixed(1)} MiB; end (${end.documents}): ${end.rss.toFixed(1)} MiB; growth ${(growth * 100).toFixed(1)}%`);
  return died === undefined && failed === 0 && end.documents >= DOCUMENTS && growth <= MAX_GROWTH;
}

async function main(): Promise<void> {
  if (SCENARIO !== 'mixed' && SCENARIO !== 'hostile') throw new Error(`SOAK_SCENARIO must be mixed or hostile, not ${SCENARIO}`);
  const ok = SCENARIO === 'hostile' ? await hostile() : await mixed();
  console.log(ok ? `soak (${SCENARIO}): PASS` : `soak (${SCENARIO}): FAIL`);
  process.exit(ok ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
