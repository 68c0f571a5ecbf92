// Types of scripts/validate-manifests.js, for the tests.
export type KubernetesObject = { apiVersion?: string; kind?: string; metadata?: { name?: string; [key: string]: unknown }; [key: string]: unknown };
/** What the checks compare the manifests with: src/config's variables and SECRET_VARIABLES, src/http/app.ts's paths. */
export interface AppFacts {
  knownEnv: Set<string>;
  secretEnv: Set<string>;
  servedPaths: Set<string>;
}
export declare const KUBERNETES_VERSION: string;
export declare const RULES: readonly string[];
export declare function render(dir: string): { objects: KubernetesObject[]; problems: string[] } | null;
export declare function knownEnvironment(files: Array<{ path: string; text: string }>): { variables: Set<string>; secrets: Set<string> };
export declare function appFacts(root: string): AppFacts;
export declare function validateObjects(objects: KubernetesObject[], facts: AppFacts): string[];
export declare function lintRouterConfig(text: string, options: { subgraphs: string[]; subgraph?: string; graphTimeoutMs?: number }): string[];
export declare function checkRepository(root: string): { problems: string[]; targets: string[]; objectCount: number; kubectl: boolean };
