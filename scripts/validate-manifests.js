#!/usr/bin/env node
/** `npm run lint:manifests [root]`: renders the kustomizations with `kubectl kustomize`, validates them
 * (kubernetes-models, this service's rules) and router.yaml; the rules: deploy/kubernetes/README.md. */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

/** The Kubernetes version of kubernetes-models 4.5.x's schemas (generated from the v1.33.0 OpenAPI spec). */
const KUBERNETES_VERSION = '1.33';

/** The rules, in report order; each problem names its rule as `[rule]`. */
const RULES = ['kustomize', 'schema', 'known-env', 'secret-env', 'probes', 'shutdown-timing', 'budgets', 'redis', 'history', 'router-config'];

/** Intune's budgets per app per tenant, per 20 s; without REDIS_URL each replica counts its own. */
const INTUNE_BUDGETS = { GRAPH_WRITE_LIMIT: 100, GRAPH_READ_LIMIT: 1000 };
/** Seconds from the end of SHUTDOWN_GRACE_MS to the exit: Apollo Server's stop and the trace exporter's flush. */
const SHUTDOWN_MARGIN_SECONDS = 5;
/** The least time between deletion and the listener closing, for the endpoint change to reach every proxy. */
const MIN_DRAIN_SECONDS = 3;
/** The image's migration command (applies the history store's migrations under a lock; idempotent). */
const MIGRATE_SCRIPT = 'dist/history/migrate-cli.js';

/** `kubectl kustomize dir` as objects; null when kubectl is not installed. */
function render(dir) {
  const run = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (run.error && run.error.code === 'ENOENT') return null;
  if (run.error || run.status !== 0) return { objects: [], problems: [`[kustomize] ${(run.stderr || String(run.error)).trim()}`] };
  const objects = YAML.parseAllDocuments(run.stdout).map((doc) => doc.toJS()).filter((o) => o && typeof o === 'object');
  return { objects, problems: [] };
}

/** The variables src/config's .ts files read, and the ones its SECRET_VARIABLES names. */
function knownEnvironment(files) {
  const variables = new Set();
  const secrets = new Set();
  for (const { text } of files) {
    for (const m of text.matchAll(/^\s*'?([A-Z][A-Z0-9_]*)'?\s*:/gm)) variables.add(m[1]);
    for (const m of text.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]*)\b|\[\s*'([A-Z][A-Z0-9_]*)'\s*\])/g)) variables.add(m[1] ?? m[2]);
    const secretList = /SECRET_VARIABLES\b[^=]*=([^;]*)/.exec(text);
    for (const m of secretList ? secretList[1].matchAll(/'([A-Z][A-Z0-9_]*)'/g) : []) secrets.add(m[1]);
  }
  return { variables, secrets };
}

