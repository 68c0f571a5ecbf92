/**
 * Replies the emulator makes outside the resource routes: 401s, fault replies (Graph JSON errors,
 * HTML gateway pages, truncated JSON); writing a reply to the socket (whole, or cut off by a TCP
 * reset); and the request-side helpers that feed the request log.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { type BodyInfo, type GraphReply, JSON_CONTENT_TYPE, type RequestIds, defaultErrorFor, graphError } from './util';

const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

export function copyHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in h) {
    const v = h[k];
    if (v === undefined) continue;
    out[k] = typeof v === 'string' ? v : v.join(', ');
  }
  return out;
}

/** The token of `Authorization: Bearer <token>`, or undefined when absent/empty/another scheme. */
export function bearerToken(auth: string | undefined): string | undefined {
  if (auth === undefined || auth.length < 8) return undefined;
  if (auth.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const t = auth.slice(7).trim();
  return t.length > 0 ? t : undefined;
}

/** What the request log keeps of a body: the parsed JSON, the raw text if it is not JSON, or nothing. */
export function recordedBody(body: BodyInfo): unknown {
  switch (body.kind) {
    case 'none':
      return undefined;
    case 'json':
      return body.value;
    default:
      return body.text;
  }
}

export function unauthorized(authHeader: string | undefined, ids: RequestIds): GraphReply {
  const empty = authHeader === undefined || authHeader.trim().length === 0 || /^bearer\s*$/i.test(authHeader.trim());
  const message = empty
    ? 'Access token is empty.'
    : 'Access token validation failure. The Authorization header must use the Bearer scheme.';
  return graphError(401, 'InvalidAuthenticationToken', message, ids, { 'www-authenticate': WWW_AUTHENTICATE });
}

export function faultReply(a: { status: number; retryAfter?: number }, ids: RequestIds): GraphReply {
  const [code, message] = defaultErrorFor(a.status);
  const headers = a.retryAfter !== undefined ? { 'retry-after': String(a.retryAfter) } : undefined;
  return graphError(a.status, code, message, ids, headers);
}

const HTML_TITLES: Record<number, string> = {
  500: '500 - Internal server error.',
  502: '502 - Web server received an invalid response while acting as a gateway or proxy server.',
  503: '503 - Service Unavailable',
  504: '504 - Gateway Timeout',
};

export function htmlReply(status: number): GraphReply {
  const title = HTML_TITLES[status] ?? `${status} - Server Error`;
  return {
    status,
    contentType: 'text/html; charset=utf-8',
    raw:
      '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\r\n' +
      `<html xmlns="http://www.w3.org/1999/xhtml"><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/><title>${title}</title></head>` +
      `<body><div id="header"><h1>Server Error</h1></div><div id="content"><div class="content-container"><fieldset><h2>${title}</h2>` +
      '<h3>There is a problem with the resource you are looking for, and it cannot be displayed.</h3></fieldset></div></div></body></html>\r\n',
  };
}

function serialise(reply: GraphReply): string {
  if (reply.raw !== undefined) return reply.raw;
  if (reply.body !== undefined) return JSON.stringify(reply.body);
  return '';
}

/** The truncated-JSON reply of the malformedJson fault (never valid JSON). */
export function malformed(reply: GraphReply): GraphReply {
  const full = serialise(reply);
  const raw = full.length >= 2 ? full.slice(0, Math.floor(full.length / 2)) : '{"value":[';
  return { status: 200, raw, contentType: JSON_CONTENT_TYPE };
}

function render(
  ids: RequestIds,
  reply: GraphReply,
  extra: Record<string, string> | undefined,
): { headers: Record<string, string | number>; payload: string | undefined } {
  const headers: Record<string, string | number> = {
    'request-id': ids.requestId,
    'client-request-id': ids.clientRequestId,
  };
  let payload: string | undefined;
  if (reply.raw !== undefined) {
    payload = reply.raw;
    headers['content-type'] = reply.contentType ?? JSON_CONTENT_TYPE;
  } else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    headers['content-type'] = JSON_CONTENT_TYPE;
    headers['odata-version'] = '4.0';
  }
  if (payload !== undefined) headers['content-length'] = Buffer.byteLength(payload);
  else if (reply.status !== 204 && reply.status !== 304) headers['content-length'] = 0;
  if (reply.headers !== undefined) Object.assign(headers, reply.headers);
  if (extra !== undefined) Object.assign(headers, extra);
  return { headers, payload };
}

/** One writeHead + end: the whole reply. */
export function writeReply(res: ServerResponse, ids: RequestIds, reply: GraphReply, extra: Record<string, string> | undefined): void {
  const { headers, payload } = render(ids, reply, extra);
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** Writes the headers and about half of the body, then resets the TCP connection (`after`: a timer the server owns). */
export function writePartThenReset(
  res: ServerResponse,
  ids: RequestIds,
  reply: GraphReply,
  extra: Record<string, string> | undefined,
  after: (ms: number, fn: () => void) => void,
): void {
  const { headers, payload } = render(ids, reply, extra);
  res.writeHead(reply.status, headers);
  const kill = (): void => {
    const s = res.socket;
    if (s === null || s.destroyed) return;
    if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
    else s.destroy();
  };
  const part = payload !== undefined && payload.length > 1 ? payload.slice(0, Math.floor(payload.length / 2)) : undefined;
  // Give the client a moment to read the partial reply before the RST arrives.
  const later = (): void => after(15, kill);
  if (part !== undefined) res.write(part, later);
  else {
    res.flushHeaders();
    later();
  }
}
