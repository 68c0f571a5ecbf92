/** `npm run bench`: the subgraph's cost next to a hand-written forwarder; scenarios and settings in docs/performance.md. */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { generatedPoolId } from '@esim-pools/graph-emulator';
import { isRecord } from '../src/graph/json';
import { appModeEnv, registerApp } from '../test/support/app-mode';
import { startTestIdp, type TestIdp } from '../test/support/idp';
import { freePort } from '../test/support/net';
import { emulatorCount, postJson, setEmulatorLatency } from './bench/emulator-control';
import { assignBody, entitiesBody, ENTITY_IDS, measureGraphCalls, POOLS_PAGE } from './bench/graph-calls';
import { runLoad } from './bench/load';
import { formatSummary, summariseProfile } from './bench/profile';
import { cleanEnv, cpuMs, median, memory, quantile, sampleRss, startNode, waitForLine, type Child } from './bench/proc';

const ROOT = join(__dirname, '..', '..');
/** The emulator package's built command line (`npm run build` builds it). */
const EMULATOR = join(dirname(require.resolve('@esim-pools/graph-emulator')), 'cli.js');

/** A non-negative number from the environment, at least `min`. */
function setting(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return Math.max(min, value);
}

const SECONDS = setting('BENCH_SECONDS', 10);
const WARMUP_SECONDS = setting('BENCH_WARMUP_SECONDS', 5);
const ROUNDS = setting('BENCH_ROUNDS', 3, 1);
const CONNECTIONS = setting('BENCH_CONNECTIONS', 16, 1);
const ENTITIES_CALLS = setting('BENCH_ENTITIES_CALLS', 20, 1);
const COLD_RUNS = setting('BENCH_COLD_RUNS', 5);
/** Graph's latency at the emulator in the throughput scenarios, ms (e.g. 50, with few connections: what the subgraph adds). */
const UPSTREAM_MS = setting('BENCH_UPSTREAM_MS', 0);
const PROFILE = process.env.BENCH_PROFILE === 'warn' ? 'warn' : process.env.BENCH_PROFILE ? 'info' : undefined;
/** The load profiled under BENCH_PROFILE: `assign` (default) or `pools`. */
const PROFILE_LOAD: 'assign' | 'pools' = process.env.BENCH_PROFILE_LOAD === 'pools' ? 'pools' : 'assign';
const ONLY = new Set((process.env.BENCH_ONLY || 'assign,pools,entities,calls,cold').split(',').map((s) => s.trim()));
const OUT = process.env.BENCH_OUT || join(ROOT, 'tmp', 'bench', 'results.json');
/** Graph's latency at the emulator in the `entities` scenario, ms: one call's batches must overlap. */
const ENTITIES_UPSTREAM_MS = 50;

/** A build of the subgraph to run: this checkout, or another one to compare with (BENCH_BASELINE). */
interface Build {
  /** '' for this checkout, e.g. ', before' for the baseline. */
  label: string;
  entry: string;
  nodeArgs: string[];
  /** Environment settings on top of the bench's. */
  env?: Record<string, string>;
}

const nodeArgs = (value = ''): string[] => (value.trim() === 'none' ? [] : value.split(/\s+/).filter((a) => a !== ''));

/** The Dockerfile CMD's node options (as production runs it), or BENCH_SUBGRAPH_NODE_ARGS (`none`: V8's defaults). */
function productionNodeArgs(): string[] {
  if (process.env.BENCH_SUBGRAPH_NODE_ARGS !== undefined) return nodeArgs(process.env.BENCH_SUBGRAPH_NODE_ARGS);
  const cmd: unknown = JSON.parse([...readFileSync(join(ROOT, 'Dockerfile'), 'utf8').matchAll(/^CMD\s+(\[.*\])/gm)].pop()?.[1] ?? '[]');
  if (!Array.isArray(cmd) || cmd[0] !== 'node') return [];
  const script = cmd.indexOf('dist/index.js');
  return cmd.slice(1, script < 0 ? undefined : script).filter((a): a is string => typeof a === 'string');
}
const NODE_ARGS = productionNodeArgs();
const CURRENT: Build = { label: '', entry: join(ROOT, 'dist', 'index.js'), nodeArgs: NODE_ARGS };