/** What the checks compare the manifests with: src/config's variables, src/http/app.ts's routes. */
function appFacts(root) {
  const configDir = path.join(root, 'src', 'config');
  const files = fs.readdirSync(configDir, { recursive: true }).map(String).filter((f) => f.endsWith('.ts'));
  const { variables, secrets } = knownEnvironment(files.map((f) => ({ path: f, text: fs.readFileSync(path.join(configDir, f), 'utf8') })));
  const app = fs.readFileSync(path.join(root, 'src', 'http', 'app.ts'), 'utf8');
  return { knownEnv: variables, secretEnv: secrets, servedPaths: new Set([...app.matchAll(/\bcase\s+'(\/[^']*)'/g)].map((m) => m[1])) };
}

/** The object against its kind's schema; beta and alpha API versions are refused. */
function schemaProblems(object) {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || !/^[a-z0-9.]+(\/v\d+)?$|^v\d+$/.test(apiVersion) || typeof kind !== 'string' || !/^[A-Z]\w*$/.test(kind)) {
    return [`apiVersion ${String(apiVersion)} kind ${String(kind)}: not a GA Kubernetes ${KUBERNETES_VERSION} API`];
  }
  let Model;
  try {
    Model = require(`kubernetes-models/${apiVersion}/${kind}`)[kind];
  } catch {
    return [`no Kubernetes ${KUBERNETES_VERSION} schema for apiVersion ${apiVersion} kind ${kind}`];
  }
  try {
    new Model(structuredClone(object)).validate();
    return [];
  } catch (error) {
    // ajv reports each branch of a oneOf (int-or-string, quantities): one line per path.
    const byPath = new Map();
    for (const e of error.errors ?? []) {
      const messages = byPath.get(e.instancePath || '/') ?? new Set();
      if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf') messages.add(e.message);
      byPath.set(e.instancePath || '/', messages);
    }
    if (byPath.size === 0) return [String(error.message)];
    return [...byPath].map(([where, messages]) => `${where}: ${[...messages].join('; ') || 'matches none of the allowed forms'}`);
  }
}

/** A container's variables: name -> { value (when known), fromSecret, where }; envFrom first, env wins. */
function effectiveEnv(container, configMaps) {
  const env = new Map();
  for (const source of container.envFrom ?? []) {
    const cm = configMaps.get(source.configMapRef?.name);
    for (const [key, value] of Object.entries(cm?.data ?? {})) env.set(key, { value: String(value), fromSecret: false, where: `ConfigMap ${cm.metadata.name}` });
  }
  for (const e of container.env ?? []) {
    const where = `container ${container.name} env`;
    if (e.valueFrom?.secretKeyRef) env.set(e.name, { fromSecret: true, where: `${where}, Secret ${e.valueFrom.secretKeyRef.name}` });
    else if (e.valueFrom?.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      env.set(e.name, { value: configMaps.get(ref.name)?.data?.[ref.key], fromSecret: false, where: `${where}, ConfigMap ${ref.name}` });
    } else env.set(e.name, { value: e.valueFrom ? undefined : String(e.value ?? ''), fromSecret: false, where });
  }
  return env;
}

function isSecretName(name, appSecrets) {
  if (appSecrets.has(name)) return true;
  return /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|CREDENTIALS?)$/.test(name) || (/PASSWORD|SECRET/.test(name) && !/_(FILE|PATH|DIR)$/.test(name));
}

/** Checks rendered objects against the schemas and this service's rules (`facts` from appFacts): "Kind/name [rule] message" lines. */
function validateObjects(objects, facts) {
  const problems = new Set(); // a ConfigMap shared by two containers is reported once
  const report = (object, rule, message) => problems.add(`${object ? `${object.kind}/${object.metadata?.name}` : '(manifests)'} [${rule}] ${message}`);
  for (const object of objects) for (const p of schemaProblems(object)) report(object, 'schema', p);
  const deployment = objects.find((o) => o.kind === 'Deployment');
  if (!deployment) {
    report(null, 'schema', 'no Deployment');
    return [...problems];
  }
  const pod = deployment.spec?.template?.spec ?? {};
  const main = pod.containers?.[0] ?? { name: '?' };
  const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
  const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((c) => [c.metadata?.name, c]));
  const env = effectiveEnv(main, configMaps);
  const value = (name) => env.get(name)?.value;
  const ctx = { objects, deployment, pod, main, containers, configMaps, env, value, facts, report: (rule, message, object = deployment) => report(object, rule, message) };
  for (const check of [checkEnvironment, checkProbes, checkShutdown, checkBudgets, checkHistory]) check(ctx);
  return [...problems];
}

