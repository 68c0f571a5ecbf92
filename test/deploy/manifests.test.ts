/**
 * scripts/validate-manifests.js (`npm run lint:manifests`): the repository's manifests and router.yaml pass, and every
 * rule catches what it is there for, on a copy of the real `kubectl kustomize` rendering with one thing changed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import {
  KUBERNETES_VERSION,
  RULES,
  appFacts,
  checkRepository,
  knownEnvironment,
  lintRouterConfig,
  render,
  validateObjects,
  type AppFacts,
  type KubernetesObject,
} from '../../scripts/validate-manifests';
import { describeWithPart, findExecutable } from '../support/real-parts';

const ROOT = path.join(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'validate-manifests.js');
const BASE = path.join(ROOT, 'deploy', 'kubernetes', 'base');
const PRODUCTION = path.join(ROOT, 'deploy', 'kubernetes', 'overlays', 'production');
const ROUTER_YAML = fs.readFileSync(path.join(ROOT, 'router.yaml'), 'utf8');
const SUBGRAPHS = ['esim-pools', 'directory'];
const facts: AppFacts = appFacts(ROOT);
const KUBECTL = findExecutable('kubectl') !== undefined;

/** The problems reported for one rule. */
function problemsOf(rule: string, problems: string[]): string[] {
  return problems.filter((p) => p.includes(`[${rule}]`));
}

/** The one object of a kind, typed as its kubernetes-models interface (fails unless there is exactly one). */
function only<T>(objects: KubernetesObject[], kind: string): T {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as T;
}

/** A rendering, its Deployment's app container and pod spec, and its ConfigMap's data, for editing. */
function parts(objects: KubernetesObject[]) {
  const deployment = only<IDeployment>(objects, 'Deployment');
  const pod = deployment.spec!.template.spec!;
  return { objects, deployment, pod, app: pod.containers[0], data: only<IConfigMap>(objects, 'ConfigMap').data! };
}

function renderOrThrow(dir: string): KubernetesObject[] {
  const rendered = render(dir);
  if (!rendered || rendered.problems.length > 0) throw new Error(`kubectl kustomize ${dir}: ${rendered?.problems.join('\n') ?? 'no kubectl'}`);
  return rendered.objects;
}

describe('validate-manifests: the command', () => {
  it('without kubectl: one loud line and router.yaml only; with REQUIRE_REAL_PARTS=1 it fails', () => {
    const env = { PATH: '/nonexistent', REQUIRE_REAL_PARTS: '' };
    const skipped = spawnSync(process.execPath, [SCRIPT], { cwd: ROOT, encoding: 'utf8', env });
    expect(skipped.stderr).toContain('!!! SKIPPED: kubectl is not installed');
    expect(skipped.status).toBe(0);
    expect(skipped.stdout).toBe(`lint:manifests: ok (${RULES.length} rules; router.yaml)\n`);
    const required = spawnSync(process.execPath, [SCRIPT], { cwd: ROOT, encoding: 'utf8', env: { ...env, REQUIRE_REAL_PARTS: '1' } });
    expect(required.stderr).toContain('!!! FAILED: kubectl is not installed');
    expect(required.status).toBe(1);
  });

  it('pins the schemas of one Kubernetes version; the rule list has no duplicates', () => {
    expect(KUBERNETES_VERSION).toBe('1.33');
    expect(new Set(RULES).size).toBe(RULES.length);
  });
});

