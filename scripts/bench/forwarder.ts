/** The bench's reference: the same upstream calls and JSON as the subgraph for POST /assign and /pools, without
 * GraphQL (same inbound JWT checks, same Graph token); prints `forwarder listening on http://…`. */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { text } from 'node:stream/consumers';
import type { AccessToken } from '@azure/core-auth';
import { ClientSecretCredential } from '@azure/identity';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { Pool } from 'undici';
import { addressOf } from '../../test/support/net';

const POOLS = '/beta/deviceManagement/embeddedSIMActivationCodePools';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TARGET_TYPE: Readonly<Record<string, string>> = {
  GROUP: '#microsoft.graph.groupAssignmentTarget',
  EXCLUSION_GROUP: '#microsoft.graph.exclusionGroupAssignmentTarget',
  ALL_DEVICES: '#microsoft.graph.allDevicesAssignmentTarget',
  ALL_LICENSED_USERS: '#microsoft.graph.allLicensedUsersAssignmentTarget',
};
/** `#microsoft.graph.groupAssignmentTarget` → `GroupAssignmentTarget`. */
const typeName = (type: string): string | undefined =>
  Object.values(TARGET_TYPE).includes(type) ? type.replace(/^#microsoft\.graph\.(.)/, (_, c: string) => c.toUpperCase()) : undefined;

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const jwks = createRemoteJWKSet(new URL(required('AUTH_JWKS_URL')));
const issuer = required('AUTH_ISSUER').split(',');
const audience = required('AUTH_AUDIENCE').split(',');
/** Verified tokens: SHA-256 → (roles, expiry ms). Bounded: cleared when full. */
const verified = new Map<string, { roles: ReadonlySet<string>; expiresAt: number }>();

async function rolesOf(req: IncomingMessage): Promise<ReadonlySet<string>> {
  const header = req.headers.authorization;
  if (header === undefined || !header.startsWith('Bearer ')) throw new HttpError(401, 'missing token');
  const token = header.slice(7);
  const key = createHash('sha256').update(token).digest('base64url');
  const cached = verified.get(key);
  if (cached !== undefined && cached.expiresAt > Date.now()) return cached.roles;
  let roles: ReadonlySet<string>;
  let expiresAt: number;
  try {
    const { payload } = await jwtVerify(token, jwks, { algorithms: ['RS256'], issuer, audience, requiredClaims: ['exp'] });
    roles = new Set(Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : []);
    expiresAt = (payload.exp ?? 0) * 1000;
  } catch {
    throw new HttpError(401, 'invalid token');
  }
  if (verified.size >= 10_000) verified.clear();
  verified.set(key, { roles, expiresAt });
  return roles;
}

const graphUrl = new URL(required('GRAPH_BASE_URL'));
const graph = new Pool(graphUrl.origin, { connections: 32, keepAliveTimeout: 30_000 });
const credential = new ClientSecretCredential(required('AZURE_TENANT_ID'), required('AZURE_CLIENT_ID'), required('AZURE_CLIENT_SECRET'), {
  authorityHost: required('AZURE_AUTHORITY_HOST'),
  disableInstanceDiscovery: true,
});
const scope = 'https://graph.microsoft.com/.default';
let graphToken: AccessToken | undefined;
let pendingToken: Promise<AccessToken> | undefined;

async function bearer(): Promise<string> {
  if (graphToken !== undefined && graphToken.expiresOnTimestamp - 300_000 > Date.now()) return graphToken.token;
  pendingToken ??= credential.getToken(scope).then((t) => {
    pendingToken = undefined;
    if (t === null) throw new Error('no token');
    graphToken = t;
    return t;
  });
  return (await pendingToken).token;
}

async function callGraph(method: 'GET' | 'POST', path: string, body?: string): Promise<Json> {
  const headers: Record<string, string> = { authorization: `Bearer ${await bearer()}`, accept: 'application/json', 'client-request-id': randomUUID() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await graph.request({ method, path, headers, body });
  const answer = await res.body.text();
  if (res.statusCode < 200 || res.statusCode >= 300) throw new HttpError(502, `Graph answered ${res.statusCode}`);
  const parsed: unknown = JSON.parse(answer);
  if (!isRecord(parsed)) throw new HttpError(502, 'Graph answered with the wrong shape');
  return parsed;
}

function target(t: unknown): Json {
  if (!isRecord(t)) throw new HttpError(502, 'Graph answered with the wrong shape');
  const type = String(t['@odata.type']);
  const out: Json = { __typename: typeName(type) ?? 'UnknownAssignmentTarget', filterType: (typeof t.deviceAndAppManagementAssignmentFilterType === 'string' ? t.deviceAndAppManagementAssignmentFilterType : 'none').toUpperCase() };
  if (typeof t.groupId === 'string') out.groupId = t.groupId;
  return out;
}

async function assign(variables: Json): Promise<Json> {
  const { poolId, assignments } = variables;
  if (typeof poolId !== 'string' || !GUID.test(poolId) || !Array.isArray(assignments)) throw new HttpError(400, 'bad input');
  const wire = assignments.map((a: unknown) => {
    const t = isRecord(a) && isRecord(a.target) ? a.target : undefined;
    const type = t !== undefined ? TARGET_TYPE[String(t.kind)] : undefined;
    if (t === undefined || type === undefined) throw new HttpError(400, 'bad input');
    const wireTarget: Json = { '@odata.type': type, deviceAndAppManagementAssignmentFilterId: null, deviceAndAppManagementAssignmentFilterType: 'none' };
    if (t.kind === 'GROUP' || t.kind === 'EXCLUSION_GROUP') {
      if (typeof t.groupId !== 'string' || !GUID.test(t.groupId)) throw new HttpError(400, 'bad input');
      wireTarget.groupId = t.groupId;
    }
    return { '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment', target: wireTarget };
  });
  const path = `${POOLS}/${encodeURIComponent(poolId)}`;
  const assigned = await callGraph('POST', `${path}/assign`, JSON.stringify({ assignments: wire }));
  const batch = await callGraph('POST', '/beta/$batch', JSON.stringify({ requests: [{ id: '0', method: 'GET', url: path.slice('/beta'.length) }] }));
  const responses = batch.responses;
  const item: unknown = Array.isArray(responses) ? responses.find((r: unknown) => isRecord(r) && r.id === '0') : undefined;
  const pool = isRecord(item) && item.status === 200 && isRecord(item.body) ? item.body : undefined;
  if (pool === undefined || !Array.isArray(assigned.value)) throw new HttpError(502, 'Graph answered with the wrong shape');
  return {
    assignEmbeddedSIMActivationCodePool: {
      pool: { id: pool.id, displayName: pool.displayName },
      assignments: assigned.value.map((a: unknown) => (isRecord(a) ? { id: a.id, target: target(a.target) } : null)),
    },
  };
}

function cursor(token: Json, offset: number): string {
  return Buffer.from(JSON.stringify({ c: 'pools', t: token, o: offset })).toString('base64url');
}

async function pools(variables: Json): Promise<Json> {
  const first = typeof variables.first === 'number' ? Math.min(100, Math.max(1, variables.first)) : 10;
  const page = await callGraph('GET', `${POOLS}?$top=${first}`);
  const value = Array.isArray(page.value) ? page.value : [];
  const nextLink = typeof page['@odata.nextLink'] === 'string' ? new URL(page['@odata.nextLink']).searchParams : undefined;
  const next = nextLink && Object.fromEntries(['$top', '$skip', '$skiptoken'].flatMap((name): Array<[string, unknown]> => (nextLink.has(name) ? [[name, nextLink.get(name)]] : [])));
  const edges = value.map((p: unknown, i: number) => {
    const pool = isRecord(p) ? p : {};
    const node = Object.fromEntries(['id', 'displayName', 'activationCodeCount', 'createdDateTime', 'modifiedDateTime'].map((key) => [key, pool[key]]));
    return { cursor: i === value.length - 1 && next !== undefined ? cursor(next, 0) : cursor({}, i + 1), node };
  });
  return {
    embeddedSIMActivationCodePools: {
      edges,
      pageInfo: { hasNextPage: next !== undefined, endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null },
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const route = req.url === '/assign' ? assign : req.url === '/pools' ? pools : undefined;
  if (req.method !== 'POST' || route === undefined) {
    send(res, 404, { error: 'not found' });
    return;
  }
  const roles = await rolesOf(req);
  if (!roles.has('EsimPools.Assign') && !(route === pools && roles.has('EsimPools.Read'))) throw new HttpError(403, 'forbidden');
  const body: unknown = JSON.parse(await text(req));
  const variables = isRecord(body) && isRecord(body.variables) ? body.variables : {};
  send(res, 200, { data: await route(variables) });
}

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  handle(req, res).catch((error: unknown) => {
    const status = error instanceof HttpError ? error.status : 500;
    if (!res.headersSent) send(res, status, { errors: [{ message: error instanceof Error ? error.message : 'error' }] });
  });
});
server.listen(Number(process.env.FORWARDER_PORT ?? 0), process.env.FORWARDER_HOST ?? '127.0.0.1', () => {
  const { address, port } = addressOf(server);
  process.stdout.write(`forwarder listening on http://${address}:${port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void graph.close().then(() => process.exit(0));
});