/** Every variable of the subgraph's containers is one the app reads; secrets come from a Secret. */
function checkEnvironment({ objects, containers, configMaps, facts, report }) {
  for (const container of containers) {
    if ((container.envFrom ?? []).some((source) => source.secretRef)) {
      report('secret-env', `container ${container.name}: envFrom a Secret hides which variables it sets; reference each key with valueFrom.secretKeyRef`);
    }
    for (const [name, entry] of effectiveEnv(container, configMaps)) {
      if (!facts.knownEnv.has(name)) report('known-env', `${name} (${entry.where}) is not a variable the app reads (src/config); renamed or misspelt?`);
      if (isSecretName(name, facts.secretEnv) && !entry.fromSecret) report('secret-env', `${name} (${entry.where}) looks like a secret: take it from a Secret with valueFrom.secretKeyRef`);
      if (/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(entry.value ?? '')) report('secret-env', `${name} (${entry.where}) has credentials in its URL; put them in a Secret`);
    }
  }
  for (const cm of configMaps.values()) {
    for (const key of Object.keys(cm.data ?? {})) {
      if (isSecretName(key, facts.secretEnv)) report('secret-env', `data.${key} looks like a secret; a ConfigMap is not secret: use a Secret reference`, cm);
    }
  }
  for (const secret of objects.filter((o) => o.kind === 'Secret')) {
    report('secret-env', 'a Secret in the repository puts its values in git; create it out of band (deploy/kubernetes/README.md) and reference it', secret);
  }
}

/** Liveness on /healthz, readiness on /readyz (both served by src/http/app.ts), on the app's port, as httpGet. */
function checkProbes({ main, value, facts, report }) {
  const port = value('PORT') ?? '4000';
  const appPort = (main.ports ?? []).find((p) => String(p.containerPort) === port);
  if (!appPort) report('probes', `container ${main.name}: no containerPort ${port} (the app's PORT)`);
  for (const [probe, wanted, required] of [['livenessProbe', '/healthz', true], ['readinessProbe', '/readyz', true], ['startupProbe', '/healthz', false]]) {
    const p = main[probe];
    if (!p) {
      if (required) report('probes', `container ${main.name}: no ${probe} (GET ${wanted})`);
      continue;
    }
    if (!p.httpGet) {
      report('probes', `container ${main.name}: ${probe} must be an httpGet on ${wanted} (the image has no curl or wget)`);
      continue;
    }
    if (p.httpGet.path !== wanted) report('probes', `container ${main.name}: ${probe} probes ${String(p.httpGet.path)}; it must be ${wanted}`);
    if (!facts.servedPaths.has(wanted)) report('probes', `container ${main.name}: ${probe}: src/http/app.ts no longer serves ${wanted}`);
    if (appPort && p.httpGet.port !== appPort.name && String(p.httpGet.port) !== port) {
      report('probes', `container ${main.name}: ${probe} port ${String(p.httpGet.port)} is not the app's port (${port}${appPort.name ? ` / ${appPort.name}` : ''})`);
    }
  }
}

/** preStop sleep + SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS + the stop margin fit in terminationGracePeriodSeconds. */
function checkShutdown({ pod, main, value, report }) {
  const preStop = main.lifecycle?.preStop;
  const command = preStop?.exec?.command ?? [];
  const sleep = Number.isInteger(preStop?.sleep?.seconds) ? preStop.sleep.seconds
    : path.posix.basename(String(command[0])) === 'sleep' && /^\d+$/.test(String(command[1])) ? Number(command[1]) : null;
  const delay = value('SHUTDOWN_DELAY_MS');
  const grace = value('SHUTDOWN_GRACE_MS');
  const period = pod.terminationGracePeriodSeconds;
  if (sleep === null) report('shutdown-timing', `container ${main.name}: lifecycle.preStop must sleep (sleep: {seconds: N}, or exec sleep N) so endpoints are updated before SIGTERM`);
  if (delay === undefined || grace === undefined) report('shutdown-timing', 'SHUTDOWN_DELAY_MS and SHUTDOWN_GRACE_MS must be set explicitly (the arithmetic must not rest on defaults)');
  if (!Number.isInteger(period)) report('shutdown-timing', 'spec.template.spec.terminationGracePeriodSeconds must be set explicitly');
  if (sleep === null || !/^\d+$/.test(delay ?? '') || !/^\d+$/.test(grace ?? '') || !Number.isInteger(period)) return;
  const needed = sleep + Math.ceil((Number(delay) + Number(grace)) / 1000) + SHUTDOWN_MARGIN_SECONDS;
  if (period < needed) {
    report('shutdown-timing', `terminationGracePeriodSeconds ${period} < preStop ${sleep} s + SHUTDOWN_DELAY_MS ${delay} + SHUTDOWN_GRACE_MS ${grace} + ${SHUTDOWN_MARGIN_SECONDS} s to stop = ${needed} s: in-flight requests would be killed`);
  }
  if (sleep + Number(delay) / 1000 < MIN_DRAIN_SECONDS) {
    report('shutdown-timing', `preStop ${sleep} s + SHUTDOWN_DELAY_MS ${delay} leave under ${MIN_DRAIN_SECONDS} s for the endpoint change to reach kube-proxy and the router`);
  }
}