describeWithPart('kubectl', KUBECTL, 'https://kubernetes.io/docs/tasks/tools/ (kustomize is built in)')('validate-manifests over `kubectl kustomize`', () => {
  let rendered: KubernetesObject[];
  let baseRendered: KubernetesObject[];
  beforeAll(() => {
    rendered = renderOrThrow(PRODUCTION);
    baseRendered = renderOrThrow(BASE);
  });
  const production = () => parts(structuredClone(rendered));
  const base = () => parts(structuredClone(baseRendered));
  const check = (objects: KubernetesObject[], withFacts: AppFacts = facts): string[] => validateObjects(objects, withFacts);

  describe('the repository', () => {
    it('passes: base, every overlay and router.yaml, as `npm run lint:manifests`', () => {
      const result = checkRepository(ROOT);
      expect(result.problems).toEqual([]);
      expect(result.targets).toEqual(['deploy/kubernetes/base', 'deploy/kubernetes/overlays/production']);
      const run = spawnSync(process.execPath, [SCRIPT], { cwd: ROOT, encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`: ${result.objectCount} objects against Kubernetes ${KUBERNETES_VERSION}; router.yaml)`);
    });

    it('exits 1 with one line per problem on a broken copy of the repository, and reports what kustomize refuses', () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'manifests-cli-'));
      try {
        for (const part of ['deploy', 'src/config', 'src/http/app.ts', 'router.yaml', 'supergraph.yaml']) fs.cpSync(path.join(ROOT, part), path.join(root, part), { recursive: true });
        const configMap = path.join(root, 'deploy/kubernetes/base/configmap.yaml');
        fs.writeFileSync(configMap, fs.readFileSync(configMap, 'utf8').replace('LOG_LEVEL: info', 'LOG_LEVL: info'));
        const run = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
        expect(run.status).toBe(1);
        expect(problemsOf('known-env', run.stderr.split('\n'))).toEqual([
          'deploy/kubernetes/base: Deployment/esim-pools-subgraph [known-env] LOG_LEVL (ConfigMap esim-pools-subgraph) is not a variable the app reads (src/config); renamed or misspelt?',
          'deploy/kubernetes/overlays/production: Deployment/esim-pools-subgraph [known-env] LOG_LEVL (ConfigMap esim-pools-subgraph) is not a variable the app reads (src/config); renamed or misspelt?',
        ]);
        expect(run.stderr).toContain('lint:manifests: 2 problems');

        const overlay = path.join(root, 'deploy/kubernetes/overlays/production/kustomization.yaml');
        fs.writeFileSync(overlay, fs.readFileSync(overlay, 'utf8').replace('- ../../components/postgresql', '- ../../components/postgres'));
        expect(render(path.dirname(overlay))?.problems).toEqual([expect.stringMatching(/^\[kustomize\] .*components\/postgres\b/s)]);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });

    it('renders production with Redis and PostgreSQL: shared budgets, both secrets by reference, the migration first', () => {
      const { data, app, pod } = production();
      expect(data.REDIS_URL).toMatch(/^rediss:\/\//);
      expect([data.GRAPH_WRITE_LIMIT, data.GRAPH_READ_LIMIT, data.HISTORY]).toEqual(['95', '950', undefined]);
      expect(app.env?.map((e) => [e.name, e.valueFrom?.secretKeyRef?.name])).toEqual([
        ['ROUTER_SECRET', 'esim-pools-subgraph-secrets'],
        ['REDIS_PASSWORD', 'esim-pools-subgraph-secrets'],
        ['DATABASE_URL', 'esim-pools-subgraph-secrets'],
      ]);
      expect(pod.initContainers?.map((c) => [c.name, c.image, c.command])).toEqual([['migrate', app.image, ['node', 'dist/history/migrate-cli.js']]]);
      // Without the components the budgets are per replica and history is off.
      expect([base().data.GRAPH_WRITE_LIMIT, base().data.GRAPH_READ_LIMIT, base().data.HISTORY]).toEqual(['16', '160', 'off']);
    });
  });

  describe('schema (kubernetes-models)', () => {
    it('a ConfigMap value that is not a string, a port that is not a number, a quantity that is not one', () => {
      const p = production();
      p.data.SHUTDOWN_DELAY_MS = 5000 as unknown as string;
      p.app.ports![0].containerPort = 'http' as unknown as number;
      p.app.resources!.limits!.memory = 'lots';
      const problems = problemsOf('schema', check(p.objects));
      expect(problems).toEqual([
        'ConfigMap/esim-pools-subgraph [schema] /data/SHUTDOWN_DELAY_MS: must be string',
        expect.stringContaining('/spec/template/spec/containers/0/ports/0/containerPort: must be integer'),
        expect.stringContaining('/spec/template/spec/containers/0/resources/limits/memory:'),
      ]);
    });

    it('a beta API version, and a kind without a schema', () => {
      const p = production();
      const pdb = p.objects.find((o) => o.kind === 'PodDisruptionBudget')!;
      pdb.apiVersion = 'policy/v1beta1';
      p.objects.push({ apiVersion: 'v1', kind: 'Widget', metadata: { name: 'w' } });
      expect(problemsOf('schema', check(p.objects))).toEqual([
        expect.stringContaining('PodDisruptionBudget/esim-pools-subgraph [schema] apiVersion policy/v1beta1 kind PodDisruptionBudget: not a GA Kubernetes 1.33 API'),
        'Widget/w [schema] no Kubernetes 1.33 schema for apiVersion v1 kind Widget',
      ]);
    });
  });

  describe('known-env and secret-env', () => {
    it('a variable the app does not read (a misspelling), also in the migration container', () => {
      const p = production();
      p.data.LOG_LEVL = 'debug';
      p.pod.initContainers![0].env!.push({ name: 'DATABSE_URL', value: 'x' });
      expect(problemsOf('known-env', check(p.objects))).toEqual([
        'Deployment/esim-pools-subgraph [known-env] LOG_LEVL (ConfigMap esim-pools-subgraph) is not a variable the app reads (src/config); renamed or misspelt?',
        expect.stringContaining('DATABSE_URL (container migrate env) is not a variable the app reads'),
      ]);
    });

    it('a variable renamed in src/config fails the manifests that still set the old name', () => {
      const files = fs.readdirSync(path.join(ROOT, 'src', 'config')).map((f) => ({ path: f, text: fs.readFileSync(path.join(ROOT, 'src', 'config', f), 'utf8') }));
      expect(files.some((f) => f.text.includes('SHUTDOWN_DELAY_MS'))).toBe(true);
      const renamed = knownEnvironment(files.map((f) => ({ ...f, text: f.text.replace(/SHUTDOWN_DELAY_MS/g, 'SHUTDOWN_DRAIN_MS') })));
      const problems = check(production().objects, { ...facts, knownEnv: renamed.variables });
      expect(problemsOf('known-env', problems)).toEqual([expect.stringContaining('SHUTDOWN_DELAY_MS (ConfigMap esim-pools-subgraph) is not a variable the app reads')]);
    });

    it('reads the variables from the source: object keys, env reads, the secret set', () => {
      const { variables, secrets } = knownEnvironment([
        {
          path: 'x.ts',
          text: [
            "const a = z.object({\n  PORT: int,\n  'QUOTED_NAME': z.string(),\n  lowercase: z.string(),\n});",
            "const c = process.env.DIRECT_READ ?? env['BRACKET_READ'];",
            "const SECRET_VARIABLES = new Set(['MY_SECRET']);",
          ].join('\n'),
        },
      ]);
      expect([...variables].sort()).toEqual(['BRACKET_READ', 'DIRECT_READ', 'PORT', 'QUOTED_NAME']);
      expect([...secrets]).toEqual(['MY_SECRET']);
      for (const name of ['SHUTDOWN_DELAY_MS', 'GRAPH_READ_LIMIT', 'REDIS_URL', 'REDIS_PASSWORD', 'ROUTER_SECRET']) expect(facts.knownEnv.has(name)).toBe(true);
      expect(facts.secretEnv.has('ROUTER_SECRET')).toBe(true);
    });

    it('a secret as a plain value, in a ConfigMap, in a URL, as a Secret object, or through envFrom', () => {
      const p = production();
      p.app.env![0] = { name: 'ROUTER_SECRET', value: 'not-a-real-secret-value' };
      p.data.AZURE_CLIENT_SECRET = 'x';
      p.data.OTEL_EXPORTER_OTLP_ENDPOINT = 'https://user:pass@collector.example:4318';
      p.app.envFrom!.push({ secretRef: { name: 'esim-pools-subgraph-secrets' } });
      p.objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'esim-pools-subgraph-secrets' }, stringData: { ROUTER_SECRET: 'x'.repeat(16) } });
      expect(problemsOf('secret-env', check(p.objects))).toEqual([
        expect.stringContaining('AZURE_CLIENT_SECRET (ConfigMap esim-pools-subgraph) looks like a secret'),
        expect.stringContaining('OTEL_EXPORTER_OTLP_ENDPOINT (ConfigMap esim-pools-subgraph) has credentials in its URL'),
        expect.stringContaining('container subgraph: envFrom a Secret hides which variables it sets'),
        expect.stringContaining('ROUTER_SECRET (container subgraph env) looks like a secret'),
        'ConfigMap/esim-pools-subgraph [secret-env] data.AZURE_CLIENT_SECRET looks like a secret; a ConfigMap is not secret: use a Secret reference',
        expect.stringContaining('Secret/esim-pools-subgraph-secrets [secret-env] a Secret in the repository'),
      ]);
    });

    it('names that only say where a secret is, or its cache size, are not secrets', () => {
      const p = production();
      p.data.AZURE_CLIENT_CERTIFICATE_PATH = '/var/run/secrets/cert.pem';
      p.data.AUTH_TOKEN_CACHE_SIZE = '1000';
      expect(problemsOf('secret-env', check(p.objects))).toEqual([]);
    });
  });

  describe('probes', () => {
    const edit = (change: (app: IContainer) => void): string[] => {
      const p = production();
      change(p.app);
      return problemsOf('probes', check(p.objects));
    };

    it('liveness on /readyz (503 in an Entra ID outage, which a restart does not fix), an exec probe, another port', () => {
      expect(edit((app) => (app.livenessProbe!.httpGet!.path = '/readyz'))).toEqual(['Deployment/esim-pools-subgraph [probes] container subgraph: livenessProbe probes /readyz; it must be /healthz']);
      expect(edit((app) => (app.startupProbe = { exec: { command: ['curl', '-f', 'http://127.0.0.1:4000/healthz'] } }))).toEqual([expect.stringContaining('startupProbe must be an httpGet')]);
      expect(edit((app) => (app.readinessProbe!.httpGet!.port = 8080))).toEqual([expect.stringContaining("readinessProbe port 8080 is not the app's port (4000 / http)")]);
      expect(edit((app) => delete app.readinessProbe)).toEqual([expect.stringContaining('no readinessProbe (GET /readyz)')]);
    });

    it('a path src/http/app.ts stopped serving, a PORT no container port matches', () => {
      const withoutReadyz: AppFacts = { ...facts, servedPaths: new Set([...facts.servedPaths].filter((p) => p !== '/readyz')) };
      expect(problemsOf('probes', check(production().objects, withoutReadyz))).toEqual([expect.stringContaining('readinessProbe: src/http/app.ts no longer serves /readyz')]);
      const p = production();
      p.data.PORT = '8080';
      expect(problemsOf('probes', check(p.objects))).toContainEqual(expect.stringContaining('no containerPort 8080'));
    });
  });

  describe('shutdown-timing', () => {
    it('passes at exactly the time needed (5 s preStop + 5 s delay + 15 s grace + 5 s to stop) and fails one second below', () => {
      const p = production();
      expect([p.app.lifecycle?.preStop?.sleep?.seconds, p.data.SHUTDOWN_DELAY_MS, p.data.SHUTDOWN_GRACE_MS, p.pod.terminationGracePeriodSeconds]).toEqual([5, '5000', '15000', 35]);
      p.pod.terminationGracePeriodSeconds = 30;
      expect(problemsOf('shutdown-timing', check(p.objects))).toEqual([]);
      p.pod.terminationGracePeriodSeconds = 29;
      expect(problemsOf('shutdown-timing', check(p.objects))).toEqual([
        'Deployment/esim-pools-subgraph [shutdown-timing] terminationGracePeriodSeconds 29 < preStop 5 s + SHUTDOWN_DELAY_MS 5000 + SHUTDOWN_GRACE_MS 15000 + 5 s to stop = 30 s: in-flight requests would be killed',
      ]);
    });

    it('counts an exec sleep preStop and a longer SHUTDOWN_GRACE_MS', () => {
      const p = production();
      p.app.lifecycle!.preStop = { exec: { command: ['/bin/sleep', '11'] } };
      expect(problemsOf('shutdown-timing', check(p.objects))).toEqual([expect.stringContaining('= 36 s')]);
      const q = production();
      q.data.SHUTDOWN_GRACE_MS = '30000';
      expect(problemsOf('shutdown-timing', check(q.objects))).toEqual([expect.stringContaining('SHUTDOWN_GRACE_MS 30000 + 5 s to stop = 45 s')]);
    });

    it('no preStop sleep, SHUTDOWN_* left to defaults, no explicit grace period, no time for the endpoint change', () => {
      const p = production();
      delete p.app.lifecycle;
      delete p.data.SHUTDOWN_DELAY_MS;
      delete p.pod.terminationGracePeriodSeconds;
      expect(problemsOf('shutdown-timing', check(p.objects))).toEqual([
        expect.stringContaining('lifecycle.preStop must sleep'),
        expect.stringContaining('SHUTDOWN_DELAY_MS and SHUTDOWN_GRACE_MS must be set explicitly'),
        expect.stringContaining('terminationGracePeriodSeconds must be set explicitly'),
      ]);
      const q = production();
      q.app.lifecycle!.preStop!.sleep!.seconds = 1;
      q.data.SHUTDOWN_DELAY_MS = '1000';
      expect(problemsOf('shutdown-timing', check(q.objects))).toEqual([expect.stringContaining('leave under 3 s for the endpoint change')]);
    });
  });

  describe('budgets and redis', () => {
    it('without Redis (base), each per-replica budget x maxReplicas stays within Intune\'s', () => {
      const p = base();
      only<IHorizontalPodAutoscaler>(p.objects, 'HorizontalPodAutoscaler').spec!.maxReplicas = 7;
      expect(problemsOf('budgets', check(p.objects))).toEqual([
        expect.stringContaining("GRAPH_WRITE_LIMIT 16 per 20 s x 7 replicas exceeds Intune's 100 per 20 s"),
        expect.stringContaining("GRAPH_READ_LIMIT 160 per 20 s x 7 replicas exceeds Intune's 1000 per 20 s"),
      ]);
      const q = base();
      delete q.data.GRAPH_READ_LIMIT;
      q.data.GRAPH_WRITE_WINDOW_SECONDS = '10';
      expect(problemsOf('budgets', check(q.objects))).toEqual([
        expect.stringContaining('GRAPH_WRITE_LIMIT 16 per 10 s x 6 replicas exceeds'),
        expect.stringContaining('GRAPH_READ_LIMIT is unset (1000 per replica by default): with 6 replicas and no REDIS_URL, set it to 166 at most'),
      ]);
    });

    it('with Redis the budgets are shared (no per-replica check), and Redis must be TLS', () => {
      const p = production();
      only<IHorizontalPodAutoscaler>(p.objects, 'HorizontalPodAutoscaler').spec!.maxReplicas = 20;
      expect(problemsOf('budgets', check(p.objects))).toEqual([]);
      p.data.REDIS_URL = 'redis://esim-pools.redis.cache.windows.net:6380';
      expect(problemsOf('redis', check(p.objects))).toEqual([expect.stringContaining('is not TLS: use rediss://')]);
    });
  });

  describe('history', () => {
    it('production without DATABASE_URL refuses to start, unless HISTORY=off or HISTORY_PATH', () => {
      const p = production();
      p.app.env = p.app.env!.filter((e) => e.name !== 'DATABASE_URL');
      expect(problemsOf('history', check(p.objects))).toEqual([expect.stringContaining('NODE_ENV=production without DATABASE_URL (or HISTORY_PATH, or HISTORY=off): the app refuses to start')]);
      p.data.HISTORY = 'off';
      expect(problemsOf('history', check(p.objects))).toEqual([]);
      expect(problemsOf('history', check(base().objects))).toEqual([]);
    });

    it('DATABASE_URL as a plain value (its password in the manifests)', () => {
      const p = production();
      p.app.env = p.app.env!.map((e) => (e.name === 'DATABASE_URL' ? { name: e.name, value: 'postgres://app:pw@db:5432/esim' } : e));
      const problems = check(p.objects);
      expect(problemsOf('history', problems)).toEqual([expect.stringContaining('DATABASE_URL (container subgraph env) must come from a Secret')]);
      expect(problemsOf('secret-env', problems)).toContainEqual(expect.stringContaining('DATABASE_URL (container subgraph env) has credentials in its URL'));
    });

    it('no migration, one beside the app instead of before it, on another image, or without the database', () => {
      const p = production();
      const [migrate] = p.pod.initContainers!;
      delete p.pod.initContainers;
      expect(problemsOf('history', check(p.objects))).toEqual([expect.stringContaining('nothing runs the migrations')]);
      p.pod.containers.push(migrate);
      expect(problemsOf('history', check(p.objects))).toEqual([expect.stringContaining('container migrate: the migrations must run before the app')]);
      p.pod.containers.pop();
      p.pod.initContainers = [{ ...migrate, image: 'contoso.azurecr.io/esim-pools-subgraph:0.9.0', env: [] }];
      expect(problemsOf('history', check(p.objects))).toEqual([
        expect.stringContaining("image contoso.azurecr.io/esim-pools-subgraph:0.9.0 is not the app's"),
        expect.stringContaining('container migrate: no DATABASE_URL'),
      ]);
    });

    it('accepts a Job running the migrations instead', () => {
      const p = production();
      const [migrate] = p.pod.initContainers!;
      delete p.pod.initContainers;
      p.objects.push({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [migrate] } } } });
      expect(check(p.objects)).toEqual([]);
    });
  });
});

