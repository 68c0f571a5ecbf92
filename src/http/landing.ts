/**
 * What a browser gets at GET /graphql: the explorer outside production, a plain page that loads nothing in
 * production; Apollo's own landing page is off.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Context } from '../graphql/context';
import type { Logger } from '../observability/logger';
import { createExplorer } from './explorer';

const PLAIN_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>esim-pools-subgraph</title></head>
<body><h1>esim-pools-subgraph</h1><p>GraphQL endpoint: send POST requests with a JSON body to this URL.</p></body></html>`;

export interface LandingPage {
  /** Apollo's landing page plugin: off (this module serves the page). */
  plugin: ApolloServerPlugin<Context>;
  /** Answers and returns true for the landing page or one of its assets (static and open); false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
}

export interface LandingPageOptions {
  production: boolean;
  logger: Logger;
  /** Whether callers need a bearer token (the explorer then opens its headers editor first). */
  tokensRequired: boolean;
}

/** A browser navigating to the endpoint, as opposed to a GraphQL GET (which names its operation in the URL). */
function isBrowserGet(req: IncomingMessage, url: URL): boolean {
  return (
    req.method === 'GET' &&
    (url.pathname === '/graphql' || url.pathname === '/graphql/') &&
    !url.searchParams.has('query') &&
    (req.headers.accept ?? '').includes('text/html')
  );
}

export function createLandingPage({ production, logger, tokensRequired }: LandingPageOptions): LandingPage {
  const plugin = ApolloServerPluginLandingPageDisabled();
  if (!production) {
    const explorer = createExplorer({ logger, tokensRequired });
    return { plugin, handle: (req, res, url) => explorer.handle(req, res, url) };
  }
  return {
    plugin,
    handle(req, res, url) {
      if (!isBrowserGet(req, url)) return false;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PLAIN_PAGE);
      return true;
    },
  };
}
