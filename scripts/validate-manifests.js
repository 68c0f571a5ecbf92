#!/usr/bin/env node
/**
 * `npm run lint:manifests`: renders and checks the Kubernetes manifests (deploy/kubernetes) and the Apollo Router
 * configuration (router.yaml), offline.
 *
 * 1. Rendering: deploy/kubernetes/base and every overlay under deploy/kubernetes/overlays are rendered with the
 *    subset of kustomize this repository uses (resources, components, namespace, images, JSON 6902 patches). Any
 *    other kustomize field is refused rather than ignored, so a rendering here is what `kubectl apply -k` applies
 *    (test/deploy/manifests.test.ts compares it with `kubectl kustomize` where kubectl is installed).
 * 2. Schemas: every object against the Kubernetes API's OpenAPI schemas for Kubernetes 1.33 (the npm package
 *    kubernetes-models 4.5.x, compiled from the v1.33.0 spec), plus unknown fields: the schemas allow extra
 *    properties, so a misspelt `livenesProbe` would pass them; here it is an error, found through the package's
 *    TypeScript declarations of the same API.
 * 3. Policy: the pod and container security context (Pod Security "restricted" and more), probes on the paths
 *    src/http/app.ts serves, pinned images, resources, secrets only by Secret reference, every environment variable
 *    one that src/config reads, the preStop + SHUTDOWN_* + terminationGracePeriodSeconds arithmetic, selectors that
 *    select, workload identity, the NetworkPolicy, autoscaling and disruption budget, Intune's write budget, Redis
 *    over TLS.
 * 4. router.yaml: parses, uses only keys the Router's configuration reference documents, forwards Authorization
 *    and x-request-id, sends router-authorization from the environment (never a literal), names only subgraphs of
 *    supergraph.yaml, and has timeouts longer than the subgraph's own Graph deadline.
 *
 * Usage: node scripts/validate-manifests.js   (from the repository root, or give the root as the argument)
 * Exits 0 and prints "lint:manifests: ok (...)", or prints one line per problem and exits 1.
 * The pieces are exported for the tests (scripts/validate-manifests.d.ts).
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');
// One parser of image references for both linters (the Dockerfile's FROM lines, the manifests' images).
const { parseImageReference } = require('./lint-dockerfile');

/** The Kubernetes version whose API schemas the manifests are checked against (kubernetes-models 4.5.x). */
const KUBERNETES_VERSION = '1.33';
/**
 * The API versions Kubernetes 1.33 serves by default (GA). kubernetes-models keeps the schemas of removed versions
 * (policy/v1beta1, autoscaling/v2beta2, ...) for old clusters, so a schema alone would accept them; a beta version is
 * off by default or gone. https://kubernetes.io/docs/reference/using-api/deprecation-guide/
 */
const SERVED_API_VERSIONS = new Set([
  'v1', 'apps/v1', 'batch/v1', 'autoscaling/v1', 'autoscaling/v2', 'policy/v1', 'networking.k8s.io/v1',
  'rbac.authorization.k8s.io/v1', 'storage.k8s.io/v1', 'scheduling.k8s.io/v1', 'coordination.k8s.io/v1',
  'discovery.k8s.io/v1', 'events.k8s.io/v1', 'node.k8s.io/v1', 'admissionregistration.k8s.io/v1',
  'apiextensions.k8s.io/v1', 'certificates.k8s.io/v1', 'flowcontrol.apiserver.k8s.io/v1', 'apiregistration.k8s.io/v1',
]);
/** kubernetes-models releases and the Kubernetes versions of their schemas (its CHANGELOG). */
const SCHEMA_PACKAGE_VERSIONS = { '4.5': '1.33' };

/** The rules, in report order; `lint:manifests: ok (N checks)` counts them. */
const RULES = [
  'kustomize',
  'schema',
  'unknown-field',
  'required-objects',
  'no-secret-objects',
  'pod-security',
  'container-security',
  'probes',
  'image-pinned',
  'resources',
  'secret-env',
  'known-env',
  'env-references',
  'shutdown-timing',
  'selectors',
  'workload-identity',
  'network-policy',
  'autoscaling',
  'write-budget',
  'redis',
  'router-config',
];

// ---------------------------------------------------------------------------------------------------------------
// Rendering (the kustomize subset)
// ---------------------------------------------------------------------------------------------------------------

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const KUSTOMIZATION_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'components', 'namespace', 'images', 'patches']);
const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass',
  'PriorityClass', 'IngressClass', 'RuntimeClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'APIService', 'Node',
]);

/**
 * Renders a kustomization directory like `kubectl kustomize`, for the features this repository uses.
 * `extraComponents` (directories, relative to `dir`) are applied after the kustomization's own components, as if
 * listed there: the tests render an overlay with a component it does not list yet.
 * Returns the objects, each with the file it came from (relative to `root`), and the rendering problems.
 */
function renderKustomization(dir, { root = process.cwd(), extraComponents = [] } = {}) {
  const problems = [];
  const ctx = { root, problems, stack: [] };
  const objects = renderDir(path.resolve(dir), extraComponents.map((c) => path.resolve(dir, c)), ctx);
  return { objects, problems };
}

/** A Kustomization: its resources, then its components (in order), then its own transformers. */
function renderDir(dir, extraComponents, ctx) {
  const loaded = loadKustomization(dir, 'Kustomization', ctx);
  if (!loaded) return [];
  const { k, kfile } = loaded;
  ctx.stack.push(dir);
  let items = accumulateResources(k, kfile, dir, ctx);
  for (const component of [...listOf(k.components, kfile, 'components', ctx).map((c) => path.resolve(dir, c)), ...extraComponents]) {
    items = applyComponent(component, items, ctx);
  }
  items = applyTransformers(k, items, kfile, dir, ctx);
  ctx.stack.pop();
  return items;
}

/**
 * A Component works on what it is given: its own resources are added to the parent's, its own components run, then
 * its transformers run over all of them (which is how it can patch the parent's objects).
 */
function applyComponent(dir, items, ctx) {
  const loaded = loadKustomization(dir, 'Component', ctx);
  if (!loaded) return items;
  const { k, kfile } = loaded;
  ctx.stack.push(dir);
  let all = [...items, ...accumulateResources(k, kfile, dir, ctx)];
  for (const component of listOf(k.components, kfile, 'components', ctx)) all = applyComponent(path.resolve(dir, component), all, ctx);
  all = applyTransformers(k, all, kfile, dir, ctx);
  ctx.stack.pop();
  return all;
}

/** Reads and checks a kustomization file; null (with a problem reported) when there is none or it is unusable. */
function loadKustomization(dir, expectedKind, ctx) {
  const where = rel(ctx.root, dir);
  if (ctx.stack.includes(dir)) {
    ctx.problems.push(`${where} [kustomize] includes itself (${[...ctx.stack, dir].map((d) => rel(ctx.root, d)).join(' -> ')})`);
    return null;
  }
  const file = KUSTOMIZATION_FILES.map((name) => path.join(dir, name)).find((candidate) => fs.existsSync(candidate));
  if (!file) {
    ctx.problems.push(`${where} [kustomize] has no kustomization.yaml`);
    return null;
  }
  const k = parseSingleYaml(file, ctx);
  if (!k) return null;
  const kfile = rel(ctx.root, file);
  const expectedApi = expectedKind === 'Component' ? 'kustomize.config.k8s.io/v1alpha1' : 'kustomize.config.k8s.io/v1beta1';
  if ((k.kind ?? 'Kustomization') !== expectedKind) {
    ctx.problems.push(`${kfile} [kustomize] kind is ${String(k.kind)}; expected ${expectedKind} here`);
    return null;
  }
  if (k.apiVersion !== undefined && k.apiVersion !== expectedApi) {
    ctx.problems.push(`${kfile} [kustomize] apiVersion ${String(k.apiVersion)}; a ${expectedKind} is ${expectedApi}`);
  }
  for (const field of Object.keys(k)) {
    if (!KUSTOMIZATION_FIELDS.has(field)) {
      ctx.problems.push(`${kfile} [kustomize] "${field}" is not supported by this renderer (supported: ${[...KUSTOMIZATION_FIELDS].join(', ')}); extend scripts/validate-manifests.js before using it`);
    }
  }
  return { k, kfile };
}

