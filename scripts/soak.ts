/** `npm run soak`: a bounded soak of the built subgraph against the emulator; scenarios and settings in docs/performance.md. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { request } from 'undici';
import { cleanEnv, memory, startNode, waitForLine, type Child } from './bench/proc';

const ROOT = join(__dirname, '..', '..');
const SCENARIO = process.env.SOAK_SCENARIO ?? 'mixed';
const SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const DOCUMENTS = Number(process.env.SOAK_DOCUMENTS ?? 100_000);
const OLD_SPACE_MB = Number(process.env.SOAK_OLD_SPACE_MB ?? 160);
const CONCURRENCY = 16;
const MAX_GROWTH = Number(process.env.SOAK_MAX_GROWTH ?? 0.2);
const WARMUP_SECONDS = Math.min(30, Math.floor(SECONDS / 4));

const FAULTS = {
  ...{ seed: 20261128, failureRate: 0.03, statuses: [500, 502, 503, 504], latency: { minMs: 2, maxMs: 40 } },
  ...{ throttle: { retryAfterSeconds: 0.2, rate: 0.02 }, reset: { rate: 0.005 }, malformedJson: { rate: 0.005 }, htmlError: { rate: 0.005 }, hang: { rate: 0.001 } },
};

/** RSS in MiB; NaN once the process is gone. */
function rssMiB(pid: number): number {
  try {
    return memory(pid).rssMiB;
  } catch {
    return Number.NaN;
  }
}

/** The processes' logs: removed after a pass, kept after a failure. */
const dir = mkdtempSync(join(tmpdir(), 'esim-soak-'));