/** Redis, which shares the budgets and locks between replicas, only over TLS; without it every replica has its own
 * budgets: each limit x maxReplicas stays within Intune's. */
function checkBudgets({ objects, deployment, value, report }) {
  const redisUrl = value('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss:\/\//i.test(redisUrl)) report('redis', `REDIS_URL ${redisUrl} is not TLS: use rediss:// (Azure Cache for Redis: port 6380)`);
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec?.scaleTargetRef?.name === deployment.metadata?.name);
  const replicas = hpa?.spec?.maxReplicas ?? deployment.spec?.replicas ?? 1;
  if (redisUrl !== undefined || replicas <= 1) return;
  const windowSeconds = Number(value('GRAPH_WRITE_WINDOW_SECONDS') ?? '20');
  for (const [name, intune] of Object.entries(INTUNE_BUDGETS)) {
    const limit = value(name);
    if (limit === undefined) {
      report('budgets', `${name} is unset (${intune} per replica by default): with ${replicas} replicas and no REDIS_URL, set it to ${Math.floor(intune / replicas)} at most`);
    } else if ((Number(limit) * 20 * replicas) / windowSeconds > intune) {
      report('budgets', `${name} ${limit} per ${windowSeconds} s x ${replicas} replicas exceeds Intune's ${intune} per 20 s per app; lower it, or share the budget (REDIS_URL)`);
    }
  }
}

/** History: production needs DATABASE_URL (from a Secret), HISTORY_PATH or HISTORY=off; migrations run first. */
function checkHistory({ objects, main, containers, configMaps, env, value, report }) {
  if (value('HISTORY') === 'off') return;
  if (value('NODE_ENV') === 'production' && !env.has('DATABASE_URL') && !env.has('HISTORY_PATH')) {
    report('history', 'NODE_ENV=production without DATABASE_URL (or HISTORY_PATH, or HISTORY=off): the app refuses to start');
  }
  if (!env.has('DATABASE_URL')) return;
  if (!env.get('DATABASE_URL').fromSecret) report('history', `DATABASE_URL (${env.get('DATABASE_URL').where}) must come from a Secret (valueFrom.secretKeyRef): it holds the database password`);
  const runsMigrate = (c) => [...(c.command ?? []), ...(c.args ?? [])].some((word) => String(word).endsWith(MIGRATE_SCRIPT));
  const jobs = objects.filter((o) => o.kind === 'Job').flatMap((job) => job.spec?.template?.spec?.containers ?? []);
  const migrate = [...containers, ...jobs].find(runsMigrate);
  if (!migrate) {
    report('history', `nothing runs the migrations: add an initContainer (or a Job) running node ${MIGRATE_SCRIPT}`);
    return;
  }
  if (containers.includes(migrate) && !(containers.indexOf(migrate) < containers.indexOf(main))) {
    report('history', `container ${migrate.name}: the migrations must run before the app (an initContainer), not beside it`);
  }
  if (migrate.image !== main.image) report('history', `container ${migrate.name}: image ${String(migrate.image)} is not the app's (${String(main.image)}); the migrations must match the code`);
  if (!effectiveEnv(migrate, configMaps).has('DATABASE_URL')) report('history', `container ${migrate.name}: no DATABASE_URL, so it migrates nothing`);
}

