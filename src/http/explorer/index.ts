/**
 * The landing page outside production: Apollo Sandbox, else GraphiQL served under `/graphql/explorer/`, both with
 * the example operations (docs/explorer.md). Production never creates this.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EXAMPLE_DOCUMENT, EXAMPLE_TAB_GROUPS, EXAMPLE_VARIABLES } from '../../graphql/examples';
import type { Logger } from '../../observability/logger';
import { openExplorerAssets } from './assets';
import type { ExplorerPageConfig } from './config';
import { defaultHeaders, examplesVersion, exampleTabs } from './examples';
import { PAGE_HEADERS, renderPage, SANDBOX_SCRIPT_ORIGIN, SANDBOX_SCRIPT_PATH } from './page';

const ENDPOINT = '/graphql';
const ASSET_BASE = `${ENDPOINT}/explorer/`;

export function isGraphQLPath(path: string): boolean {
  return path === ENDPOINT || path === `${ENDPOINT}/`;
}

/** A browser navigating to the endpoint, as opposed to a GraphQL GET (which names its operation in the URL). */
export function wantsPage(req: IncomingMessage, url: URL): boolean {
  return !url.searchParams.has('query') && !url.searchParams.has('extensions') && (req.headers.accept ?? '').includes('text/html');
}

/** `tokensRequired`: the headers editor opens first, with a placeholder; `assetDir`: the build (default dist/explorer/). */
export function createExplorer(options: { logger: Logger; tokensRequired: boolean; assetDir?: string }) {
  const store = openExplorerAssets(options.assetDir);
  if (!store) {
    options.logger.warn(
      { assetDir: options.assetDir },
      'offline GraphQL explorer not built (`npm run build` builds it): the landing page cannot offer an explorer',
    );
  }
  const headers = defaultHeaders(options.tokensRequired);
  const config: ExplorerPageConfig = {
    endpoint: ENDPOINT,
    assetBase: ASSET_BASE,
    assets: store?.manifest.assets,
    tabs: exampleTabs(EXAMPLE_DOCUMENT, EXAMPLE_VARIABLES, headers, EXAMPLE_TAB_GROUPS),
    sandbox: { document: EXAMPLE_DOCUMENT, variables: EXAMPLE_VARIABLES, headers },
    tokensRequired: options.tokensRequired,
    storageNamespace: `esim-pools-subgraph:${examplesVersion(EXAMPLE_DOCUMENT, EXAMPLE_VARIABLES, EXAMPLE_TAB_GROUPS)}`,
    sandboxScript: `${SANDBOX_SCRIPT_ORIGIN}${SANDBOX_SCRIPT_PATH}`,
    sandboxTimeoutMs: 4000,
  };
  // The page is the same for every request: render it once.
  const page = Buffer.from(renderPage(config), 'utf8');
  return {
    /** Whether the offline explorer was built and is served. */
    built: store !== undefined,
    config,
    /** Answers and returns true when the request is for the landing page or one of its assets; else false. */
    handle: (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
      const method = req.method ?? 'GET';
      const isPage = isGraphQLPath(url.pathname);
      if (!isPage && !url.pathname.startsWith(ASSET_BASE)) return false;
      if (method !== 'GET' && method !== 'HEAD') {
        // POST to the endpoint is GraphQL; anything else under the asset path is not allowed.
        if (isPage) return false;
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return true;
      }
      if (isPage) {
        if (!wantsPage(req, url)) return false;
        res.writeHead(200, { ...PAGE_HEADERS, 'content-length': page.length }).end(method === 'HEAD' ? undefined : page);
        return true;
      }
      if (store?.send(req, res, url.pathname.slice(ASSET_BASE.length))) return true;
      const body = JSON.stringify({ error: 'Not found.' });
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
      res.end(method === 'HEAD' ? undefined : body);
      return true;
    },
  };
}
