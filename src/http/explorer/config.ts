/** The landing page's JSON block for src/explorer-web/ (no inline script under the CSP): no Node, no DOM here. */
export interface ExplorerPageConfig {
  /** The GraphQL endpoint's path, e.g. `/graphql`: both explorers talk to this server only. */
  endpoint: string;
  /** Where the assets are served, e.g. `/graphql/explorer/`. */
  assetBase: string;
  /** The offline explorer's hashed file names under `assetBase`; unset when it was not built (then only Sandbox is tried). */
  assets?: Record<'landing' | 'landingCss' | 'graphiql' | 'graphiqlCss', string> & { workers: Record<'editor' | 'json' | 'graphql', string> };
  /** GraphiQL's tabs: a first operation's name, its source with the comments above it, its variables and headers as JSON. */
  tabs: Array<Record<'name' | 'query' | 'variables' | 'headers', string>>;
  /** The whole example document and the union of its variables, for Apollo Sandbox (which takes one document). */
  sandbox: { document: string; variables: Record<string, unknown>; headers: Record<string, string> };
  /** Whether requests need a bearer token (then the headers editor opens first, with a placeholder). */
  tokensRequired: boolean;
  /** Namespace of the offline explorer's saved tabs; changes with the examples, so new ones are not hidden. */
  storageNamespace: string;
  /** The Sandbox embed script's URL; the page gives up on it after `sandboxTimeoutMs`. */
  sandboxScript: string;
  sandboxTimeoutMs: number;
}

/** The id of the JSON block in the page. */
export const CONFIG_ELEMENT_ID = 'explorer-config';