describe('validate-manifests: router.yaml', () => {
  const lint = (text: string, graphTimeoutMs = 30_000): string[] => lintRouterConfig(text, { subgraphs: SUBGRAPHS, graphTimeoutMs });
  /** router.yaml with `from` replaced by `to`; throws when `from` is not in it. */
  const routerWith = (from: string, to: string): string => {
    if (!ROUTER_YAML.includes(from)) throw new Error(`router.yaml no longer contains ${from}`);
    return ROUTER_YAML.replace(from, to);
  };

  it('passes the real router.yaml', () => {
    expect(lint(ROUTER_YAML)).toEqual([]);
  });

  it('a header the subgraph needs that is not forwarded', () => {
    expect(lint(routerWith('        - propagate:\n            named: x-request-id\n', ''))).toEqual([expect.stringContaining('esim-pools does not get x-request-id')]);
  });

  it('the router secret as a literal value, or not sent at all', () => {
    expect(lint(routerWith('value: ${env.ROUTER_SECRET}', 'value: correct-horse-battery-staple'))).toEqual([expect.stringContaining('router-authorization must be `${env.ROUTER_SECRET}`')]);
    expect(lint(routerWith('        - insert:\n            name: router-authorization\n            value: ${env.ROUTER_SECRET}\n', ''))).toEqual([expect.stringContaining('does not get router-authorization')]);
  });

  it("a propagation that would forward a client's own router-authorization", () => {
    expect(lint(routerWith('        - propagate:\n            named: authorization\n', '        - propagate:\n            named: authorization\n        - propagate:\n            matching: ^router-.*\n'))).toEqual([
      expect.stringContaining("propagate.matching ^router-.* forwards a client's own router-authorization"),
    ]);
  });

  it('a subgraph name that supergraph.yaml does not have', () => {
    expect(lintRouterConfig(ROUTER_YAML, { subgraphs: ['directory', 'esim'], subgraph: 'esim' })).toEqual(
      expect.arrayContaining([
        expect.stringContaining('headers.subgraphs.esim-pools: no subgraph of that name in supergraph.yaml'),
        expect.stringContaining('override_subgraph_url.esim-pools: no subgraph of that name'),
      ]),
    );
  });

  it("timeouts shorter than the subgraph's Graph deadline, or a router timeout shorter than the subgraph's", () => {
    expect(lint(ROUTER_YAML, 35_000)).toEqual([expect.stringContaining("the esim-pools timeout (35000 ms) must exceed the subgraph's GRAPH_TIMEOUT_MS (35000)")]);
    expect(lint(routerWith('timeout: 40s', 'timeout: 30s'))).toEqual([expect.stringContaining('traffic_shaping.router.timeout (30000 ms) is shorter than the esim-pools timeout (35000 ms)')]);
    expect(lint(routerWith('timeout: 35s', 'timeout: soon'))).toEqual([expect.stringContaining('the esim-pools timeout is not a duration')]);
  });

  it('an override URL without /graphql, and YAML that does not parse (a duplicate key)', () => {
    expect(lint(routerWith('esim-pools.svc.cluster.local/graphql}', 'esim-pools.svc.cluster.local/}'))).toEqual([expect.stringContaining('must be http(s)://host[:port]/graphql')]);
    expect(lint(`${ROUTER_YAML}\nsandbox:\n  enabled: true\n`)).toEqual([expect.stringContaining('router.yaml [router-config] does not parse')]);
  });
});
