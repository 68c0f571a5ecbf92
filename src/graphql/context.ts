/** The per-request context every resolver receives. */
import type { Principal } from '../auth/principal';
import type { CallOptions, EsimPoolsApi } from '../graph/api';
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
  /** The verified caller (undefined when inbound authentication is off: emulator mode without AUTH_AUDIENCE). */
  principal?: Principal;
}

export function createContext(requestId: string, graph: EsimPoolsApi, signal?: AbortSignal, principal?: Principal): Context {
  const callOptions: CallOptions = { requestId, signal };
  return { requestId, graph, loaders: createLoaders(graph, callOptions), callOptions, principal };
}