/** The variable's `;`-separated sets of `NAME=value` settings, each one more subgraph of this build. */
function envSets(variable: string): Build[] {
  const sets = (process.env[variable] ?? '').split(';').map((set) => set.trim());
  return sets
    .filter((set) => set !== '')
    .map((set) => {
      const env: Record<string, string> = {};
      for (const pair of set.split(/\s+/)) {
        const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair);
        if (!match) throw new Error(`${variable}: "${pair}" is not NAME=value`);
        env[match[1]] = match[2];
      }
      return { ...CURRENT, env, label: `, ${set}` };
    });
}
const COMPARE_ENV = envSets('BENCH_COMPARE_ENV');
/** The profiled subgraphs' settings (one set). */
const PROFILE_ENV = envSets('BENCH_PROFILE_ENV')[0]?.env ?? {};
/** Another build's dist/index.js (e.g. the commit before an optimisation), measured in the same rounds at LOG_LEVEL=info. */
const BASELINE: Build | undefined = process.env.BENCH_BASELINE
  ? { label: ', before', entry: process.env.BENCH_BASELINE, nodeArgs: nodeArgs(process.env.BENCH_BASELINE_NODE_ARGS), env: envSets('BENCH_BASELINE_ENV')[0]?.env }
  : undefined;

/** The calling application (the router's client) of the tokens the bench sends. */
const CALLER_APP_ID = 'c0ffee00-0000-4000-8000-00000000be0c';
/** The assign load goes to this many pools in turn: writes to one pool wait for its edit lock, by design. */
const ASSIGN_POOLS = 32;
const ASSIGN_SELECTION = 'pool { id displayName } assignments { id target { __typename filterType ... on GroupAssignmentTarget { groupId } ... on ExclusionGroupAssignmentTarget { groupId } } }';
const ASSIGN_BODIES: readonly string[] = Array.from({ length: ASSIGN_POOLS }, (_, n) => assignBody(generatedPoolId(n), ASSIGN_SELECTION));
const ENTITIES = entitiesBody(ENTITY_IDS, 'id displayName assignments { id }');
const COLD_QUERY = JSON.stringify({ query: 'query Pool($id: ID!) { embeddedSIMActivationCodePool(id: $id) { id displayName } }', variables: { id: generatedPoolId(1) } });

/** A throughput load; the forwarder serves it on `/${key}`. */
interface Scenario {
  key: 'assign' | 'pools';
  title: string;
  body: string | readonly string[];
}

const SCENARIOS: Scenario[] = [
  { key: 'assign', title: `assign mutation (2 targets, ${ASSIGN_POOLS} pools in turn)`, body: ASSIGN_BODIES },
  { key: 'pools', title: 'pools connection (first 50)', body: POOLS_PAGE },
];

interface Target {
  name: string;
  process: Child;
  /** The GraphQL endpoint (subgraph) or the forwarder's origin. */
  url: string;
  isForwarder: boolean;
}

const urlFor = (target: Target, scenario: Scenario): string => (target.isForwarder ? `${target.url}/${scenario.key}` : target.url);

let workDir = '';
let logCount = 0;
const logFile = (name: string): string => join(workDir, `${String(++logCount).padStart(2, '0')}-${name}.log`);
/** Every process started, stopped at the end. */
const children: Child[] = [];
let idp: TestIdp;
let emulator: Child;
let emulatorUrl = '';
let bearerToken = '';
let manageToken = '';
const headers = (): Record<string, string> => ({ 'content-type': 'application/json', authorization: `Bearer ${bearerToken}` });
const post = (url: string, body: string): Promise<{ status: number; json: unknown }> => postJson(url, headers(), body);
const log = (line: string): void => void process.stdout.write(`${line}\n`);

/** Production settings with the policy lifted (the bench measures code), history in a file of its own, target checks off
 * (a Graph call the forwarder does not make; on for the calls table). */
function subgraphEnv(logLevel: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  const policyOff = { GRAPH_WRITE_LIMIT: '0', GRAPH_READ_LIMIT: '0', GRAPH_MAX_CONCURRENCY: '0' };
  const history = join(workDir, `history-${++logCount}.db`);
  const production = { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: logLevel, ...appModeEnv(idp, emulatorUrl) };
  return cleanEnv({ ...production, AUTH_ISSUER: idp.issuerV2, AUTH_JWKS_URL: idp.jwksUrl, ...policyOff, HISTORY_PATH: history, TARGET_CHECKS: 'off', ...extra });
}