/** Checks router.yaml's text. */
function lintRouterConfig(text, { subgraphs, subgraph = 'esim-pools', graphTimeoutMs = 30_000 }) {
  const problems = [];
  const report = (message) => problems.push(`router.yaml [router-config] ${message}`);
  const doc = YAML.parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    report(`does not parse: ${doc.errors[0].message}`);
    return problems;
  }
  const config = doc.toJS();
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    report('is not a map');
    return problems;
  }
  const rules = [...(config.headers?.all?.request ?? []), ...(config.headers?.subgraphs?.[subgraph]?.request ?? [])];
  for (const header of ['authorization', 'x-request-id']) {
    if (!rules.some((r) => String(r?.propagate?.named ?? '').toLowerCase() === header)) {
      report(`headers: ${subgraph} does not get ${header} (propagate: {named: ${header}}); the subgraph needs it (docs/federation.md)`);
    }
  }
  const inserts = rules.filter((r) => String(r?.insert?.name ?? '').toLowerCase() === 'router-authorization');
  if (inserts.length === 0) report(`headers: ${subgraph} does not get router-authorization (insert from \${env.ROUTER_SECRET}); with ROUTER_SECRET set the subgraph refuses every request without it`);
  for (const insert of inserts) {
    if (!/^\$\{(env|file)\.[\w./-]+\}$/.test(String(insert.insert.value ?? ''))) report('headers: router-authorization must be `${env.ROUTER_SECRET}` (or `${file.<path>}`), never a literal value in the repository');
  }
  for (const matching of rules.map((r) => r?.propagate?.matching).filter((m) => typeof m === 'string')) {
    let forwards = false;
    try {
      forwards = new RegExp(matching, 'i').test('router-authorization');
    } catch {
      report(`headers: propagate.matching ${matching} is not a regular expression`);
    }
    if (forwards) report(`headers: propagate.matching ${matching} forwards a client's own router-authorization header to ${subgraph}`);
  }
  for (const section of ['headers', 'include_subgraph_errors', 'traffic_shaping']) {
    for (const name of Object.keys(config[section]?.subgraphs ?? {})) {
      if (!subgraphs.includes(name)) report(`${section}.subgraphs.${name}: no subgraph of that name in supergraph.yaml (${subgraphs.join(', ')})`);
    }
  }
  for (const [name, url] of Object.entries(config.override_subgraph_url ?? {})) {
    if (!subgraphs.includes(name)) report(`override_subgraph_url.${name}: no subgraph of that name in supergraph.yaml`);
    const literal = String(url).replace(/^\$\{env\.\w+:-(.*)\}$/, '$1');
    if (name === subgraph && !/^https?:\/\/[^/]+\/graphql$/.test(literal)) report(`override_subgraph_url.${name}: ${url} must be http(s)://host[:port]/graphql (the subgraph serves /graphql only)`);
  }
  const subgraphTimeout = duration(config.traffic_shaping?.subgraphs?.[subgraph]?.timeout ?? config.traffic_shaping?.all?.timeout);
  const routerTimeout = duration(config.traffic_shaping?.router?.timeout);
  if (subgraphTimeout === undefined) report(`traffic_shaping: no timeout for ${subgraph} (the Router's default is 30 s)`);
  else if (subgraphTimeout === null) report(`traffic_shaping: the ${subgraph} timeout is not a duration such as 35s`);
  else if (subgraphTimeout <= graphTimeoutMs) report(`traffic_shaping: the ${subgraph} timeout (${subgraphTimeout} ms) must exceed the subgraph's GRAPH_TIMEOUT_MS (${graphTimeoutMs}), so clients get its UPSTREAM_TIMEOUT rather than a router timeout`);
  if (routerTimeout === undefined) report('traffic_shaping.router.timeout is not set (the Router\'s default is 30 s)');
  else if (routerTimeout === null) report('traffic_shaping.router.timeout is not a duration such as 40s');
  else if (typeof subgraphTimeout === 'number' && routerTimeout < subgraphTimeout) report(`traffic_shaping.router.timeout (${routerTimeout} ms) is shorter than the ${subgraph} timeout (${subgraphTimeout} ms)`);
  return problems;
}

