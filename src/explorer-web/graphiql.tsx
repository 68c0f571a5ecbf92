/** The offline explorer: GraphiQL bundled at build time, mounted by the landing script when Sandbox cannot load. */
import { createLocalStorage, type Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { createRoot } from 'react-dom/client';
import type { ExplorerPageConfig } from '../http/explorer/config';

/** The editor's workers, built as separate files by scripts/build-explorer.mjs, named by the server's config. */
function setUpWorkers(config: ExplorerPageConfig): void {
  const workers = config.assets?.workers;
  if (!workers) throw new Error('the explorer was built without its editor workers');
  // Monaco (GraphiQL's editor) asks this global for its web workers.
  window.MonacoEnvironment = {
    getWorker(_workerId, label) {
      const file = label === 'json' ? workers.json : label === 'graphql' ? workers.graphql : workers.editor;
      return new Worker(config.assetBase + file, { name: label });
    },
  };
}

/** POSTs JSON (what Apollo's CSRF prevention asks) to this endpoint, with the headers editor's headers. */
function endpointFetcher(endpoint: string): Fetcher {
  return async (params, options) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...options?.headers },
      body: JSON.stringify(params),
    });
    const text = await response.text();
    const body = parseJson(text);
    if (isExecutionResult(body)) return body;
    // A proxy's HTML error page, say: show it rather than a JSON parse error.
    return { errors: [new GraphQLError(`HTTP ${response.status}: ${text.slice(0, 500)}`)] };
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A GraphQL response body: an object with `data` or `errors`. */
function isExecutionResult(value: unknown): value is ExecutionResult {
  return typeof value === 'object' && value !== null && ('data' in value || 'errors' in value);
}

function Logo({ reason }: { reason: string }) {
  return (
    <span className="explorer-logo" title={reason}>
      esim-pools-subgraph
      <small>offline explorer</small>
    </span>
  );
}

/** GraphiQL's key for its saved tabs (STORAGE_KEY.tabs in @graphiql/react). */
const TABS_KEY = 'tabState';

export function mount(config: ExplorerPageConfig, reason: string): void {
  setUpWorkers(config);
  const element = document.getElementById('graphiql');
  if (!element) throw new Error('the page has no #graphiql');
  element.hidden = false;
  const storage = createLocalStorage({ namespace: config.storageNamespace });
  const first = config.tabs[0];
  createRoot(element).render(
    <GraphiQL
      fetcher={endpointFetcher(config.endpoint)}
      defaultTabs={config.tabs.map(({ query, variables, headers }) => ({ query, variables, headers }))}
      // GraphiQL 5 opens the first default tab with its query but empty variables (it reads them from storage
      // only): hand them over while nothing is saved. With saved tabs, GraphiQL restores the variables itself.
      initialVariables={storage.getItem(TABS_KEY) === null ? first?.variables : undefined}
      defaultHeaders={first?.headers}
      defaultEditorToolsVisibility={config.tokensRequired ? 'headers' : 'variables'}
      isHeadersEditorEnabled
      // Tokens stay out of localStorage; queries and variables are kept, per version of the examples.
      shouldPersistHeaders={false}
      storage={storage}
    >
      <GraphiQL.Logo>
        <Logo reason={reason} />
      </GraphiQL.Logo>
    </GraphiQL>,
  );
}
