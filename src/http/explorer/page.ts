/** The landing page's HTML and headers: no inline script, it loads landing-<hash>.js; its configuration is a JSON block. */
import { CONFIG_ELEMENT_ID, type ExplorerPageConfig } from './config';

/** Apollo Sandbox, exactly as Apollo Server's own landing page loads it (embed v2). */
export const SANDBOX_SCRIPT_ORIGIN = 'https://embeddable-sandbox.cdn.apollographql.com';
export const SANDBOX_FRAME_ORIGIN = 'https://sandbox.embed.apollographql.com';
export const SANDBOX_SCRIPT_PATH = '/v2/embeddable-sandbox.umd.production.min.js';

/**
 * Everything from 'self' but the Sandbox script and frame; inline styles and data: images because Monaco makes them
 * at run time without nonces (docs/explorer.md).
 */
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

export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // The page names the current hashed assets: never cache it, or a rebuilt server would be sent stale names.
  'cache-control': 'no-store',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** JSON that cannot end the `<script>` element it sits in, nor open a comment there. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderPage(config: ExplorerPageConfig): string {
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