/** The objects of a kustomization's `resources`: files, and directories rendered as kustomizations. */
function accumulateResources(k, kfile, dir, ctx) {
  const items = [];
  for (const entry of listOf(k.resources, kfile, 'resources', ctx)) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || entry.startsWith('git@')) {
      ctx.problems.push(`${kfile} [kustomize] remote resource ${entry}: only files in this repository are rendered`);
      continue;
    }
    const target = path.resolve(dir, entry);
    if (!fs.existsSync(target)) {
      ctx.problems.push(`${kfile} [kustomize] resource ${entry} does not exist`);
    } else if (fs.statSync(target).isDirectory()) {
      items.push(...renderDir(target, [], ctx));
    } else {
      items.push(...parseResourceFile(target, ctx));
    }
  }
  return items;
}

/** The kustomization's own transformers, in kustomize's order: patches, then namespace, then images. */
function applyTransformers(k, items, kfile, dir, ctx) {
  let out = items;
  for (const [index, patch] of (Array.isArray(k.patches) ? k.patches : []).entries()) {
    out = applyPatch(patch, out, `${kfile} patches[${index}]`, dir, ctx);
  }
  if (k.patches !== undefined && !Array.isArray(k.patches)) ctx.problems.push(`${kfile} [kustomize] patches must be a list`);
  if (k.namespace !== undefined) {
    if (typeof k.namespace !== 'string' || k.namespace === '') {
      ctx.problems.push(`${kfile} [kustomize] namespace must be a non-empty string`);
    } else {
      out = out.map((item) => {
        const object = clone(item.object);
        object.metadata = object.metadata ?? {};
        // kustomize renames a Namespace object to the namespace, and sets the namespace of every namespaced object.
        if (object.kind === 'Namespace') object.metadata.name = k.namespace;
        else if (!CLUSTER_SCOPED_KINDS.has(object.kind)) object.metadata.namespace = k.namespace;
        return { ...item, object };
      });
    }
  }
  for (const image of Array.isArray(k.images) ? k.images : []) {
    if (!image || typeof image.name !== 'string') {
      ctx.problems.push(`${kfile} [kustomize] images: every entry needs a name`);
      continue;
    }
    const unknown = Object.keys(image).filter((key) => !['name', 'newName', 'newTag', 'digest'].includes(key));
    if (unknown.length > 0) ctx.problems.push(`${kfile} [kustomize] images: ${unknown.join(', ')} not supported by this renderer`);
    out = out.map((item) => ({ ...item, object: retagImages(item.object, image) }));
  }
  return out;
}

function applyPatch(patch, items, where, dir, ctx) {
  if (!patch || typeof patch !== 'object') {
    ctx.problems.push(`${where} [kustomize] must be a map with target and patch (or path)`);
    return items;
  }
  const unknownFields = Object.keys(patch).filter((key) => !['target', 'patch', 'path'].includes(key));
  if (unknownFields.length > 0) ctx.problems.push(`${where} [kustomize] ${unknownFields.join(', ')} not supported by this renderer`);
  let text = patch.patch;
  if (typeof patch.path === 'string') {
    try {
      text = fs.readFileSync(path.resolve(dir, patch.path), 'utf8');
    } catch (error) {
      ctx.problems.push(`${where} [kustomize] cannot read ${patch.path}: ${error.message}`);
      return items;
    }
  }
  if (typeof text !== 'string') {
    ctx.problems.push(`${where} [kustomize] needs a patch or a path`);
    return items;
  }
  let ops;
  try {
    ops = YAML.parse(text);
  } catch (error) {
    ctx.problems.push(`${where} [kustomize] the patch does not parse: ${error.message}`);
    return items;
  }
  // Strategic merge patches (a YAML map) need the API's merge keys for every list; JSON 6902 patches are exact.
  if (!Array.isArray(ops)) {
    ctx.problems.push(`${where} [kustomize] only JSON 6902 patches (a list of operations) with a target are supported by this renderer`);
    return items;
  }
  const target = patch.target;
  if (!target || typeof target !== 'object' || typeof target.kind !== 'string' || typeof target.name !== 'string') {
    ctx.problems.push(`${where} [kustomize] a JSON 6902 patch needs target.kind and target.name`);
    return items;
  }
  const unknownTarget = Object.keys(target).filter((key) => !['kind', 'name', 'namespace', 'group', 'version'].includes(key));
  if (unknownTarget.length > 0) ctx.problems.push(`${where} [kustomize] target.${unknownTarget.join(', target.')} not supported by this renderer`);
  let matched = 0;
  const out = items.map((item) => {
    const o = item.object;
    const [group, version] = String(o.apiVersion ?? '').includes('/') ? String(o.apiVersion).split('/') : ['', String(o.apiVersion ?? '')];
    if (o.kind !== target.kind || o.metadata?.name !== target.name) return item;
    if (target.namespace !== undefined && o.metadata?.namespace !== target.namespace) return item;
    if (target.group !== undefined && group !== target.group) return item;
    if (target.version !== undefined && version !== target.version) return item;
    matched++;
    const object = clone(o);
    for (const [index, op] of ops.entries()) {
      const error = applyJsonPatchOp(object, op);
      if (error) ctx.problems.push(`${where} [kustomize] operation ${index} on ${target.kind}/${target.name}: ${error}`);
    }
    return { ...item, object };
  });
  // kustomize ignores a patch that matches nothing; here it is an error, so renaming a resource cannot leave its
  // patches silently unapplied.
  if (matched === 0) ctx.problems.push(`${where} [kustomize] target ${target.kind}/${target.name} matches no resource`);
  return out;
}

/** Applies one RFC 6902 operation (add, remove, replace, test) in place; returns an error message or null. */
function applyJsonPatchOp(document, op) {
  if (!op || typeof op !== 'object' || typeof op.op !== 'string' || typeof op.path !== 'string') return 'each operation needs op and path';
  if (!['add', 'remove', 'replace', 'test'].includes(op.op)) return `op "${op.op}" is not supported (add, remove, replace, test)`;
  if (op.path === '' || !op.path.startsWith('/')) return `path ${JSON.stringify(op.path)} must start with /`;
  const tokens = op.path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = tokens.pop();
  let parent = document;
  for (const token of tokens) {
    const next = Array.isArray(parent) ? parent[arrayIndex(parent, token, false)] : parent?.[token];
    if (next === undefined || next === null || typeof next !== 'object') return `${op.path}: ${token} does not exist`;
    parent = next;
  }
  if (Array.isArray(parent)) {
    const index = arrayIndex(parent, last, op.op === 'add');
    if (index === undefined) return `${op.path}: no such array index`;
    if (op.op === 'add') parent.splice(index, 0, clone(op.value));
    else if (op.op === 'remove') parent.splice(index, 1);
    else if (op.op === 'replace') parent[index] = clone(op.value);
    else if (!deepEqual(parent[index], op.value)) return `${op.path}: test failed`;
    return null;
  }
  const exists = Object.prototype.hasOwnProperty.call(parent, last);
  if ((op.op === 'remove' || op.op === 'replace' || op.op === 'test') && !exists) return `${op.path} does not exist`;
  if (op.op === 'add' || op.op === 'replace') parent[last] = clone(op.value);
  else if (op.op === 'remove') delete parent[last];
  else if (!deepEqual(parent[last], op.value)) return `${op.path}: test failed`;
  return null;
}

function arrayIndex(array, token, forAdd) {
  if (token === '-' && forAdd) return array.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
  const index = Number(token);
  return index < array.length || (forAdd && index === array.length) ? index : undefined;
}