/** Starts a subgraph on a free port and waits for its first good answer (at warn it logs no "ready" line). */
async function startSubgraph(logLevel: string, build = CURRENT, extraArgs: string[] = [], label = build.label): Promise<Target> {
  const port = await freePort();
  const env = subgraphEnv(logLevel, port, build.env);
  // The store migrated first, as a deployment's migration step does: the subgraph then never loads Kysely.
  const migrate = join(dirname(build.entry), 'history', 'migrate-cli.js');
  if (env.HISTORY !== 'off' && existsSync(migrate)) await promisify(execFile)(process.execPath, [migrate], { env });
  const child = startNode([...build.nodeArgs, ...extraArgs, build.entry], env, logFile(`subgraph-${logLevel}`));
  children.push(child);
  const url = `http://127.0.0.1:${port}/graphql`;
  await firstAnswer(url, child);
  return { name: `subgraph (LOG_LEVEL=${logLevel}${label})`, process: child, url, isForwarder: false };
}

/** Polls `url` with COLD_QUERY until it answers 200 without errors; resolves with ms since the child was spawned. */
async function firstAnswer(url: string, child: Child): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await post(url, COLD_QUERY);
      if (res.status === 200 && isRecord(res.json) && res.json.errors === undefined) return performance.now() - child.spawnedAt;
      if (res.status !== 503) throw new Error(`unexpected answer ${res.status}: ${JSON.stringify(res.json).slice(0, 500)}`);
    } catch (error) {
      const code = isRecord(error) ? error.code : undefined;
      if (code !== 'ECONNREFUSED' && code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET') throw error;
    }
    if (child.child.exitCode !== null) throw new Error('the process exited before answering');
    if (Date.now() > deadline) throw new Error(`no answer from ${url} within 30 s`);
    await sleep(5);
  }
}

/** Fairness guard: every target gives the same answer to the scenario's request (the ids of new assignments aside). */
async function checkSameAnswers(targets: Target[], scenario: Scenario): Promise<void> {
  const answers: string[] = [];
  for (const target of targets) {
    const res = await post(urlFor(target, scenario), typeof scenario.body === 'string' ? scenario.body : scenario.body[0]);
    if (res.status !== 200 || !isRecord(res.json) || res.json.errors !== undefined) {
      throw new Error(`${target.name} failed ${scenario.title}: ${res.status} ${JSON.stringify(res.json).slice(0, 1000)}`);
    }
    const withoutIds = (key: string, value: unknown): unknown =>
      key === 'assignments' && Array.isArray(value) ? value.map((a: unknown) => (isRecord(a) ? { ...a, id: '<new>' } : a)) : value;
    answers.push(JSON.stringify(res.json, withoutIds));
    if (answers[answers.length - 1] !== answers[0]) {
      throw new Error(`${target.name} and ${targets[0].name} answer ${scenario.title} differently:\n${answers[answers.length - 1].slice(0, 800)}\n${answers[0].slice(0, 800)}`);
    }
  }
}

type Run = Awaited<ReturnType<typeof measure>>;

