/**
 * The landing page outside production: Apollo Sandbox, else GraphiQL served under `/graphql/explorer/`, both with
 * the example operations (docs/explorer.md); the page loads landing-<hash>.js, its configuration a JSON block.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Kind, parse, separateOperations, type DefinitionNode, type OperationDefinitionNode } from 'graphql';
import { z } from 'zod';
import { EXAMPLE_DOCUMENT, EXAMPLE_TAB_GROUPS, EXAMPLE_VARIABLES } from '../../graphql/examples';
import type { Logger } from '../../observability/logger';
import { CONFIG_ELEMENT_ID, type ExplorerPageConfig } from './config';

const ENDPOINT = '/graphql';
const ASSET_BASE = `${ENDPOINT}/explorer/`;

/** Apollo Sandbox, exactly as Apollo Server's own landing page loads it (embed v2). */
export const SANDBOX_SCRIPT_ORIGIN = 'https://embeddable-sandbox.cdn.apollographql.com';
export const SANDBOX_FRAME_ORIGIN = 'https://sandbox.embed.apollographql.com';
export const SANDBOX_SCRIPT_PATH = '/v2/embeddable-sandbox.umd.production.min.js';

/** Everything from 'self' but the Sandbox script and frame; inline styles and data: images for Monaco (docs/explorer.md). */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  `script-src 'self' ${SANDBOX_SCRIPT_ORIGIN}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  `frame-src ${SANDBOX_FRAME_ORIGIN}`,
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // The page names the current hashed assets: never cache it, or a rebuilt server would be sent stale names.
  'cache-control': 'no-store',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The manifest `npm run build` writes next to the assets: the page's entry points, and every file name → bytes. */
const MANIFEST = z.object({
  assets: z.object({
    landing: z.string(),
    landingCss: z.string(),
    graphiql: z.string(),
    graphiqlCss: z.string(),
    workers: z.object({ editor: z.string(), json: z.string(), graphql: z.string() }),
  }),
  files: z.record(z.number()),
});

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export const IMMUTABLE = 'public, max-age=31536000, immutable';

export function isGraphQLPath(path: string): boolean {
  return path === ENDPOINT || path === `${ENDPOINT}/`;
}

/** A browser navigating to the endpoint, as opposed to a GraphQL GET (which names its operation in the URL). */
export function wantsPage(req: IncomingMessage, url: URL): boolean {
  return !url.searchParams.has('query') && !url.searchParams.has('extensions') && (req.headers.accept ?? '').includes('text/html');
}

/** The project's root: the nearest folder up with a package.json (from src/, dist/ or dist-tools/src/ alike). */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

/**
 * The content-hashed build in `dir` (default dist/explorer/), served immutable, or undefined when it was not built;
 * only what its manifest lists is served (no path from the URL reaches the file system).
 */
export function openExplorerAssets(dir = join(projectRoot(__dirname), 'dist', 'explorer')) {
  let text: string;
  try {
    text = readFileSync(join(dir, 'manifest.json'), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = MANIFEST.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${join(dir, 'manifest.json')} is not the explorer build's manifest: run npm run build`);
  const manifest = parsed.data;
  const loaded = new Map<string, { body: Buffer; gzip?: Buffer }>();
  return {
    manifest,
    /** Sends the file `name` and returns true when the build lists it; else false. */
    send(req: IncomingMessage, res: ServerResponse, name: string): boolean {
      const contentType = CONTENT_TYPES[extname(name)];
      if (!Object.prototype.hasOwnProperty.call(manifest.files, name) || contentType === undefined) return false;
      let file = loaded.get(name);
      if (!file) {
        const body = readFileSync(join(dir, name));
        // Text compresses to about a quarter (the editor bundle is megabytes); fonts are compressed already.
        file = { body, gzip: contentType.startsWith('text/') || contentType === 'image/svg+xml' ? gzipSync(body) : undefined };
        loaded.set(name, file);
      }
      const { body, gzip } = file;
      const payload = gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) ? gzip : body;
      res.writeHead(200, {
        'content-type': contentType,
        'content-length': payload.length,
        'cache-control': IMMUTABLE,
        'x-content-type-options': 'nosniff',
        ...(gzip ? { vary: 'Accept-Encoding' } : {}),
        ...(payload === gzip ? { 'content-encoding': 'gzip' } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : payload);
      return true;
    },
  };
}

/** Headers the tabs start with: a placeholder to replace when the subgraph requires bearer tokens. */
export function defaultHeaders(tokensRequired: boolean): Record<string, string> {
  return tokensRequired ? { Authorization: 'Bearer <paste an access token for this subgraph here>' } : {};
}

/** Operations shown together in one tab, by what the tab is for (see EXAMPLE_TAB_GROUPS). */
type TabGroups = Readonly<Record<string, readonly string[]>>;