/** kustomize's images transformer: a container image whose name is `image.name` gets the new name, tag or digest. */
function retagImages(object, image) {
  const out = clone(object);
  for (const { container } of containersOf(out)) {
    if (typeof container.image !== 'string') continue;
    const ref = parseImageReference(container.image);
    if (ref.name !== image.name) continue;
    const name = image.newName ?? ref.name;
    if (image.digest) container.image = `${name}@${image.digest}`;
    else if (image.newTag) container.image = `${name}:${image.newTag}`;
    else container.image = `${name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
  }
  return out;
}

function parseResourceFile(file, ctx) {
  let docs;
  try {
    docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    ctx.problems.push(`${rel(ctx.root, file)} [kustomize] cannot read: ${error.message}`);
    return [];
  }
  const items = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      ctx.problems.push(`${rel(ctx.root, file)} [kustomize] YAML: ${doc.errors[0].message}`);
      continue;
    }
    const object = doc.toJS();
    if (object === null || object === undefined) continue;
    if (typeof object !== 'object' || Array.isArray(object)) {
      ctx.problems.push(`${rel(ctx.root, file)} [kustomize] a document is not a Kubernetes object (a map)`);
      continue;
    }
    items.push({ object, source: rel(ctx.root, file) });
  }
  return items;
}

function parseSingleYaml(file, ctx) {
  try {
    const value = YAML.parse(fs.readFileSync(file, 'utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
    ctx.problems.push(`${rel(ctx.root, file)} [kustomize] is not a map`);
  } catch (error) {
    ctx.problems.push(`${rel(ctx.root, file)} [kustomize] YAML: ${error.message}`);
  }
  return null;
}

function listOf(value, kfile, field, ctx) {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) {
    ctx.problems.push(`${kfile} [kustomize] ${field} must be a list of paths`);
    return [];
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// What the application knows (read from its source, so the manifests cannot drift from it)
// ---------------------------------------------------------------------------------------------------------------

/**
 * The environment variables the app reads, from the TypeScript sources of src/config: the keys of every
 * `z.object({...})` / `.extend({...})` (the variable schema) and every `env.NAME` / `env['NAME']` read there.
 * Returns { variables, secrets }: secrets are the names in a `SECRET_VARIABLES` set (values the app never prints).
 */
function knownEnvironment(files) {
  const ts = require('typescript');
  const variables = new Set();
  const secrets = new Set();
  const envName = /^[A-Z][A-Z0-9_]*$/;
  for (const { path: file, text } of files) {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const visit = (node) => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        const arg = node.arguments[0];
        if ((method === 'object' || method === 'extend' || method === 'strictObject') && arg && ts.isObjectLiteralExpression(arg)) {
          for (const property of arg.properties) {
            const name = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined;
            if (name && envName.test(name)) variables.add(name);
          }
        }
      }
      // env.NAME, process.env.NAME, env['NAME']
      if (ts.isPropertyAccessExpression(node) && envName.test(node.name.text) && /(^|\.)env$/.test(node.expression.getText(source))) {
        variables.add(node.name.text);
      }
      if (ts.isElementAccessExpression(node) && ts.isStringLiteral(node.argumentExpression) && envName.test(node.argumentExpression.text) && /(^|\.)env$/.test(node.expression.getText(source))) {
        variables.add(node.argumentExpression.text);
      }
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === 'SECRET_VARIABLES' && node.initializer) {
        const collect = (n) => {
          if (ts.isStringLiteral(n) && envName.test(n.text)) secrets.add(n.text);
          ts.forEachChild(n, collect);
        };
        collect(node.initializer);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { variables, secrets };
}

/** knownEnvironment over every .ts file under `dir` (src/config). */
function knownEnvironmentOf(dir) {
  const files = [];
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push({ path: full, text: fs.readFileSync(full, 'utf8') });
    }
  };
  walk(dir);
  return knownEnvironment(files);
}

/** The paths the HTTP server routes (`case '/healthz':` of its switch, or `route === '/healthz'`, in src/http/app.ts). */
function servedPaths(appSource) {
  const paths = new Set();
  for (const match of appSource.matchAll(/(?:\bcase\s+|route\s*===\s*)'(\/[^']*)'/g)) paths.add(match[1]);
  return paths;
}

// ---------------------------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------------------------

/** The kubernetes-models class of an apiVersion/kind, or null when the package has none. */
function modelOf(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !/^[A-Za-z0-9.]+(\/[A-Za-z0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return null;
  try {
    const model = require(`kubernetes-models/${apiVersion}/${kind}`)[kind];
    return typeof model === 'function' ? model : null;
  } catch {
    return null;
  }
}

/** The Kubernetes version of the installed kubernetes-models, or a problem when it is not the pinned one. */
function schemaVersionProblem() {
  const version = require('kubernetes-models/package.json').version;
  const k8s = SCHEMA_PACKAGE_VERSIONS[version.split('.').slice(0, 2).join('.')];
  if (k8s !== KUBERNETES_VERSION) {
    return `kubernetes-models ${version} is not the pinned schema package (Kubernetes ${KUBERNETES_VERSION}); update KUBERNETES_VERSION and SCHEMA_PACKAGE_VERSIONS in scripts/validate-manifests.js with it`;
  }
  return null;
}

function schemaProblems(object) {
  if (!SERVED_API_VERSIONS.has(object.apiVersion)) {
    return [`apiVersion ${String(object.apiVersion)} is not served by default in Kubernetes ${KUBERNETES_VERSION} (removed or beta); use the GA version`];
  }
  const Model = modelOf(object.apiVersion, object.kind);
  if (!Model) return [`no Kubernetes ${KUBERNETES_VERSION} schema for apiVersion ${String(object.apiVersion)} kind ${String(object.kind)}`];
  try {
    new Model(clone(object)).validate();
    return [];
  } catch (error) {
    const errors = Array.isArray(error.errors) ? error.errors : [];
    if (errors.length === 0) return [String(error.message)];
    // ajv reports a quantity or int-or-string several times (each branch of a oneOf): one line per path.
    const byPath = new Map();
    for (const e of errors) {
      const where = e.instancePath || '/';
      if (!byPath.has(where)) byPath.set(where, new Set());
      if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf') byPath.get(where).add(e.message);
    }
    return [...byPath].map(([where, messages]) => `${where}: ${[...messages].join('; ') || 'matches none of the allowed forms'}`);
  }
}

/** TypeScript programs over kubernetes-models' declarations, one per set of kinds (creating one takes ~1 s). */
const typeCheckers = new Map();

function typeCheckerFor(kinds) {
  const key = kinds.join(',');
  if (typeCheckers.has(key)) return typeCheckers.get(key);
  const ts = require('typescript');
  // The entry file sits in the repository root so that `kubernetes-models/...` resolves from node_modules.
  const entry = path.join(path.dirname(require.resolve('kubernetes-models/package.json')), '..', '..', '__manifest_types__.ts');
  const source = kinds
    .map((k, i) => {
      const [apiVersion, kind] = k.split(' ');
      return `import type { I${kind} as T${i} } from 'kubernetes-models/${apiVersion}/${kind}';\nexport type K${i} = T${i};\n`;
    })
    .join('');
  // No TypeScript lib (reading lib.es2022 takes ~5 s of the ~6): the declarations need only these globals.
  const lib = path.join(path.dirname(entry), '__manifest_lib__.d.ts');
  const libSource = [
    'interface Array<T> { length: number; [n: number]: T }',
    'interface ReadonlyArray<T> { readonly length: number; readonly [n: number]: T }',
    'interface String {} interface Number {} interface Boolean {} interface Object {} interface Function {}',
    'interface CallableFunction {} interface NewableFunction {} interface RegExp {} interface IArguments {}',
    'type Record<K extends keyof any, T> = { [P in K]: T };',
  ].join('\n');
  const options = {
    strict: true,
    noLib: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
  };
  const virtual = new Map([
    [entry, source],
    [lib, libSource],
  ]);
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (file, language, ...rest) => {
    const text = virtual.get(path.resolve(file));
    return text === undefined ? getSourceFile(file, language, ...rest) : ts.createSourceFile(file, text, language);
  };
  host.fileExists = (file) => virtual.has(path.resolve(file)) || fileExists(file);
  const program = ts.createProgram([lib, entry], options, host);
  const checker = program.getTypeChecker();
  const types = new Map();
  const file = program.getSourceFile(entry);
  let i = 0;
  for (const statement of file.statements) {
    if (ts.isTypeAliasDeclaration(statement)) types.set(kinds[i++], checker.getTypeAtLocation(statement.name));
  }
  const result = { ts, checker, types };
  typeCheckers.set(key, result);
  return result;
}

/** Fields of `object` that its kind's API type does not have (misspellings, fields from other kinds or versions). */
function unknownFields(objects) {
  const kinds = [...new Set(objects.filter((o) => modelOf(o.apiVersion, o.kind)).map((o) => `${o.apiVersion} ${o.kind}`))].sort();
  if (kinds.length === 0) return new Map();
  const { ts, checker, types } = typeCheckerFor(kinds);
  const result = new Map();
  for (const object of objects) {
    const type = types.get(`${object.apiVersion} ${object.kind}`);
    if (!type) continue;
    const found = [];
    walkType(ts, checker, object, type, '', found);
    result.set(object, found);
  }
  return result;
}

function walkType(ts, checker, value, type, where, found) {
  if (value === null || typeof value !== 'object') return;
  let t = checker.getNonNullableType(type);
  if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
  if (t.isUnion()) {
    const objectMembers = t.types.filter((m) => m.flags & ts.TypeFlags.Object);
    if (objectMembers.length !== 1) return; // int-or-string and the like: the schema checks those
    t = objectMembers[0];
  }
  if (Array.isArray(value)) {
    if (!checker.isArrayType(t)) return;
    const element = checker.getTypeArguments(t)[0];
    value.forEach((item, index) => walkType(ts, checker, item, element, `${where}/${index}`, found));
    return;
  }
  const index = checker.getIndexInfoOfType(t, ts.IndexKind.String);
  for (const [key, child] of Object.entries(value)) {
    const property = checker.getPropertyOfType(t, key);
    if (property) {
      walkType(ts, checker, child, checker.getTypeOfSymbol(property), `${where}/${key}`, found);
    } else if (index) {
      walkType(ts, checker, child, index.type, `${where}/${key}`, found);
    } else {
      found.push(`${where}/${key}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------------------------------------------

/** Names of variables that hold a secret value (the last word), not where one is (…_FILE, …_PATH). */
const SECRET_WORDS = new Set(['SECRET', 'PASSWORD', 'PASSWD', 'TOKEN', 'KEY', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS', 'CONNECTIONSTRING']);
/** Set by the Azure workload identity webhook from the ServiceAccount's annotations; setting them too conflicts. */
const WORKLOAD_IDENTITY_VARIABLES = ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_AUTHORITY_HOST'];
/** Intune: 100 writes per 20 s per app per tenant (src/coordination/types.ts). */
const INTUNE_WRITES_PER_SECOND = 100 / 20;
/** Seconds between the end of SHUTDOWN_GRACE_MS and the exit: Apollo Server's stop and the trace exporter's flush. */
const SHUTDOWN_MARGIN_SECONDS = 5;
/** The least time between deletion and the listener closing, for endpoints to be updated everywhere. */
const MIN_DRAIN_SECONDS = 3;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isSecretName(name, appSecrets) {
  if (appSecrets.has(name)) return true;
  const words = name.toUpperCase().split('_');
  return SECRET_WORDS.has(words[words.length - 1]) || /PASSWORD|SECRET/.test(name.toUpperCase()) && !/_(FILE|PATH|DIR)$/.test(name.toUpperCase());
}

/**
 * Checks rendered objects. Options: `knownEnv` and `secretEnv` (knownEnvironment's variables and secrets),
 * `servedPaths` (the HTTP routes). Returns one line per problem: "Kind/name [rule] message".
 */
function validateObjects(objects, { knownEnv, secretEnv = new Set(), servedPaths: served }) {
  const problems = [];
  const report = (object, rule, message) => problems.push(`${idOf(object)} [${rule}] ${message}`);
  const byKind = (kind) => objects.filter((o) => o && o.kind === kind);

  // Schemas, and unknown fields.
  const versionProblem = schemaVersionProblem();
  if (versionProblem) problems.push(`kubernetes-models [schema] ${versionProblem}`);
  for (const object of objects) {
    for (const p of schemaProblems(object)) report(object, 'schema', p);
  }
  for (const [object, fields] of unknownFields(objects)) {
    for (const field of fields) report(object, 'unknown-field', `${field} is not a field of ${object.kind} in Kubernetes ${KUBERNETES_VERSION}`);
  }

  // What must be there.
  const deployments = byKind('Deployment');
  const need = [
    ['Deployment', 'apps/v1'],
    ['Service', 'v1'],
    ['HorizontalPodAutoscaler', 'autoscaling/v2'],
    ['PodDisruptionBudget', 'policy/v1'],
    ['NetworkPolicy', 'networking.k8s.io/v1'],
    ['ConfigMap', 'v1'],
    ['ServiceAccount', 'v1'],
  ];
  for (const [kind, apiVersion] of need) {
    if (!objects.some((o) => o.kind === kind && o.apiVersion === apiVersion)) {
      problems.push(`(manifests) [required-objects] no ${kind} (${apiVersion})`);
    }
  }
  if (deployments.length > 1) problems.push(`(manifests) [required-objects] ${deployments.length} Deployments; the checks expect exactly one`);

  for (const secret of byKind('Secret')) {
    report(secret, 'no-secret-objects', 'a Secret in the repository puts its values in git; create it out of band (deploy/kubernetes/README.md) and reference it');
  }

  // The namespace, when the manifests create it, enforces Pod Security "restricted" on everything in it.
  for (const namespace of byKind('Namespace')) {
    if (namespace.metadata?.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted') {
      report(namespace, 'pod-security', 'label pod-security.kubernetes.io/enforce must be "restricted"');
    }
  }

  const deployment = deployments[0];
  if (!deployment) return problems;
  const pod = deployment.spec?.template?.spec ?? {};
  const podLabels = deployment.spec?.template?.metadata?.labels ?? {};
  const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? [])].filter((c) => c && typeof c === 'object');
  const main = (pod.containers ?? [])[0];
  const configMaps = new Map(byKind('ConfigMap').map((c) => [c.metadata?.name, c]));

  // Pod security.
  const psc = pod.securityContext ?? {};
  if (psc.runAsNonRoot !== true) report(deployment, 'pod-security', 'spec.template.spec.securityContext.runAsNonRoot must be true');
  if (!Number.isInteger(psc.runAsUser) || psc.runAsUser === 0) {
    report(deployment, 'pod-security', 'spec.template.spec.securityContext.runAsUser must be a non-zero numeric id (the image\'s USER is the name `node`, which the kubelet cannot check against runAsNonRoot)');
  }
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (pod[field] === true) report(deployment, 'pod-security', `spec.template.spec.${field} must not be true`);
  }
  if (pod.automountServiceAccountToken !== false) {
    report(deployment, 'pod-security', 'spec.template.spec.automountServiceAccountToken must be false (the app does not call the Kubernetes API)');
  }
  const podSeccomp = psc.seccompProfile?.type;

  // Containers.
  for (const c of containers) {
    const name = `container ${c.name}`;
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) report(deployment, 'container-security', `${name}: securityContext.allowPrivilegeEscalation must be false`);
    if (sc.readOnlyRootFilesystem !== true) report(deployment, 'container-security', `${name}: securityContext.readOnlyRootFilesystem must be true (mount an emptyDir where it must write)`);
    if (sc.privileged === true) report(deployment, 'container-security', `${name}: securityContext.privileged must not be true`);
    if (sc.runAsUser === 0) report(deployment, 'container-security', `${name}: securityContext.runAsUser must not be 0`);
    if (sc.runAsNonRoot === false) report(deployment, 'container-security', `${name}: securityContext.runAsNonRoot must not be false`);
    const drop = sc.capabilities?.drop ?? [];
    if (!drop.includes('ALL')) report(deployment, 'container-security', `${name}: securityContext.capabilities.drop must include ALL`);
    if ((sc.capabilities?.add ?? []).length > 0) report(deployment, 'container-security', `${name}: securityContext.capabilities.add must be empty (the app binds port 4000, above 1024)`);
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') report(deployment, 'container-security', `${name}: seccompProfile must be RuntimeDefault (on the pod or the container)`);

    // Images: a version tag or a digest, never latest.
    const ref = typeof c.image === 'string' ? parseImageReference(c.image) : null;
    if (!ref) report(deployment, 'image-pinned', `${name}: no image`);
    else if (!ref.digest && !ref.tag) report(deployment, 'image-pinned', `${name}: image ${c.image} has no tag; pin a version (e.g. :1.0.0) or a digest`);
    else if (!ref.digest && ref.tag.toLowerCase() === 'latest') report(deployment, 'image-pinned', `${name}: image ${c.image}: "latest" is not a pin`);
    else if (!ref.digest && !/^v?\d+\.\d+\.\d+/.test(ref.tag)) report(deployment, 'image-pinned', `${name}: image ${c.image}: tag "${ref.tag}" floats; pin major.minor.patch or a digest`);

    // Resources.
    const requests = c.resources?.requests ?? {};
    const limits = c.resources?.limits ?? {};
    for (const [kind, values] of [['requests', requests], ['limits', limits]]) {
      for (const resource of ['cpu', 'memory']) {
        if (values[resource] === undefined) report(deployment, 'resources', `${name}: resources.${kind}.${resource} is not set`);
      }
    }
    for (const resource of ['cpu', 'memory']) {
      const request = quantity(requests[resource]);
      const limit = quantity(limits[resource]);
      if (request !== null && limit !== null && request > limit) report(deployment, 'resources', `${name}: resources.requests.${resource} (${requests[resource]}) exceeds the limit (${limits[resource]})`);
    }
  }

  // The main container's environment: envFrom, then env (env wins, as in Kubernetes).
  const env = main ? effectiveEnv(main, configMaps, deployment) : new Map();
  if (main) {
    for (const source of main.envFrom ?? []) {
      if (source.secretRef) report(deployment, 'env-references', `container ${main.name}: envFrom secretRef ${source.secretRef.name}: the keys of an out-of-band Secret cannot be checked; reference each key with env[].valueFrom.secretKeyRef`);
      if (source.configMapRef && !configMaps.has(source.configMapRef.name) && source.configMapRef.optional !== true) {
        report(deployment, 'env-references', `container ${main.name}: envFrom configMapRef ${source.configMapRef.name} is not among the manifests; the pod would not start`);
      }
      if (source.prefix) report(deployment, 'env-references', `container ${main.name}: envFrom prefix ${source.prefix}: the app reads unprefixed names`);
    }
    for (const e of main.env ?? []) {
      const cmRef = e.valueFrom?.configMapKeyRef;
      if (cmRef && !(configMaps.get(cmRef.name)?.data ?? {})[cmRef.key] && cmRef.optional !== true) {
        report(deployment, 'env-references', `container ${main.name}: env ${e.name} refers to ConfigMap ${cmRef.name} key ${cmRef.key}, which the manifests do not have`);
      }
    }
  }
  for (const [name, entry] of env) {
    if (!knownEnv.has(name)) {
      report(entry.origin, 'known-env', `${name} (${entry.where}) is not a variable the app reads (src/config); renamed or misspelt?`);
    }
    if (isSecretName(name, secretEnv) && entry.kind !== 'secret') {
      report(entry.origin, 'secret-env', `${name} (${entry.where}) looks like a secret: take it from a Secret with valueFrom.secretKeyRef, never a plain value or a ConfigMap`);
    }
    if (typeof entry.value === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(entry.value)) {
      report(entry.origin, 'secret-env', `${name} (${entry.where}) has credentials in its URL; put the password in a Secret (e.g. REDIS_PASSWORD)`);
    }
  }
  // ConfigMap keys that look like secrets, also in ConfigMaps the container does not use.
  for (const cm of configMaps.values()) {
    for (const key of Object.keys(cm.data ?? {})) {
      if (isSecretName(key, secretEnv)) report(cm, 'secret-env', `data.${key} looks like a secret; ConfigMaps are not secret: use a Secret reference`);
    }
  }
  const envValue = (name) => env.get(name)?.value;

  // Probes: HTTP, on the real paths, on the served port.
  if (main) {
    const ports = main.ports ?? [];
    const portValue = envValue('PORT') ?? '4000';
    const appPort = ports.find((p) => String(p.containerPort) === portValue);
    if (!appPort) report(deployment, 'probes', `container ${main.name}: no containerPort ${portValue} (the app's PORT)`);
    const expected = [
      ['livenessProbe', '/healthz', true],
      ['readinessProbe', '/readyz', true],
      ['startupProbe', '/healthz', false],
    ];
    for (const [probe, wanted, required] of expected) {
      const p = main[probe];
      if (!p) {
        if (required) report(deployment, 'probes', `container ${main.name}: no ${probe} (GET ${wanted})`);
        continue;
      }
      if (!p.httpGet) {
        report(deployment, 'probes', `container ${main.name}: ${probe} must be an httpGet on ${wanted} (the image has no curl or wget for an exec probe)`);
        continue;
      }
      if (p.httpGet.path !== wanted) report(deployment, 'probes', `container ${main.name}: ${probe} probes ${String(p.httpGet.path)}; it must be ${wanted}`);
      if (served && !served.has(wanted)) report(deployment, 'probes', `container ${main.name}: ${probe}: src/http/app.ts no longer serves ${wanted}`);
      const port = p.httpGet.port;
      if (!appPort || (port !== appPort.name && String(port) !== String(appPort.containerPort))) {
        report(deployment, 'probes', `container ${main.name}: ${probe} port ${String(port)} is not the app's port (${portValue}${appPort?.name ? ` / ${appPort.name}` : ''})`);
      }
    }
  }

  // Shutdown arithmetic.
  if (main) {
    const preStop = main.lifecycle?.preStop;
    let sleepSeconds = null;
    if (preStop?.sleep && Number.isInteger(preStop.sleep.seconds)) sleepSeconds = preStop.sleep.seconds;
    else if (Array.isArray(preStop?.exec?.command) && path.posix.basename(String(preStop.exec.command[0])) === 'sleep' && /^\d+$/.test(String(preStop.exec.command[1]))) {
      sleepSeconds = Number(preStop.exec.command[1]);
    }
    const delay = envValue('SHUTDOWN_DELAY_MS');
    const grace = envValue('SHUTDOWN_GRACE_MS');
    const period = pod.terminationGracePeriodSeconds;
    if (sleepSeconds === null) report(deployment, 'shutdown-timing', `container ${main.name}: lifecycle.preStop must sleep (sleep: {seconds: N}, or exec sleep N) so endpoints are updated before SIGTERM`);
    if (delay === undefined || grace === undefined) report(deployment, 'shutdown-timing', 'SHUTDOWN_DELAY_MS and SHUTDOWN_GRACE_MS must be set explicitly (the arithmetic must not rest on defaults)');
    if (!Number.isInteger(period)) report(deployment, 'shutdown-timing', 'spec.template.spec.terminationGracePeriodSeconds must be set explicitly');
    if (sleepSeconds !== null && /^\d+$/.test(delay ?? '') && /^\d+$/.test(grace ?? '') && Number.isInteger(period)) {
      const needed = sleepSeconds + Math.ceil((Number(delay) + Number(grace)) / 1000) + SHUTDOWN_MARGIN_SECONDS;
      if (period < needed) {
        report(deployment, 'shutdown-timing', `terminationGracePeriodSeconds ${period} < preStop ${sleepSeconds} s + SHUTDOWN_DELAY_MS ${delay} + SHUTDOWN_GRACE_MS ${grace} + ${SHUTDOWN_MARGIN_SECONDS} s to stop = ${needed} s: in-flight requests would be killed`);
      }
      if (sleepSeconds + Number(delay) / 1000 < MIN_DRAIN_SECONDS) {
        report(deployment, 'shutdown-timing', `preStop ${sleepSeconds} s + SHUTDOWN_DELAY_MS ${delay} leave under ${MIN_DRAIN_SECONDS} s for the endpoint change to reach kube-proxy and the router`);
      }
    }
  }

  // Selectors that select.
  const selects = (selector) => selector && Object.entries(selector).every(([k, v]) => podLabels[k] === v);
  const matchLabelsOf = (s) => s?.matchLabels ?? {};
  if (!selects(matchLabelsOf(deployment.spec?.selector)) || Object.keys(matchLabelsOf(deployment.spec?.selector)).length === 0) {
    report(deployment, 'selectors', 'spec.selector.matchLabels must be non-empty and match the pod template\'s labels');
  }
  for (const service of byKind('Service')) {
    const selector = service.spec?.selector ?? {};
    if (Object.keys(selector).length === 0 || !selects(selector)) report(service, 'selectors', 'spec.selector does not select the Deployment\'s pods');
    for (const port of service.spec?.ports ?? []) {
      const target = port.targetPort ?? port.port;
      if (!(main?.ports ?? []).some((p) => p.name === target || p.containerPort === target)) report(service, 'selectors', `port ${port.name ?? port.port}: targetPort ${String(target)} is no container port`);
    }
  }
  for (const pdb of byKind('PodDisruptionBudget')) {
    const labels = matchLabelsOf(pdb.spec?.selector);
    if (Object.keys(labels).length === 0 || !selects(labels)) report(pdb, 'selectors', 'spec.selector does not select the Deployment\'s pods');
  }
  for (const policy of byKind('NetworkPolicy')) {
    const labels = matchLabelsOf(policy.spec?.podSelector);
    if (Object.keys(labels).length === 0 || !selects(labels)) report(policy, 'selectors', 'spec.podSelector does not select the Deployment\'s pods');
  }
  for (const [index, constraint] of (pod.topologySpreadConstraints ?? []).entries()) {
    if (!selects(matchLabelsOf(constraint.labelSelector))) report(deployment, 'selectors', `topologySpreadConstraints[${index}].labelSelector does not select the pods`);
  }
  const serviceAccount = byKind('ServiceAccount').find((sa) => sa.metadata?.name === (pod.serviceAccountName ?? 'default'));
  if (!serviceAccount) report(deployment, 'selectors', `serviceAccountName ${pod.serviceAccountName ?? 'default'} is not among the manifests`);

  // Workload identity.
  const workloadIdentity = podLabels['azure.workload.identity/use'] === 'true';
  const authMode = envValue('GRAPH_AUTH_MODE');
  if (workloadIdentity) {
    const annotations = serviceAccount?.metadata?.annotations ?? {};
    const clientId = annotations['azure.workload.identity/client-id'];
    if (!serviceAccount || typeof clientId !== 'string' || !GUID.test(clientId)) {
      report(serviceAccount ?? deployment, 'workload-identity', 'the ServiceAccount needs the annotation azure.workload.identity/client-id with the app registration\'s client id (a GUID)');
    }
    const tenantId = annotations['azure.workload.identity/tenant-id'];
    if (tenantId !== undefined && !GUID.test(String(tenantId))) report(serviceAccount, 'workload-identity', 'azure.workload.identity/tenant-id must be a GUID');
    for (const name of WORKLOAD_IDENTITY_VARIABLES) {
      if (env.has(name)) report(env.get(name).origin, 'workload-identity', `${name} is set by the workload identity webhook from the ServiceAccount; do not set it here too`);
    }
    if (authMode !== 'app') {
      report(deployment, 'workload-identity', `GRAPH_AUTH_MODE is ${authMode ?? 'unset'}: the app uses workload identity only in app mode (on-behalf-of needs a client secret or certificate, src/config)`);
    }
    for (const name of ['AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH']) {
      if (env.has(name)) report(env.get(name).origin, 'workload-identity', `${name} is set: the app would use it instead of the workload identity token (src/identity/credential.ts)`);
    }
  } else if (podLabels['azure.workload.identity/use'] !== undefined) {
    report(deployment, 'workload-identity', 'the label azure.workload.identity/use must be the string "true"');
  }

  // NetworkPolicy: deny by default, every rule port-restricted, DNS allowed, the public range only on 443.
  const policies = byKind('NetworkPolicy').filter((p) => selects(matchLabelsOf(p.spec?.podSelector)) && Object.keys(matchLabelsOf(p.spec?.podSelector)).length > 0);
  const egressRules = [];
  for (const policy of policies) {
    const types = policy.spec?.policyTypes ?? [];
    if (!types.includes('Ingress') || !types.includes('Egress')) report(policy, 'network-policy', 'policyTypes must list both Ingress and Egress (egress is otherwise unrestricted)');
    for (const [direction, rules] of [['ingress', policy.spec?.ingress ?? []], ['egress', policy.spec?.egress ?? []]]) {
      for (const [index, rule] of rules.entries()) {
        if (!Array.isArray(rule.ports) || rule.ports.length === 0) report(policy, 'network-policy', `${direction}[${index}] has no ports: restrict it by port at least`);
        const peers = rule[direction === 'ingress' ? 'from' : 'to'];
        if (!Array.isArray(peers) || peers.length === 0) report(policy, 'network-policy', `${direction}[${index}] allows every peer; name them`);
        if (direction === 'egress') egressRules.push(rule);
      }
    }
    for (const [index, rule] of (policy.spec?.egress ?? []).entries()) {
      const everywhere = (rule.to ?? []).some((peer) => peer.ipBlock && /\/0$/.test(peer.ipBlock.cidr ?? ''));
      const otherPorts = (rule.ports ?? []).filter((p) => p.port !== 443);
      if (everywhere && otherPorts.length > 0) report(policy, 'network-policy', `egress[${index}] opens ${otherPorts.map((p) => p.port).join(', ')} to every address; only 443 (Graph, Entra ID) goes to the public range`);
    }
  }
  if (policies.length === 0) {
    problems.push('(manifests) [network-policy] no NetworkPolicy selects the Deployment\'s pods');
  } else {
    const allows = (protocol, port) => egressRules.some((rule) => (rule.ports ?? []).some((p) => (p.protocol ?? 'TCP') === protocol && p.port === port));
    if (!allows('UDP', 53)) problems.push('(manifests) [network-policy] egress does not allow DNS (UDP 53): the app could not resolve Graph or Entra ID');
    if (!allows('TCP', 443)) problems.push('(manifests) [network-policy] egress does not allow TCP 443 (Microsoft Graph, Entra ID)');
    const redisUrl = envValue('REDIS_URL');
    const redisPort = redisUrl ? urlPort(redisUrl, 6379) : null;
    if (redisPort !== null && !allows('TCP', redisPort)) problems.push(`(manifests) [network-policy] REDIS_URL is on port ${redisPort}, which no egress rule allows`);
  }

  // Autoscaling and disruptions.
  const hpas = byKind('HorizontalPodAutoscaler').filter((h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec?.scaleTargetRef?.name === deployment.metadata?.name);
  const hpa = hpas[0];
  if (!hpa) {
    problems.push(`(manifests) [autoscaling] no HorizontalPodAutoscaler targets Deployment/${deployment.metadata?.name}`);
  } else {
    if (hpa.apiVersion !== 'autoscaling/v2') report(hpa, 'autoscaling', 'must be autoscaling/v2');
    if (!Number.isInteger(hpa.spec.minReplicas) || hpa.spec.minReplicas < 2) report(hpa, 'autoscaling', 'minReplicas must be at least 2 (one pod may always be restarting or drained)');
    if (deployment.spec?.replicas !== undefined) report(deployment, 'autoscaling', 'spec.replicas is set while an HPA scales the Deployment: every apply would reset the HPA\'s count');
    for (const pdb of byKind('PodDisruptionBudget')) {
      const min = pdb.spec?.minAvailable;
      const maxUnavailable = pdb.spec?.maxUnavailable;
      if (Number.isInteger(min) && min >= (hpa.spec.minReplicas ?? 1)) report(pdb, 'autoscaling', `minAvailable ${min} >= the HPA's minReplicas ${hpa.spec.minReplicas}: a node drain would be blocked`);
      if (maxUnavailable === 0 || maxUnavailable === '0%') report(pdb, 'autoscaling', 'maxUnavailable 0 blocks every node drain');
    }
  }

  // Intune's write budget, per replica while it is not shared through Redis.
  const redisUrl = envValue('REDIS_URL');
  if (hpa && redisUrl === undefined) {
    const limit = envValue('GRAPH_WRITE_LIMIT');
    const windowSeconds = Number(envValue('GRAPH_WRITE_WINDOW_SECONDS') ?? '20');
    if (limit === undefined) {
      report(deployment, 'write-budget', 'GRAPH_WRITE_LIMIT is unset (100 per replica by default): with several replicas and no REDIS_URL, set it to 100 / maxReplicas at most');
    } else if (Number(limit) > 0) {
      const rate = (Number(limit) / windowSeconds) * hpa.spec.maxReplicas;
      if (rate > INTUNE_WRITES_PER_SECOND + 1e-9) {
        report(deployment, 'write-budget', `GRAPH_WRITE_LIMIT ${limit} per ${windowSeconds} s x maxReplicas ${hpa.spec.maxReplicas} exceeds Intune's 100 writes per 20 s per app; lower it, or share the budget (REDIS_URL)`);
      }
    }
  }

  // Redis: TLS, credentials only from the Secret.
  if (redisUrl !== undefined) {
    if (!/^rediss:\/\//i.test(redisUrl)) report(env.get('REDIS_URL').origin, 'redis', `REDIS_URL ${redisUrl} is not TLS: use rediss:// (Azure Cache for Redis: port 6380)`);
    if (env.has('REDIS_PASSWORD') && env.get('REDIS_PASSWORD').kind !== 'secret') report(deployment, 'redis', 'REDIS_PASSWORD must come from a secretKeyRef');
  }
  return problems;
}

/**
 * The container's variables: { value (when known), kind: 'value' | 'configmap' | 'secret' | 'other', where, origin }.
 * envFrom ConfigMaps first, then env (which wins, as in Kubernetes).
 */
function effectiveEnv(container, configMaps, owner = null) {
  const env = new Map();
  for (const source of container.envFrom ?? []) {
    const cm = source.configMapRef ? configMaps.get(source.configMapRef.name) : undefined;
    if (!cm) continue;
    for (const [key, value] of Object.entries(cm.data ?? {})) {
      env.set(`${source.prefix ?? ''}${key}`, { value: typeof value === 'string' ? value : String(value), kind: 'configmap', where: `ConfigMap ${cm.metadata?.name}`, origin: cm });
    }
  }
  for (const e of container.env ?? []) {
    if (!e || typeof e.name !== 'string') continue;
    const where = `container ${container.name} env`;
    if (e.valueFrom?.secretKeyRef) env.set(e.name, { kind: 'secret', where: `${where}, Secret ${e.valueFrom.secretKeyRef.name}`, origin: owner });
    else if (e.valueFrom?.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      const value = configMaps.get(ref.name)?.data?.[ref.key];
      env.set(e.name, { value, kind: 'configmap', where: `${where}, ConfigMap ${ref.name}`, origin: owner });
    } else if (e.valueFrom) env.set(e.name, { kind: 'other', where, origin: owner });
    else env.set(e.name, { value: e.value === undefined ? '' : String(e.value), kind: 'value', where, origin: owner });
  }
  return env;
}

// ---------------------------------------------------------------------------------------------------------------
// router.yaml
// ---------------------------------------------------------------------------------------------------------------

/**
 * The Router configuration keys this repository may use, from the Apollo Router (2.x) YAML configuration reference
 * (https://www.apollographql.com/docs/graphos/routing/configuration/yaml) and the configuration schema it is
 * generated from. `*` is a map with free keys (subgraph names); a string value is a leaf.
 */
const ROUTER_KEYS = {
  supergraph: { listen: 'leaf', path: 'leaf', introspection: 'leaf', defer_support: 'leaf', connection_shutdown_timeout: 'leaf', early_cancel: 'leaf', generate_query_fragments: 'leaf', redact_query_validation_errors: 'leaf', strict_variable_validation: 'leaf', query_planning: 'leaf' },
  health_check: { enabled: 'leaf', listen: 'leaf', path: 'leaf', readiness: 'leaf' },
  homepage: { enabled: 'leaf', graph_ref: 'leaf' },
  sandbox: { enabled: 'leaf' },
  csrf: { required_headers: 'leaf', unsafe_disabled: 'leaf' },
  cors: 'leaf',
  limits: { http_max_request_bytes: 'leaf', http1_max_request_headers: 'leaf', http1_max_request_buf_size: 'leaf', http2_max_headers_list_bytes: 'leaf', max_depth: 'leaf', max_height: 'leaf', max_aliases: 'leaf', max_root_fields: 'leaf', parser_max_tokens: 'leaf', parser_max_recursion: 'leaf', introspection_max_depth: 'leaf', warn_only: 'leaf' },
  include_subgraph_errors: { all: 'leaf', subgraphs: { '*': 'leaf' } },
  override_subgraph_url: { '*': 'leaf' },
  headers: { all: { request: 'rules' }, subgraphs: { '*': { request: 'rules' } } },
  traffic_shaping: {
    router: { timeout: 'leaf', concurrency_limit: 'leaf', global_rate_limit: 'leaf' },
    all: 'shaping',
    subgraphs: { '*': 'shaping' },
    deduplicate_variables: 'leaf',
  },
  telemetry: 'leaf',
  apq: 'leaf',
  persisted_queries: 'leaf',
  authentication: 'leaf',
  authorization: 'leaf',
  demand_control: 'leaf',
  response_cache: 'leaf',
  tls: 'leaf',
  plugins: 'leaf',
  rhai: 'leaf',
  coprocessor: 'leaf',
  batching: 'leaf',
  subscription: 'leaf',
  forbid_mutations: 'leaf',
};
const SUBGRAPH_SHAPING_KEYS = new Set(['timeout', 'deduplicate_query', 'compression', 'global_rate_limit', 'pool_idle_timeout', 'dns_resolution_strategy', 'experimental_http2']);

/**
 * Checks router.yaml's text. Options: `subgraphs` (the names in supergraph.yaml), `subgraph` (this one's name),
 * `graphTimeoutMs` (GRAPH_TIMEOUT_MS of the deployed subgraph). Returns one line per problem.
 */
function lintRouterConfig(text, { subgraphs, subgraph = 'esim-pools', graphTimeoutMs = 30_000 }) {
  const problems = [];
  const report = (message) => problems.push(`router.yaml [router-config] ${message}`);
  let config;
  try {
    const doc = YAML.parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length > 0) throw doc.errors[0];
    config = doc.toJS();
  } catch (error) {
    report(`does not parse: ${error.message}`);
    return problems;
  }
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    report('is not a map');
    return problems;
  }
  checkKeys(config, ROUTER_KEYS, '', report);

  // Headers: Authorization and x-request-id reach this subgraph; router-authorization comes from the environment.
  const rulesFor = [...(config.headers?.all?.request ?? []), ...(config.headers?.subgraphs?.[subgraph]?.request ?? [])];
  for (const header of ['authorization', 'x-request-id']) {
    if (!rulesFor.some((r) => r?.propagate && String(r.propagate.named ?? '').toLowerCase() === header)) {
      report(`headers: ${subgraph} does not get ${header} (propagate: {named: ${header}}); the subgraph needs it (docs/federation.md)`);
    }
  }
  const inserts = rulesFor.filter((r) => r?.insert && String(r.insert.name ?? '').toLowerCase() === 'router-authorization');
  if (inserts.length === 0) report(`headers: ${subgraph} does not get router-authorization (insert from \${env.ROUTER_SECRET}); with ROUTER_SECRET set the subgraph refuses every request without it`);
  for (const insert of inserts) {
    if (!/^\$\{(env|file)\.[A-Za-z0-9_./-]+\}$/.test(String(insert.insert.value ?? ''))) {
      report('headers: router-authorization must be `${env.ROUTER_SECRET}` (or `${file.<path>}`), never a literal value in the repository');
    }
  }
  // A client must not be able to send its own router-authorization through a regex propagation.
  for (const rule of rulesFor) {
    const matching = rule?.propagate?.matching;
    if (typeof matching === 'string') {
      let forwards = false;
      try {
        forwards = new RegExp(matching, 'i').test('router-authorization');
      } catch {
        report(`headers: propagate.matching ${matching} is not a regular expression`);
      }
      if (forwards) report(`headers: propagate.matching ${matching} forwards a client's own router-authorization header to ${subgraph}`);
    }
  }
  for (const section of ['headers', 'include_subgraph_errors', 'traffic_shaping']) {
    for (const name of Object.keys(config[section]?.subgraphs ?? {})) {
      if (!subgraphs.includes(name)) report(`${section}.subgraphs.${name}: no subgraph of that name in supergraph.yaml (${subgraphs.join(', ')})`);
    }
  }
  for (const [name, url] of Object.entries(config.override_subgraph_url ?? {})) {
    if (!subgraphs.includes(name)) report(`override_subgraph_url.${name}: no subgraph of that name in supergraph.yaml`);
    const literal = String(url).replace(/^\$\{env\.[A-Za-z0-9_]+:-(.*)\}$/, '$1');
    if (name === subgraph && !/^https?:\/\/[^/]+\/graphql$/.test(literal)) report(`override_subgraph_url.${name}: ${url} must be http(s)://host[:port]/graphql (the subgraph serves /graphql only)`);
  }

  // Timeouts: the subgraph's own Graph deadline answers first, with its typed error; the router's outlasts both.
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

function checkKeys(value, spec, where, report) {
  if (spec === 'leaf' || value === null || value === undefined) return;
  if (spec === 'rules') {
    if (!Array.isArray(value)) {
      report(`${where} must be a list of header rules`);
      return;
    }
    value.forEach((rule, index) => checkHeaderRule(rule, `${where}[${index}]`, report));
    return;
  }
  if (spec === 'shaping') {
    for (const key of Object.keys(value)) {
      if (!SUBGRAPH_SHAPING_KEYS.has(key)) report(`${where}.${key} is not a documented traffic_shaping key (${[...SUBGRAPH_SHAPING_KEYS].join(', ')})`);
    }
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    report(`${where || 'the top level'} must be a map`);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const childSpec = spec[key] ?? spec['*'];
    const at = where ? `${where}.${key}` : key;
    if (childSpec === undefined) {
      report(`${at} is not a documented Router configuration key${where ? '' : ' (top level)'}`);
      continue;
    }
    checkKeys(child, childSpec, at, report);
  }
}

function checkHeaderRule(rule, where, report) {
  const kinds = rule && typeof rule === 'object' ? Object.keys(rule) : [];
  if (kinds.length !== 1 || !['propagate', 'insert', 'remove'].includes(kinds[0])) {
    report(`${where} must be exactly one of propagate, insert, remove`);
    return;
  }
  const body = rule[kinds[0]] ?? {};
  const allowed = { propagate: ['named', 'rename', 'default', 'matching'], insert: ['name', 'value', 'from_context', 'path', 'default'], remove: ['named', 'matching'] }[kinds[0]];
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) report(`${where}.${kinds[0]}.${key} is not a documented key (${allowed.join(', ')})`);
  }
}

