// Types for scripts/validate-manifests.js (plain CommonJS, run by `npm run lint:manifests`), for the tests.

/** A Kubernetes object as parsed from YAML. */
export type KubernetesObject = { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; [key: string]: unknown }; [key: string]: unknown };

/** One rendered object and the file (relative to the root) it came from. */
export interface RenderedObject {
  object: KubernetesObject;
  source: string;
}

/** What the checks compare the manifests with, read from the application's source. */
export interface AppFacts {
  /** Every environment variable src/config reads. */
  knownEnv: Set<string>;
  /** The variables src/config treats as secrets (SECRET_VARIABLES). */
  secretEnv: Set<string>;
  /** The paths src/http/app.ts routes. */
  servedPaths: Set<string>;
}

/** The Kubernetes version whose API schemas the objects are validated against. */
export declare const KUBERNETES_VERSION: string;

/** The rules, in report order; each problem names one as `[rule]`. */
export declare const RULES: readonly string[];

/**
 * Renders a kustomization directory (the kustomize subset this repository uses). `extraComponents` (relative to
 * `dir`) are applied as if the kustomization listed them. Problems are rendering errors (unsupported fields, patches
 * that fail or match nothing, unreadable YAML).
 */
export declare function renderKustomization(
  dir: string,
  options?: { root?: string; extraComponents?: string[] },
): { objects: RenderedObject[]; problems: string[] };

/** Checks rendered objects against the schemas and the policy; one "Kind/name [rule] message" line per problem. */
export declare function validateObjects(objects: KubernetesObject[], facts: AppFacts): string[];

/** The variables read by TypeScript sources (src/config): z.object keys and env.NAME reads; and SECRET_VARIABLES. */
export declare function knownEnvironment(files: Array<{ path: string; text: string }>): { variables: Set<string>; secrets: Set<string> };

/** knownEnvironment over every .ts file under a directory. */
export declare function knownEnvironmentOf(dir: string): { variables: Set<string>; secrets: Set<string> };

/** The routes of src/http/app.ts's source text (`route === '/healthz'`). */
export declare function servedPaths(appSource: string): Set<string>;

/** AppFacts of the repository at `root` (src/config, src/http/app.ts). */
export declare function appFacts(root: string): AppFacts;

/** Renders and checks one kustomization directory; every problem is prefixed with the directory. */
export declare function checkKustomization(
  dir: string,
  options: { root: string; facts?: AppFacts; extraComponents?: string[] },
): { objects: RenderedObject[]; problems: string[] };

/** Everything `npm run lint:manifests` checks: base, every overlay, router.yaml. */
export declare function checkRepository(root: string): { problems: string[]; targets: string[]; objectCount: number };

/**
 * Checks router.yaml's text: `subgraphs` are supergraph.yaml's names, `subgraph` this one's (default esim-pools),
 * `graphTimeoutMs` the subgraph's GRAPH_TIMEOUT_MS (default 30000).
 */
export declare function lintRouterConfig(text: string, options: { subgraphs: string[]; subgraph?: string; graphTimeoutMs?: number }): string[];

/** Applies one RFC 6902 operation (add, remove, replace, test) to `document` in place; an error message or null. */
export declare function applyJsonPatchOp(document: unknown, op: unknown): string | null;
