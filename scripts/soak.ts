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

function rssMiB(pid: number): number {
  try {
    return memory(pid).rssMiB;
  } catch {
    return Number.NaN; // the process is gone
  }
}

/** The processes' logs: removed after a pass, kept after a failure. */
const dir = mkdtempSync(join(tmpdir(), 'esim-soak-'));

/** The emulator (with `faults`, if any) and the subgraph started against it with `nodeOptions`. */
async function startProcesses(faults: object | undefined, nodeOptions: string[]): Promise<{ emulator: Child; subgraph: Child; url: string; pid: number }> {
  const emulatorLog = join(dir, 'emulator.log');
  const emulatorEnv = { EMULATOR_PORT: '0', EMULATOR_MAX_RECORDED: '1000', ...(faults ? { EMULATOR_FAULTS: JSON.stringify(faults) } : {}) };
  const emulator = startNode([join(dirname(require.resolve('@esim-pools/graph-emulator')), 'cli.js')], cleanEnv(emulatorEnv), emulatorLog);
  const emulatorUrl = /http:\/\/127\.0\.0\.1:\d+/.exec(await waitForLine(emulatorLog, /http:\/\/127\.0\.0\.1:\d+/, emulator))?.[0] ?? '';
  const subgraphLog = join(dir, 'subgraph.log');
  const subgraphEnv = { GRAPH_AUTH_MODE: 'emulator', GRAPH_BASE_URL: emulatorUrl, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', GRAPH_TIMEOUT_MS: '3000', GRAPH_WRITE_LIMIT: '0', GRAPH_READ_LIMIT: '0' };
  const subgraph = startNode([...nodeOptions, join(ROOT, 'dist', 'index.js')], cleanEnv(subgraphEnv), subgraphLog);
  const url = String((JSON.parse(await waitForLine(subgraphLog, /ready at/, subgraph)) as { url: string }).url);
  return { emulator, subgraph, url, pid: subgraph.pid };
}

/** The first error's `extensions.code`, `ok`, or `HTTP <status>` without data; undefined when no answer came. */
async function outcome(url: string, body: object): Promise<string | undefined> {
  try {
    const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), headersTimeout: 10_000, bodyTimeout: 10_000 });
    const json = (await res.body.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
    return json.errors?.[0]?.extensions?.code ?? (json.data ? 'ok' : `HTTP ${res.statusCode}`);
  } catch {
    return undefined;
  }
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
      const code = await outcome(url, { ...op, variables: { p: pools[i % pools.length] } });
      if (code === undefined) hung++;
      else outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => worker(i)));
  clearInterval(sampler);
  samples.push({ t: Math.round((Date.now() - started) / 1000), rss: rssMiB(pid) });

  await Promise.all([subgraph.stop(), emulator.stop()]);

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
  void subgraph.exited.then((code) => (died = `exited ${code ?? 'on a signal'}`));
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
      const code = await outcome(url, { query: `query Distinct${n} { __typename a${n}: __typename }`, operationName: `Distinct${n}` });
      if (code === undefined) failed++;
      else outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
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
  const crashed = died; // read before the stop below makes the process exit
  await Promise.all([subgraph.stop(), emulator.stop()]);

  const half = samples.find((s) => s.documents >= DOCUMENTS / 2) ?? samples[0];
  const end = samples[samples.length - 1];
  const growth = (end.rss - half.rss) / half.rss;
  console.log(`soak (hostile): ${DOCUMENTS} distinct documents, ${CONCURRENCY} concurrent, --max-old-space-size=${OLD_SPACE_MB}, ${seconds.toFixed(0)} s`);
  console.log(`outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}; requests without a reply: ${failed}${crashed ? `; subgraph ${crashed}` : ''}`);
  console.log(
    'RSS / heap used (MiB) by documents sent: ' +
      samples.map((s) => `${s.documents}=${s.rss.toFixed(0)}/${s.heap === undefined ? '?' : s.heap.toFixed(0)}`).join(' '),
  );
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
