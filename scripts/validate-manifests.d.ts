// Types for scripts/validate-manifests.js (CommonJS, run by `npm run lint:manifests`), for the tests.

/** A Kubernetes object as parsed from YAML. */
export type KubernetesObject = { apiVersion?: string; kind?: string; metadata?: { name?: string; [key: string]: unknown }; [key: string]: unknown };

/** What the checks compare the manifests with, read from the application's source. */
export interface AppFacts {
  /** The variables src/config reads. */
  knownEnv: Set<string>;
  /** The variables src/config never prints (its SECRET_VARIABLES). */
  secretEnv: Set<string>;
  /** The paths src/http/app.ts routes. */
  servedPaths: Set<string>;
}

export declare const KUBERNETES_VERSION: string;
/** The rules, in report order; each problem names one as `[rule]`. */
export declare const RULES: readonly string[];

/** `kubectl kustomize dir` as objects, with kubectl's error as a `[kustomize]` problem; null without kubectl. */
export declare function render(dir: string): { objects: KubernetesObject[]; problems: string[] } | null;
/** The variables read by src/config's sources, and its SECRET_VARIABLES. */
export declare function knownEnvironment(files: Array<{ path: string; text: string }>): { variables: Set<string>; secrets: Set<string> };
export declare function appFacts(root: string): AppFacts;
/** One "Kind/name [rule] message" line per problem. */
export declare function validateObjects(objects: KubernetesObject[], facts: AppFacts): string[];
/** router.yaml's problems; `graphTimeoutMs` is the subgraph's GRAPH_TIMEOUT_MS (default 30000). */
export declare function lintRouterConfig(text: string, options: { subgraphs: string[]; subgraph?: string; graphTimeoutMs?: number }): string[];
/** Base, every overlay and router.yaml; `kubectl: false` when only router.yaml could be checked. */
export declare function checkRepository(root: string): { problems: string[]; targets: string[]; objectCount: number; kubectl: boolean };
