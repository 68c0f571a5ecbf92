/** The operational routes beside /graphql: liveness, readiness and Prometheus metrics. */
import type { ServerResponse } from 'node:http';
import type { CoordinationHealth } from '../coordination/types';
import type { Metrics } from '../observability/metrics';
import { sendJson } from './reply';

/** Liveness: 200 while the process can answer at all. */
export function healthz(res: ServerResponse): void {
  sendJson(res, 200, { status: 'ok' });
}

/**
 * Readiness: 200 while serving; 503 before listening, once shutdown has begun, or without a token for Graph. The
 * coordination store is reported, not required (docs/scale-out.md).
 */
export function readyz(res: ServerResponse, listening: boolean, healthy: boolean, coordination?: CoordinationHealth): void {
  const ok = listening && healthy;
  sendJson(res, ok ? 200 : 503, {
    status: ok ? 'ready' : listening ? 'no token for Microsoft Graph' : 'not ready',
    ...(coordination ? { coordination } : {}),
  });
}

export async function metricsRoute(res: ServerResponse, metrics: Metrics): Promise<void> {
  const text = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
}
