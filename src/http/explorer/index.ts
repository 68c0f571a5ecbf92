/**
 * The landing page outside production: Apollo Sandbox, else GraphiQL served under `<endpoint>/explorer/`, both with
 * the example operations (docs/explorer.md). Production never creates this.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EXAMPLE_DOCUMENT, EXAMPLE_TAB_GROUPS, EXAMPLE_VARIABLES } from '../../graphql/examples';
import type { Logger } from '../../observability/logger';
import { ExplorerAssetStore } from './assets';
import type { ExplorerPageConfig } from './config';
import { defaultHeaders, examplesVersion, exampleTabs } from './examples';
import { pageHeaders, renderPage, SANDBOX_SCRIPT_ORIGIN, SANDBOX_SCRIPT_PATH } from './page';

export interface ExplorerOptions {
  logger: Logger;
  /** Whether callers need a bearer token: the headers editor then opens first, with a placeholder to replace. */
  tokensRequired: boolean;
  /** The GraphQL endpoint's path; the assets are served under `<endpoint>/explorer/`. */
  endpoint?: string;
  /** Where the built assets are (default: dist/explorer/ of this project). */
  assetDir?: string;
  /** How long the page waits for the Sandbox script before it gives up on it (default 4 s). */
  sandboxTimeoutMs?: number;
}

export interface Explorer {
  /** Whether the offline explorer was built and is served. */
  readonly built: boolean;
  readonly config: ExplorerPageConfig;
  /** Answers the request and returns true when it is the landing page or one of its assets; else false. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
}

/** A browser navigating to the endpoint, as opposed to a GraphQL GET (which names its operation in the URL). */
function wantsPage(req: IncomingMessage, url: URL): boolean {
  return !url.searchParams.has('query') && !url.searchParams.has('extensions') && (req.headers.accept ?? '').includes('text/html');
}

export function createExplorer(options: ExplorerOptions): Explorer {
  const endpoint = options.endpoint ?? '/graphql';
  const assetBase = `${endpoint}/explorer/`;
  const store = ExplorerAssetStore.open(options.assetDir);
  if (!store) {
    options.logger.warn(
      { assetDir: options.assetDir },
      'offline GraphQL explorer not built (`npm run build` builds it): the landing page cannot offer an explorer',
    );
  }
  const headers = defaultHeaders(options.tokensRequired);
  const config: ExplorerPageConfig = {
    endpoint,
    assetBase,
    assets: store?.manifest.assets,
    tabs: exampleTabs(EXAMPLE_DOCUMENT, EXAMPLE_VARIABLES, headers, EXAMPLE_TAB_GROUPS),
    sandbox: { document: EXAMPLE_DOCUMENT, variables: EXAMPLE_VARIABLES, headers },
    tokensRequired: options.tokensRequired,
    storageNamespace: `esim-pools-subgraph:${examplesVersion(EXAMPLE_DOCUMENT, EXAMPLE_VARIABLES, EXAMPLE_TAB_GROUPS)}`,
    sandboxScript: `${SANDBOX_SCRIPT_ORIGIN}${SANDBOX_SCRIPT_PATH}`,
    sandboxTimeoutMs: options.sandboxTimeoutMs ?? 4000,
  };
  // The page is the same for every request: render it once.
  const page = Buffer.from(renderPage(config), 'utf8');

  return {
    built: store !== undefined,
    config,
    handle(req, res, url) {
      const method = req.method ?? 'GET';
      const path = url.pathname;
      const isPage = path === endpoint || path === `${endpoint}/`;
      if (!isPage && !path.startsWith(assetBase)) return false;
      if (method !== 'GET' && method !== 'HEAD') {
        // POST to the endpoint is GraphQL; anything else under the asset path is not allowed.
        if (isPage) return false;
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return true;
      }
      if (isPage) {
        if (!wantsPage(req, url)) return false;
        res.writeHead(200, { ...pageHeaders(), 'content-length': page.length });
        res.end(method === 'HEAD' ? undefined : page);
        return true;
      }
      const name = path.slice(assetBase.length);
      if (store?.has(name)) {
        store.send(req, res, name);
      } else {
        const body = JSON.stringify({ error: 'Not found.' });
        res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
        res.end(method === 'HEAD' ? undefined : body);
      }
      return true;
    },
  };
}