/** The example operations as tabs (one per operation or group), each with its comment lines and only its variables. */
export function exampleTabs(document: string, variables: Record<string, unknown>, headers: Record<string, string>, groups: TabGroups = {}): ExplorerPageConfig['tabs'] {
  const ast = parse(document);
  // Each definition's text starts after the previous one ends, so the comments above an operation go with it.
  const texts = new Map<DefinitionNode, string>();
  let start = 0;
  for (const definition of ast.definitions) {
    const end = definition.loc?.end ?? start;
    texts.set(definition, document.slice(start, end).trim());
    start = end;
  }
  const operations = ast.definitions.flatMap((d, index) => (d.kind === Kind.OPERATION_DEFINITION ? [{ name: d.name?.value ?? `Operation ${index + 1}`, d }] : []));
  const groupOf = new Map<string, string>();
  for (const [tab, members] of Object.entries(groups)) {
    for (const member of members) {
      if (!operations.some((o) => o.name === member)) throw new Error(`the example tab "${tab}" names ${member}, which the example document does not define`);
      groupOf.set(member, tab);
    }
  }
  // A group's tab stands where its first operation does, holds its operations in document order, and is named after the first.
  const tabs = new Map<string | OperationDefinitionNode, { name: string; d: OperationDefinitionNode }[]>();
  for (const operation of operations) {
    const key = groupOf.get(operation.name) ?? operation.d;
    tabs.set(key, [...(tabs.get(key) ?? []), operation]);
  }
  // Each operation with the fragments it uses, transitively: a tab carries those and no others (GraphQL refuses unused ones).
  const separated = separateOperations(ast);
  return [...tabs.values()].map((members) => {
    const used = new Set(members.flatMap(({ d }) => separated[d.name?.value ?? ''].definitions));
    const fragments = ast.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION && used.has(d));
    const declared = members.flatMap(({ d }) => d.variableDefinitions ?? []).map((v) => v.variable.name.value);
    const own = Object.fromEntries(declared.filter((key) => key in variables).map((key) => [key, variables[key]]));
    const query = [...members.map(({ d }) => d), ...fragments].map((d) => texts.get(d)).join('\n\n');
    return { name: members[0].name, query, variables: JSON.stringify(own, null, 2), headers: JSON.stringify(headers, null, 2) };
  });
}

/** JSON that cannot end the `<script>` element it sits in, nor open a comment there. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The landing page: no inline script (the CSP allows none), so src/explorer-web/landing.ts reads `config` from JSON. */
function renderPage(config: ExplorerPageConfig): string {
  const base = escapeHtml(config.assetBase);
  const assets = config.assets;
  const head = assets
    ? `<link rel="stylesheet" href="${base}${escapeHtml(assets.landingCss)}">
<script type="module" src="${base}${escapeHtml(assets.landing)}"></script>`
    : '';
  const notBuilt = assets
    ? ''
    : `<p>The offline explorer is not built, so only Apollo Sandbox (which needs Apollo's CDN) could be used, and
this page has no script to load it. Run <code>npm run build</code> (or <code>npm start</code>) and reload.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>esim-pools-subgraph: GraphQL explorer</title>
<script type="application/json" id="${CONFIG_ELEMENT_ID}">${jsonForScript(config)}</script>
${head}
</head>
<body>
<div id="explorer-status" role="status">
<h1>esim-pools-subgraph</h1>
<p>GraphQL endpoint: <code>${escapeHtml(config.endpoint)}</code>. Loading Apollo Sandbox…</p>
${notBuilt}
<noscript><p>The explorers need JavaScript. Without it, send POST requests with a JSON body to this URL.</p></noscript>
</div>
<div id="embeddableSandbox"></div>
<div id="graphiql" hidden></div>
</body>
</html>
`;
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
  // GraphiQL's storage namespace changes with the examples, so saved tabs are dropped when they change.
  const examples = createHash('sha256').update(EXAMPLE_DOCUMENT).update(JSON.stringify(EXAMPLE_VARIABLES)).update(JSON.stringify(EXAMPLE_TAB_GROUPS));
  const config: ExplorerPageConfig = {
    endpoint: ENDPOINT,
    assetBase: ASSET_BASE,
    assets: store?.manifest.assets,
    tabs: exampleTabs(EXAMPLE_DOCUMENT, EXAMPLE_VARIABLES, headers, EXAMPLE_TAB_GROUPS),
    sandbox: { document: EXAMPLE_DOCUMENT, variables: EXAMPLE_VARIABLES, headers },
    tokensRequired: options.tokensRequired,
    storageNamespace: `esim-pools-subgraph:${examples.digest('hex').slice(0, 12)}`,
    sandboxScript: `${SANDBOX_SCRIPT_ORIGIN}${SANDBOX_SCRIPT_PATH}`,
    sandboxTimeoutMs: 4000,
  };
  // The page is the same for every request: render it once.
  const page = Buffer.from(renderPage(config), 'utf8');
  return {
    /** What the page hands the browser; `assets` unset when the offline explorer was not built. */
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