/** A Router (humantime) duration in milliseconds: "35s", "1m", "500ms", "1m 30s"; undefined when unset, null when bad. */
function duration(value) {
  if (value === undefined || value === null) return undefined;
  const units = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };
  const parts = String(value).trim().split(/\s+/);
  let total = 0;
  for (const part of parts) {
    const match = /^(\d+)(ms|s|sec|m|min|h)$/.exec(part);
    if (!match) return null;
    total += Number(match[1]) * units[match[2]];
  }
  return total;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

function idOf(object) {
  if (!object) return '(manifests)';
  return `${object.kind ?? '?'}/${object.metadata?.name ?? '?'}`;
}

function rel(root, file) {
  return path.relative(root, file) || '.';
}

function clone(value) {
  return value === undefined ? undefined : structuredClone(value);
}

function deepEqual(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}


/** Every container of a workload's pod template (or a Pod), with its list. */
function containersOf(object) {
  const spec = object?.kind === 'Pod' ? object.spec : object?.kind === 'CronJob' ? object.spec?.jobTemplate?.spec?.template?.spec : object?.spec?.template?.spec;
  if (!spec || typeof spec !== 'object') return [];
  const out = [];
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const container of Array.isArray(spec[list]) ? spec[list] : []) {
      if (container && typeof container === 'object') out.push({ list, container });
    }
  }
  return out;
}