async function measure(target: Target, scenario: Scenario, seconds: number, connections: number) {
  const pid = target.process.pid;
  const cpu0 = cpuMs(pid);
  const emulatorCpu0 = cpuMs(emulator.pid);
  const count0 = await emulatorCount(emulatorUrl);
  const sampler = sampleRss(pid, 250);
  const result = await runLoad({ url: urlFor(target, scenario), body: scenario.body, headers: headers(), connections, seconds });
  const peakRssMiB = Math.max(...sampler.stop().map((s) => s.rss));
  const n = Math.max(1, result.total);
  return {
    ...result,
    cpuMsPerRequest: (cpuMs(pid) - cpu0) / n,
    emulatorCpuMsPerRequest: (cpuMs(emulator.pid) - emulatorCpu0) / n,
    upstreamPerRequest: ((await emulatorCount(emulatorUrl)) - count0) / n,
    peakRssMiB,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

type TargetSummary = Awaited<ReturnType<typeof throughputScenario>>[number];

/** A warm-up of every target, then ROUNDS rounds in which the targets take turns (the order rotating). */
async function throughputScenario(scenario: Scenario, targets: Target[], connections = CONNECTIONS, seconds = SECONDS) {
  log(`\n== ${scenario.title}: warm-up ${WARMUP_SECONDS} s each, then ${ROUNDS} alternating rounds of ${seconds} s, ${connections} connections`);
  await checkSameAnswers(targets, scenario);
  for (const target of WARMUP_SECONDS > 0 ? targets : []) {
    await runLoad({ url: urlFor(target, scenario), body: scenario.body, headers: headers(), connections, seconds: WARMUP_SECONDS });
  }
  const runs = new Map<Target, Run[]>(targets.map((t) => [t, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of targets.map((_, i) => targets[(i + round) % targets.length])) {
      const run = await measure(target, scenario, seconds, connections);
      runs.get(target)?.push(run);
      log(
        `  round ${round + 1} ${target.name.padEnd(26)} ${run.rps.toFixed(0).padStart(6)} req/s  p50 ${run.p50} ms  p99 ${run.p99} ms  ` +
          `CPU ${run.cpuMsPerRequest.toFixed(3)} ms/req  upstream ${run.upstreamPerRequest.toFixed(2)}/req  RSS ≤ ${run.peakRssMiB.toFixed(0)} MiB` +
          (run.failures > 0 ? `  FAILURES non2xx=${run.non2xx} errors=${run.errors} timeouts=${run.timeouts}` : ''),
      );
    }
  }
  await checkSameAnswers(targets, scenario);
  const forwarder = runs.get(targets.find((t) => t.isForwarder) ?? targets[0]) ?? [];
  return targets.map((target) => {
    const rs = runs.get(target) ?? [];
    const med = (key: 'rps' | 'p50' | 'p99' | 'cpuMsPerRequest' | 'emulatorCpuMsPerRequest' | 'upstreamPerRequest') => median(rs.map((r) => r[key]));
    const added = (key: 'p50' | 'p99') => median(rs.map((r, i) => r[key] - (forwarder[i]?.[key] ?? Number.NaN)));
    return {
      name: target.name,
      rounds: rs,
      rps: med('rps'),
      p50: med('p50'),
      p99: med('p99'),
      cpuMsPerRequest: med('cpuMsPerRequest'),
      emulatorCpuMsPerRequest: med('emulatorCpuMsPerRequest'),
      upstreamPerRequest: med('upstreamPerRequest'),
      peakRssMiB: Math.max(...rs.map((r) => r.peakRssMiB), memory(target.process.pid).peakMiB),
      failures: rs.reduce((sum, r) => sum + r.failures, 0),
      ratios: rs.map((r, i) => r.rps / (forwarder[i]?.rps ?? Number.NaN)),
      addedP50: added('p50'),
      addedP99: added('p99'),
    };
  });
}

async function entitiesScenario(target: Target) {
  log(`\n== _entities × ${ENTITY_IDS.length} with ${ENTITIES_UPSTREAM_MS} ms upstream latency: ${ENTITIES_CALLS} calls one after another (${target.name})`);
  await setEmulatorLatency(emulatorUrl, ENTITIES_UPSTREAM_MS);
  try {
    // One upstream round trip, as the subgraph's host sees it: a GET of one pool from the emulator.
    const trips: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await (await fetch(`${emulatorUrl}/beta/deviceManagement/embeddedSIMActivationCodePools/${ENTITY_IDS[0]}`, { headers: { authorization: 'Bearer x' } })).arrayBuffer();
      trips.push(performance.now() - t0);
    }
    for (let i = 0; i < 2; i++) await post(target.url, ENTITIES); // warm
    const walls: number[] = [];
    const upstream: number[] = [];
    for (let i = 0; i < ENTITIES_CALLS; i++) {
      const before = await emulatorCount(emulatorUrl);
      const t0 = performance.now();
      const res = await post(target.url, ENTITIES);
      walls.push(performance.now() - t0);
      upstream.push((await emulatorCount(emulatorUrl)) - before);
      const data = isRecord(res.json) && res.json.errors === undefined && isRecord(res.json.data) ? res.json.data : {};
      const entities: unknown[] = Array.isArray(data._entities) ? data._entities : [];
      if (res.status !== 200 || entities.filter((e) => isRecord(e) && Array.isArray(e.assignments) && e.assignments.length === 2).length !== ENTITY_IDS.length) {
        throw new Error(`_entities failed: ${res.status} ${JSON.stringify(res.json).slice(0, 800)}`);
      }
    }
    const result = {
      roundTripMs: median(trips),
      calls: ENTITIES_CALLS,
      upstreamPerCall: { median: median(upstream), max: Math.max(...upstream) },
      wallMs: { median: median(walls), p90: quantile(walls, 0.9), max: Math.max(...walls) },
    };
    const wall = `${result.wallMs.median.toFixed(1)} ms median, ${result.wallMs.p90.toFixed(1)} ms p90, ${result.wallMs.max.toFixed(1)} ms max`;
    log(`  one upstream round trip ${result.roundTripMs.toFixed(1)} ms; per call: ${result.upstreamPerCall.median} upstream requests (max ${result.upstreamPerCall.max}), wall ${wall}`);
    return result;
  } finally {
    await setEmulatorLatency(emulatorUrl, 0);
  }
}

/** `strict`: every operation must answer (this checkout); a baseline may predate some of them. */
async function callsScenario(target: Target, strict: boolean) {
  log(`\n== Graph requests per operation (${target.name}): one warm-up send, then one send counted by the emulator`);
  const rows = await measureGraphCalls({ url: target.url, emulatorUrl, assignToken: bearerToken, manageToken });
  for (const row of rows) {
    log(`  ${row.operation.padEnd(42)} ${String(row.requests).padStart(2)} (minimum ${row.minimum})  ${row.paths.join('; ')}`);
    if (row.error) log(`    FAILED: ${row.error}`);
  }
  const failed = rows.filter((r) => r.error !== undefined);
  if (strict && failed.length > 0) throw new Error(`${target.name} failed: ${failed.map((r) => r.operation).join(', ')}`);
  return { target: target.name, rows };
}

async function coldStart(build: Build) {
  log(`\n== cold start${build.label}: spawn → first 200 on /graphql (a real query, with token verification and a Graph token), ${COLD_RUNS} runs`);
  const first: number[] = [];
  const listening: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const port = await freePort();
    const file = logFile('cold-start');
    const wallClockAtSpawn = Date.now();
    const child = startNode([...build.nodeArgs, build.entry], subgraphEnv('info', port), file);
    try {
      const ms = await firstAnswer(`http://127.0.0.1:${port}/graphql`, child);
      const ready = JSON.parse(await waitForLine(file, /ready at/, child)) as { time: string };
      first.push(ms);
      listening.push(Date.parse(ready.time) - wallClockAtSpawn);
      log(`  run ${i + 1}: listening after ${listening[i]} ms, first answer after ${ms.toFixed(0)} ms`);
    } finally {
      await child.stop();
    }
  }
  const result = { runs: COLD_RUNS, firstAnswerMs: first, listeningMs: listening, medianFirstAnswerMs: median(first), medianListeningMs: median(listening) };
  log(`  first answer ${result.medianFirstAnswerMs.toFixed(0)} ms median (${Math.min(...first).toFixed(0)}–${Math.max(...first).toFixed(0)}), listening after ${result.medianListeningMs.toFixed(0)} ms median`);
  return result;
}

async function profile(logLevel: string, build: Build) {
  log(`\n== CPU profile: the subgraph${build.label} (LOG_LEVEL=${logLevel}) under the ${PROFILE_LOAD} load, ${SECONDS} s (node --cpu-prof)`);
  const which = build === CURRENT ? '' : '-before';
  const dir = join(workDir, `profile${which}`);
  mkdirSync(dir, { recursive: true });
  const target = await startSubgraph(logLevel, { ...build, env: { ...build.env, ...PROFILE_ENV } }, ['--cpu-prof', '--cpu-prof-dir', dir]);
  try {
    const body = PROFILE_LOAD === 'pools' ? POOLS_PAGE : ASSIGN_BODIES;
    await runLoad({ url: target.url, body, headers: headers(), connections: CONNECTIONS, seconds: Math.min(3, WARMUP_SECONDS) });
    await runLoad({ url: target.url, body, headers: headers(), connections: CONNECTIONS, seconds: SECONDS });
  } finally {
    await target.process.stop();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('the subgraph wrote no CPU profile');
  const kept = join(dirname(OUT), `subgraph${which}-${PROFILE_LOAD}-${logLevel}.cpuprofile`);
  mkdirSync(dirname(kept), { recursive: true });
  copyFileSync(join(dir, file), kept);
  const summary = summariseProfile(kept, 25);
  log(`${formatSummary(summary)}\n  (profile kept at ${kept}; open it in Chrome DevTools or speedscope)`);
  return { summary, file: kept };
}

function machine(): string {
  const c = cpus();
  const distro = /^PRETTY_NAME="?([^"\n]*)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux';
  return `${c[0]?.model ?? 'unknown CPU'}, ${c.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${distro} (kernel ${release()}), Node ${process.version}`;
}

