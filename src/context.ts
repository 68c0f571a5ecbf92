/** The per-request context every resolver receives. */
import type { CallOptions, EsimPoolsApi } from './graph/client';
import { createLoaders, type Loaders } from './loaders';

export interface Context {
  /** This request's id (from `x-request-id`/`request-id` when the router sent a valid one, else new). */
  requestId: string;
  /** The Graph API as the caller (app-only: the app; on-behalf-of: the signed-in user). */
  graph: EsimPoolsApi;
  /** This request's DataLoaders (never shared across requests or users). */
  loaders: Loaders;
  /** Passed to every Graph call: correlation id and the request's abort signal. */
  callOptions: CallOptions;
}

export function createContext(requestId: string, graph: EsimPoolsApi, signal?: AbortSignal): Context {
  const callOptions: CallOptions = { requestId, signal };
  return { requestId, graph, loaders: createLoaders(graph, callOptions), callOptions };
}