/** A Kubernetes quantity as a number (cpu in cores, memory in bytes), or null. */
function quantity(value) {
  if (value === undefined || value === null) return null;
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(String(value));
  if (!match) return null;
  const factor = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * factor;
}

function urlPort(url, fallback) {
  try {
    const u = new URL(url);
    return u.port ? Number(u.port) : fallback;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The repository's manifests, as `npm run lint:manifests` checks them
// ---------------------------------------------------------------------------------------------------------------

/** The kustomization directories checked: the base and every overlay. */
function targetsOf(root) {
  const k8s = path.join(root, 'deploy', 'kubernetes');
  const overlays = path.join(k8s, 'overlays');
  const dirs = [path.join(k8s, 'base')];
  if (fs.existsSync(overlays)) {
    for (const entry of fs.readdirSync(overlays, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) dirs.push(path.join(overlays, entry.name));
    }
  }
  return dirs;
}

/** The app's facts the checks compare the manifests with, read from the repository at `root`. */
function appFacts(root) {
  const { variables, secrets } = knownEnvironmentOf(path.join(root, 'src', 'config'));
  return { knownEnv: variables, secretEnv: secrets, servedPaths: servedPaths(fs.readFileSync(path.join(root, 'src', 'http', 'app.ts'), 'utf8')) };
}

/**
 * Renders and checks one kustomization directory; problems are prefixed with the directory (relative to root).
 * Returns { objects, problems }.
 */
function checkKustomization(dir, { root, facts = appFacts(root), extraComponents = [] }) {
  const { objects, problems } = renderKustomization(dir, { root, extraComponents });
  const label = rel(root, dir);
  const found = validateObjects(objects.map((item) => item.object), facts).map((p) => `${label}: ${p}`);
  return { objects, problems: [...problems.map((p) => (p.startsWith(label) ? p : `${label}: ${p}`)), ...found] };
}

/** Everything `npm run lint:manifests` checks; returns { problems, targets, objects }. */
function checkRepository(root) {
  const facts = appFacts(root);
  const problems = [];
  let objectCount = 0;
  let production = null;
  const targets = targetsOf(root);
  for (const dir of targets) {
    const result = checkKustomization(dir, { root, facts });
    problems.push(...result.problems);
    objectCount += result.objects.length;
    if (path.basename(dir) === 'production') production = result.objects.map((item) => item.object);
  }
  // router.yaml, against supergraph.yaml and the production subgraph's Graph deadline.
  const routerFile = path.join(root, 'router.yaml');
  if (!fs.existsSync(routerFile)) {
    problems.push('router.yaml [router-config] is missing');
  } else {
    const supergraph = YAML.parse(fs.readFileSync(path.join(root, 'supergraph.yaml'), 'utf8'));
    const subgraphs = Object.keys(supergraph?.subgraphs ?? {});
    const deployment = (production ?? []).find((o) => o.kind === 'Deployment');
    const configMaps = new Map((production ?? []).filter((o) => o.kind === 'ConfigMap').map((c) => [c.metadata?.name, c]));
    const main = deployment?.spec?.template?.spec?.containers?.[0];
    const timeout = main ? effectiveEnv(main, configMaps).get('GRAPH_TIMEOUT_MS')?.value : undefined;
    problems.push(...lintRouterConfig(fs.readFileSync(routerFile, 'utf8'), { subgraphs, graphTimeoutMs: timeout ? Number(timeout) : 30_000 }));
  }
  return { problems, targets: targets.map((d) => rel(root, d)), objectCount };
}

function main() {
  const root = path.resolve(process.argv[2] ?? '.');
  let result;
  try {
    result = checkRepository(root);
  } catch (error) {
    process.stderr.write(`lint:manifests: ${error.stack ?? error.message}\n`);
    process.exit(1);
  }
  if (result.problems.length > 0) {
    for (const problem of result.problems) process.stderr.write(`${problem}\n`);
    process.stderr.write(`lint:manifests: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}\n`);
    process.exit(1);
  }
  process.stdout.write(`lint:manifests: ok (${RULES.length} checks; ${result.targets.join(', ')}: ${result.objectCount} objects against Kubernetes ${KUBERNETES_VERSION}; router.yaml)\n`);
}

module.exports = {
  KUBERNETES_VERSION,
  RULES,
  renderKustomization,
  validateObjects,
  knownEnvironment,
  knownEnvironmentOf,
  servedPaths,
  appFacts,
  checkKustomization,
  checkRepository,
  lintRouterConfig,
  applyJsonPatchOp,
};

if (require.main === module) main();