/** The emulator (with `faults`, if any) and the subgraph started against it with `nodeOptions`. */
async function startProcesses(faults: object | undefined, nodeOptions: string[]): Promise<{ processes: Child[]; url: string; pid: number }> {
  const emulatorLog = join(dir, 'emulator.log');
  const emulatorEnv = { EMULATOR_PORT: '0', EMULATOR_MAX_RECORDED: '1000', ...(faults ? { EMULATOR_FAULTS: JSON.stringify(faults) } : {}) };
  const emulator = startNode([join(dirname(require.resolve('@esim-pools/graph-emulator')), 'cli.js')], cleanEnv(emulatorEnv), emulatorLog);
  const emulatorUrl = /http:\/\/127\.0\.0\.1:\d+/.exec(await waitForLine(emulatorLog, /http:\/\/127\.0\.0\.1:\d+/, emulator))?.[0] ?? '';
  const subgraphLog = join(dir, 'subgraph.log');
  const subgraphEnv = { GRAPH_AUTH_MODE: 'emulator', GRAPH_BASE_URL: emulatorUrl, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', GRAPH_TIMEOUT_MS: '3000', GRAPH_WRITE_LIMIT: '0', GRAPH_READ_LIMIT: '0' };
  const subgraph = startNode([...nodeOptions, join(ROOT, 'dist', 'index.js')], cleanEnv(subgraphEnv), subgraphLog);
  const url = String((JSON.parse(await waitForLine(subgraphLog, /ready at/, subgraph)) as { url: string }).url);
  return { processes: [subgraph, emulator], url, pid: subgraph.pid };
}

/** Runs CONCURRENCY workers sending `next()`'s body until it is undefined; counts each answer's outcome: the first
 * error's `extensions.code`, `ok`, or `HTTP <status>` without data; `failed` counts requests without an answer. */
async function send(url: string, next: () => object | undefined): Promise<{ outcomes: Map<string, number>; failed: number; sent: number }> {
  const outcomes = new Map<string, number>();
  let failed = 0;
  let sent = 0;
  const worker = async (): Promise<void> => {
    for (let body = next(); body !== undefined; body = next()) {
      sent++;
      try {
        const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), headersTimeout: 10_000, bodyTimeout: 10_000 });
        const json = (await res.body.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
        const code = json.errors?.[0]?.extensions?.code ?? (json.data ? 'ok' : `HTTP ${res.statusCode}`);
        outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { outcomes, failed, sent };
}

async function mixed(): Promise<boolean> {
  const { processes, url, pid } = await startProcesses(FAULTS, []);
  const pools = ['6f2c1b9e-4a3d-4c8e-9b1a-2f5e7d8c9a01', 'b83e4d27-91c5-4f0a-a6d2-7c1e3f9b5d02'];
  const group = '3a1f6c2e-8d4b-4e9a-b7c5-1d2e3f4a5b60';
  const operations = [
    `mutation ($p: ID!) { assignEmbeddedSIMActivationCodePool(poolId: $p, assignments: [{ target: { kind: GROUP, groupId: "${group}" } }]) { pool { id } assignments { id } } }`,
    '{ embeddedSIMActivationCodePools(first: 5) { edges { node { id assignments { id } } } pageInfo { hasNextPage } } }',
    'query ($p: ID!) { embeddedSIMActivationCodePool(id: $p) { displayName deviceStates(first: 10) { edges { node { state } } } } }',
  ];
  const deadline = Date.now() + SECONDS * 1000;
  const started = Date.now();
  const samples: Array<{ t: number; rss: number }> = [];
  const sample = () => samples.push({ t: Math.round((Date.now() - started) / 1000), rss: rssMiB(pid) });
  const sampler = setInterval(sample, 5000);
  let i = 0;
  const { outcomes, failed, sent } = await send(url, () => (Date.now() < deadline ? { query: operations[i % operations.length], variables: { p: pools[i++ % pools.length] } } : undefined));
  clearInterval(sampler);
  sample();
  await Promise.all(processes.map((p) => p.stop()));
  const afterWarmup = samples.find((s) => s.t >= WARMUP_SECONDS) ?? samples[0];
  const end = samples[samples.length - 1];
  const growth = (end.rss - afterWarmup.rss) / afterWarmup.rss;
  console.log(`soak: ${SECONDS} s, ${CONCURRENCY} concurrent, ${sent} requests, faults ${JSON.stringify(FAULTS)}`);
  console.log(`outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}; client-side failures (no reply): ${failed}`);
  console.log(`RSS (MiB) every 5 s: ${samples.map((s) => `${s.t}s=${s.rss.toFixed(1)}`).join(' ')}`);
  const max = Math.max(...samples.map((s) => s.rss));
  console.log(`RSS after warm-up (${afterWarmup.t} s): ${afterWarmup.rss.toFixed(1)} MiB; end: ${end.rss.toFixed(1)} MiB; max: ${max.toFixed(1)} MiB; growth ${(growth * 100).toFixed(1)}%`);
  return growth <= MAX_GROWTH && failed === 0;
}

/** The V8 heap in use, from the subgraph's /metrics (prom-client's default metrics), in MiB. */
async function heapUsedMiB(url: string): Promise<number | undefined> {
  try {
    const text = await (await request(new URL('/metrics', url), { headersTimeout: 10_000, bodyTimeout: 10_000 })).body.text();
    const bytes = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m.exec(text)?.[1];
    return bytes === undefined ? undefined : Number(bytes) / 2 ** 20;
  } catch {
    return undefined;
  }
}

/** Every request another document (another operation name, another alias): what a hostile caller can send. */
async function hostile(): Promise<boolean> {
  const { processes, url, pid } = await startProcesses(undefined, [`--max-old-space-size=${OLD_SPACE_MB}`]);
  let died: string | undefined;
  void processes[0].exited.then((code) => (died = `exited ${code ?? 'on a signal'}`));
  const every = Math.max(1, Math.floor(DOCUMENTS / 20));
  const samples: Array<{ documents: number; rss: number; heap?: number }> = [{ documents: 0, rss: rssMiB(pid), heap: await heapUsedMiB(url) }];
  let sampling = Promise.resolve();
  let n = 0;
  const started = Date.now();
  const { outcomes, failed, sent } = await send(url, () => {
    if (n >= DOCUMENTS || died !== undefined) return undefined;
    if (n > 0 && n % every === 0) {
      const documents = n;
      sampling = sampling.then(async () => {
        if (died === undefined) samples.push({ documents, rss: rssMiB(pid), heap: await heapUsedMiB(url) });
      });
    }
    n++;
    return { query: `query Distinct${n} { __typename a${n}: __typename }`, operationName: `Distinct${n}` };
  });
  if (died === undefined) samples.push({ documents: sent, rss: rssMiB(pid), heap: await heapUsedMiB(url) });
  await sampling;
  const seconds = (Date.now() - started) / 1000;
  const crashed = died; // read before the stop below makes the process exit
  await Promise.all(processes.map((p) => p.stop()));
  const half = samples.find((s) => s.documents >= DOCUMENTS / 2) ?? samples[0];
  const end = samples[samples.length - 1];
  const growth = (end.rss - half.rss) / half.rss;
  console.log(`soak (hostile): ${DOCUMENTS} distinct documents, ${CONCURRENCY} concurrent, --max-old-space-size=${OLD_SPACE_MB}, ${seconds.toFixed(0)} s`);
  console.log(`outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}; requests without a reply: ${failed}${crashed ? `; subgraph ${crashed}` : ''}`);
  const series = samples.map((s) => `${s.documents}=${s.rss.toFixed(0)}/${s.heap === undefined ? '?' : s.heap.toFixed(0)}`).join(' ');
  console.log(`RSS / heap used (MiB) by documents sent: ${series}`);
  console.log(`RSS half-way (${half.documents}): ${half.rss.toFixed(1)} MiB; end (${end.documents}): ${end.rss.toFixed(1)} MiB; growth ${(growth * 100).toFixed(1)}%`);
  return crashed === undefined && failed === 0 && end.documents >= DOCUMENTS && growth <= MAX_GROWTH;
}

async function main(): Promise<void> {
  if (SCENARIO !== 'mixed' && SCENARIO !== 'hostile') throw new Error(`SOAK_SCENARIO must be mixed or hostile, not ${SCENARIO}`);
  const ok = SCENARIO === 'hostile' ? await hostile() : await mixed();
  console.log(ok ? `soak (${SCENARIO}): PASS` : `soak (${SCENARIO}): FAIL (process logs in ${dir})`);
  if (ok) rmSync(dir, { recursive: true, force: true });
  process.exit(ok ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