/** A Router (humantime) duration in ms ("35s", "1m 30s", "500ms"); undefined when unset, null when not one. */
function duration(value) {
  if (value === undefined || value === null) return undefined;
  const units = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };
  let total = 0;
  for (const part of String(value).trim().split(/\s+/)) {
    const match = /^(\d+)(ms|s|sec|m|min|h)$/.exec(part);
    if (!match) return null;
    total += Number(match[1]) * units[match[2]];
  }
  return total;
}

/** Everything `npm run lint:manifests` checks. */
function checkRepository(root) {
  const facts = appFacts(root);
  const overlays = path.join(root, 'deploy', 'kubernetes', 'overlays');
  const targets = [path.join(root, 'deploy', 'kubernetes', 'base'), ...fs.readdirSync(overlays).sort().map((name) => path.join(overlays, name))];
  const problems = [];
  let objectCount = 0;
  let kubectl = true;
  let graphTimeoutMs = 30_000;
  for (const dir of targets) {
    const rendered = render(dir);
    if (!rendered) {
      kubectl = false;
      break;
    }
    const label = path.relative(root, dir);
    problems.push(...[...rendered.problems, ...validateObjects(rendered.objects, facts)].map((p) => `${label}: ${p}`));
    objectCount += rendered.objects.length;
    const timeout = rendered.objects.find((o) => o.kind === 'ConfigMap')?.data?.GRAPH_TIMEOUT_MS;
    if (path.basename(dir) === 'production' && timeout) graphTimeoutMs = Number(timeout);
  }
  const supergraph = YAML.parse(fs.readFileSync(path.join(root, 'supergraph.yaml'), 'utf8'));
  problems.push(...lintRouterConfig(fs.readFileSync(path.join(root, 'router.yaml'), 'utf8'), { subgraphs: Object.keys(supergraph?.subgraphs ?? {}), graphTimeoutMs }));
  return { problems, targets: targets.map((d) => path.relative(root, d)), objectCount, kubectl };
}

function main() {
  const result = checkRepository(path.resolve(process.argv[2] ?? '.'));
  for (const problem of result.problems) process.stderr.write(`${problem}\n`);
  if (!result.kubectl) {
    const required = process.env.REQUIRE_REAL_PARTS === '1' || process.env.CI === 'true';
    process.stderr.write(`\n!!! ${required ? 'FAILED' : 'SKIPPED'}: kubectl is not installed: deploy/kubernetes was not rendered nor checked (router.yaml was). Install kubectl (it has kustomize built in).\n\n`);
    if (required) process.exit(1);
  }
  if (result.problems.length > 0) {
    process.stderr.write(`lint:manifests: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}\n`);
    process.exit(1);
  }
  const what = result.kubectl ? `${result.targets.join(', ')}: ${result.objectCount} objects against Kubernetes ${KUBERNETES_VERSION}; ` : '';
  process.stdout.write(`lint:manifests: ok (${RULES.length} rules; ${what}router.yaml)\n`);
}

module.exports = { KUBERNETES_VERSION, RULES, render, knownEnvironment, appFacts, validateObjects, lintRouterConfig, checkRepository };

if (require.main === module) main();
