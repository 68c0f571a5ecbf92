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
 * Readiness: 200 while serving. 503 before listening and once shutdown has begun (`listening` false), and while
 * an extra condition fails (`healthy` false: the credential cannot get a token for Graph).
 *
 * The shared coordination store (Redis) is reported, not required: while it is down reads still work (their budget
 * falls back to this replica) and writes are refused fast with COORDINATION_UNAVAILABLE. Taking every replica out
 * of the load balancer at once for an outage of the shared store would turn "no writes" into "nothing at all", so
 * the body says why (`coordination: { ok: false, reason }`) and the metric `coordination_up` alerts.
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