/** Columns aligned: the first two (names) to the left, the figures to the right. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  return rows.map((r) => r.map((cell, col) => (col < 2 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  ')).join('\n');
}

const verdict = (ok: boolean): string => (ok ? 'met   ' : 'MISSED');
const withFailures = (s: { name: string; failures: number }): string => s.name + (s.failures > 0 ? ` [${s.failures} failed]` : '');

async function main(): Promise<void> {
  workDir = mkdtempSync(join(tmpdir(), 'esim-bench-'));
  const started = Date.now();
  let ok = false;
  try {
    log(`machine: ${machine()}`);
    idp = await startTestIdp({ tokenLifetimeSeconds: 4 * 3600 });
    registerApp(idp);
    const token = (roles: string[]) => idp.signAccessToken({ idtyp: 'app', roles, azp: CALLER_APP_ID, appid: CALLER_APP_ID });
    bearerToken = await token(['EsimPools.Assign']);
    // The lifecycle mutations (create) need EsimPools.Manage: only the calls scenario sends them.
    manageToken = await token(['EsimPools.Assign', 'EsimPools.Manage']);
    const emulatorLog = logFile('emulator');
    emulator = startNode([EMULATOR], cleanEnv({ EMULATOR_PORT: '0', EMULATOR_MAX_RECORDED: '1000', EMULATOR_EXTRA_POOLS: '200' }), emulatorLog);
    children.push(emulator);
    emulatorUrl = /(http:\/\/127\.0\.0\.1:\d+)/.exec(await waitForLine(emulatorLog, /listening on/, emulator))?.[1] ?? '';
    // The forwarder: the subgraph's Graph credentials and inbound token checks.
    const forwarderLog = logFile('forwarder');
    const forwarderEnv = cleanEnv({ ...appModeEnv(idp, emulatorUrl), AUTH_ISSUER: idp.issuerV2, AUTH_JWKS_URL: idp.jwksUrl });
    const forwarderProcess = startNode([join(__dirname, 'bench', 'forwarder.js')], forwarderEnv, forwarderLog);
    children.push(forwarderProcess);
    const forwarderUrl = /(http:\/\/\S+)/.exec(await waitForLine(forwarderLog, /forwarder listening on/, forwarderProcess))?.[1] ?? '';
    const forwarder: Target = { name: 'forwarder (no GraphQL)', process: forwarderProcess, url: forwarderUrl, isForwarder: true };
    const info = await startSubgraph('info');
    const warn = await startSubgraph('warn');
    const targets = [forwarder, info, warn];
    for (const build of COMPARE_ENV) targets.push(await startSubgraph('info', build));
    const before = BASELINE ? await startSubgraph('info', BASELINE) : undefined;
    if (before) targets.push(before);
    // Issue 19's pair needs this build without history in the assign's rounds: started for them unless compared already.
    const compared = targets.find((t) => t.name === 'subgraph (LOG_LEVEL=info, HISTORY=off)');
    const historyOff = compared ?? (ONLY.has('assign') ? await startSubgraph('info', { ...CURRENT, env: { HISTORY: 'off' } }, [], ', HISTORY=off') : undefined);
    if (BASELINE) log(`baseline: node ${[...BASELINE.nodeArgs, BASELINE.entry].join(' ')}`);
    log(`emulator ${emulatorUrl}, forwarder ${forwarderUrl}, subgraphs ${info.url} ${warn.url}; logs in ${workDir}`);
    log(`subgraph command: node ${[...NODE_ARGS, 'dist/index.js'].join(' ')} (NODE_ENV=production, GRAPH_AUTH_MODE=app, GRAPH_WRITE_LIMIT=0, GRAPH_READ_LIMIT=0, GRAPH_MAX_CONCURRENCY=0)`);

    const throughput: Partial<Record<Scenario['key'], TargetSummary[]>> = {};
    await setEmulatorLatency(emulatorUrl, UPSTREAM_MS);
    for (const scenario of SCENARIOS.filter((s) => ONLY.has(s.key))) {
      const withOff = scenario.key === 'assign' && historyOff && !compared ? [...targets, historyOff] : targets;
      throughput[scenario.key] = await throughputScenario(scenario, withOff);
    }
    await setEmulatorLatency(emulatorUrl, 0);
    const entities = ONLY.has('entities') ? await entitiesScenario(info) : undefined;
    const entitiesBefore = ONLY.has('entities') && before ? await entitiesScenario(before) : undefined;
    const calls: Array<Awaited<ReturnType<typeof callsScenario>>> = [];
    if (ONLY.has('calls')) calls.push(await callsScenario(await startSubgraph('info', { ...CURRENT, env: { TARGET_CHECKS: 'strict' } }, [], ', target checks on'), true));
    if (ONLY.has('calls') && before) calls.push(await callsScenario(before, false));
    const cold = COLD_RUNS > 0 && ONLY.has('cold') ? await coldStart(CURRENT) : undefined;
    const coldBefore = COLD_RUNS > 0 && ONLY.has('cold') && BASELINE ? await coldStart(BASELINE) : undefined;
    const profiled = PROFILE ? await profile(PROFILE, CURRENT) : undefined;
    const profiledBefore = PROFILE && BASELINE ? await profile(PROFILE, BASELINE) : undefined;

    log(`\n==== results (${((Date.now() - started) / 1000).toFixed(0)} s; medians of ${ROUNDS} rounds of ${SECONDS} s, ${CONNECTIONS} connections, ${UPSTREAM_MS} ms upstream) ====`);
    log(`machine: ${machine()}`);
    log(`subgraph: node ${[...NODE_ARGS, 'dist/index.js'].join(' ')}`);
    const rows = [['scenario', 'target', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'peak RSS MiB', 'upstream/req', 'emulator CPU ms/req', 'vs forwarder (rounds)']];
    for (const scenario of SCENARIOS) {
      for (const s of throughput[scenario.key] ?? []) {
        const finite = s.ratios.filter((r) => Number.isFinite(r));
        const ratio = s.name.startsWith('forwarder') ? '1' : `${median(finite).toFixed(2)}× (${Math.min(...finite).toFixed(2)}–${Math.max(...finite).toFixed(2)})`;
        const figures = [s.rps.toFixed(0), String(s.p50), String(s.p99), s.cpuMsPerRequest.toFixed(3), s.peakRssMiB.toFixed(0), s.upstreamPerRequest.toFixed(2)];
        rows.push([scenario.title, withFailures(s), ...figures, s.emulatorCpuMsPerRequest.toFixed(3), ratio]);
      }
    }
    if (rows.length > 1) log(table(rows));
    if (calls.length > 0) {
      log(`\nGraph HTTP requests per operation (counted by the emulator; a $batch is one request, its items in the next column):`);
      const callRows = [['operation', 'target', 'Graph requests', '$batch items', 'minimum', 'at minimum']];
      for (const c of calls) {
        for (const r of c.rows) callRows.push([r.operation, c.target, r.error ? 'error' : String(r.requests), String(r.batchItems), String(r.minimum), r.atMinimum ? 'met' : 'ABOVE']);
      }
      log(table(callRows));
      log('(why each minimum: docs/performance.md, "The `calls` minimums")');
      for (const c of calls) {
        for (const r of c.rows.filter((row) => !row.atMinimum)) log(`  ABOVE, ${c.target}, ${r.operation}: ${r.error ?? r.paths.join('; ')}`);
      }
    }

    log('\ntargets:');
    for (const key of ['assign', 'pools'] as const) {
      const summary = throughput[key]?.find((s) => s.name === info.name);
      const ratio = summary && median(summary.ratios.filter((r) => Number.isFinite(r)));
      if (ratio !== undefined) log(`  ${verdict(ratio >= 0.5)} ${key === 'assign' ? 'assign mutation' : 'pools page'} at LOG_LEVEL=info ≥ 0.5× the forwarder's req/s: ${ratio.toFixed(2)}×`);
    }
    const loaded = [...(throughput.assign ?? []), ...(throughput.pools ?? [])].filter((s) => s.name === info.name || s.name === warn.name);
    const peakRss = Math.max(0, ...loaded.map((s) => s.peakRssMiB));
    if (peakRss > 0) log(`  ${verdict(peakRss * 2 ** 20 <= 120e6)} peak RSS under load ≤ 120 MB: ${peakRss.toFixed(0)} MiB (${((peakRss * 2 ** 20) / 1e6).toFixed(0)} MB)`);
    const on = throughput.assign?.find((s) => s.name === info.name);
    const off = throughput.assign?.find((s) => s.name === historyOff?.name);
    if (on && off) {
      // By round: the two ran minutes apart at most, so the machine's drift between rounds cancels.
      const byRound = on.rounds.map((r, i) => r.rps / (off.rounds[i]?.rps ?? Number.NaN)).filter((r) => Number.isFinite(r));
      const ratio = median(byRound);
      log(`  ${verdict(ratio >= 0.9)} assign with history ≥ 90 % of its req/s with HISTORY=off: ${ratio.toFixed(2)} (rounds ${Math.min(...byRound).toFixed(2)}–${Math.max(...byRound).toFixed(2)})`);
      const peak = (s: TargetSummary): number => Math.max(...s.rounds.map((r) => r.peakRssMiB));
      const added = peak(on) - peak(off);
      log(`  ${verdict(added * 2 ** 20 <= 15e6)} the embedded store adds ≤ 15 MB to peak RSS under the assign load: ${added.toFixed(0)} MiB (${peak(on).toFixed(0)} against ${peak(off).toFixed(0)})`);
    }
    if (entities) {
      const trips = entities.wallMs.median / entities.roundTripMs;
      log(`  ${verdict(entities.upstreamPerCall.max <= 5 && trips < 4)} _entities × 100 at 50 ms: ≤ 5 upstream requests (${entities.upstreamPerCall.max}) and < 4× a round trip (${trips.toFixed(2)}×)`);
    }
    if (calls.length > 0) {
      const above = calls[0].rows.filter((r) => !r.atMinimum);
      const list = above.length === 0 ? 'all' : above.map((r) => `${r.operation}: ${r.error ? 'error' : r.requests} > ${r.minimum}`).join('; ');
      log(`  ${verdict(above.length === 0)} every operation at its minimum Graph calls: ${list}`);
    }
    if (UPSTREAM_MS > 0) {
      const added = SCENARIOS.map((sc) => throughput[sc.key]?.find((s) => s.name === info.name)?.addedP99);
      const list = SCENARIOS.map((sc, i) => `${sc.key} ${added[i]?.toFixed(2) ?? '—'} ms`).join(', ');
      log(`  ${verdict(added.every((a) => a !== undefined && a < 5))} added latency at ${UPSTREAM_MS} ms upstream: p99 < 5 ms (${list})`);
    }
    if (cold) log(`  ${verdict(cold.medianFirstAnswerMs < 2000)} cold start < 2 s: ${cold.medianFirstAnswerMs.toFixed(0)} ms median`);

    mkdirSync(dirname(OUT), { recursive: true });
    const settings = { SECONDS, WARMUP_SECONDS, ROUNDS, CONNECTIONS, UPSTREAM_MS, ENTITIES_CALLS, COLD_RUNS, subgraphNodeArgs: NODE_ARGS, baseline: BASELINE };
    const graphCalls = calls.length > 0 ? calls : undefined;
    const results = { machine: machine(), settings, throughput, entities, entitiesBefore, graphCalls, coldStart: cold, coldStartBefore: coldBefore, profile: profiled, profileBefore: profiledBefore };
    writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
    log(`\nresults: ${OUT}`);
    ok = true;
  } finally {
    for (const child of children.reverse()) await child.stop();
    await idp?.close();
    if (ok) rmSync(workDir, { recursive: true, force: true });
    else process.stderr.write(`process logs kept in ${workDir}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
