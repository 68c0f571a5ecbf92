/**
 * What a browser gets at GET /graphql. Outside production: Apollo's embedded Sandbox with the example operations
 * preloaded against the emulator's sample data. In production: a plain page that loads nothing (no CDN, no
 * schema hints). Kept in its own module so that another page can take its place without touching the handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { Context } from '../graphql/context';
import { EXAMPLE_DOCUMENT, EXAMPLE_VARIABLES } from '../graphql/examples';

const PLAIN_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>esim-pools-subgraph</title></head>
<body><h1>esim-pools-subgraph</h1><p>GraphQL endpoint: send POST requests with a JSON body to this URL.</p></body></html>`;

/**
 * How the handler treats a request to /graphql: `plain-page`, answered here (production); `sandbox`, Apollo's
 * landing page, static and so served without authentication; undefined: a GraphQL request.
 */
export type LandingRequest = 'plain-page' | 'sandbox' | undefined;

export function landingRequest(req: IncomingMessage, url: URL, production: boolean): LandingRequest {
  if (req.method !== 'GET' || url.searchParams.has('query') || !(req.headers.accept ?? '').includes('text/html')) return undefined;
  if (production) return 'plain-page';
  // Anything that may carry an operation (`query`, or `extensions` with a persisted-query hash) is authenticated.
  return url.searchParams.has('extensions') ? undefined : 'sandbox';
}

export function sendPlainPage(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PLAIN_PAGE);
}

/** The Apollo plugin that renders the Sandbox outside production, and turns Apollo's page off in production. */
export function landingPagePlugin(production: boolean): ApolloServerPlugin<Context> {
  if (production) return ApolloServerPluginLandingPageDisabled();
  return ApolloServerPluginLandingPageLocalDefault({
    embed: { endpointIsEditable: false },
    document: EXAMPLE_DOCUMENT,
    variables: EXAMPLE_VARIABLES,
    includeCookies: false,
  });
}
