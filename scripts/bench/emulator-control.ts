/** The bench's side of the emulator's `/_emulator/*` control API (count, request log, latency), and a JSON POST. */
import { request } from 'undici';
import { isRecord } from '../../src/graph/json';

export async function postJson(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; json: unknown }> {
  const res = await request(url, { method: 'POST', headers, body, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.statusCode, json };
}

/** How many Graph HTTP requests the emulator has received (a `$batch` is one). */
export async function emulatorCount(emulatorUrl: string): Promise<number> {
  const res = await request(`${emulatorUrl}/_emulator/count`);
  const json: unknown = await res.body.json();
  if (!isRecord(json) || typeof json.count !== 'number') throw new Error('unexpected /_emulator/count answer');
  return json.count;
}

export async function setEmulatorLatency(emulatorUrl: string, ms: number): Promise<void> {
  const res = await request(`${emulatorUrl}/_emulator/latency`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ms }),
  });
  await res.body.dump();
  if (res.statusCode !== 200) throw new Error(`PUT /_emulator/latency answered ${res.statusCode}`);
}

/** One recorded Graph request as the log shows it: method, path (with its query) and, for a `$batch`, its items. */
export interface LoggedRequest {
  method: string;
  /** Path and query as received, e.g. `/beta/deviceManagement/embeddedSIMActivationCodePools?$top=50`. */
  path: string;
  /** For a `$batch`: its items, the same way. */
  items?: LoggedRequest[];
}

function logged(value: unknown): LoggedRequest {
  if (!isRecord(value) || typeof value.method !== 'string') throw new Error('unexpected entry in /_emulator/requests');
  const path = typeof value.rawPath === 'string' ? value.rawPath : typeof value.path === 'string' ? value.path : '?';
  const out: LoggedRequest = { method: value.method, path };
  if (Array.isArray(value.batchItems)) out.items = value.batchItems.map(logged);
  return out;
}

/** The emulator's request log from the absolute index `since` on (the log is bounded: read it soon after). */
export async function emulatorRequestsSince(emulatorUrl: string, since: number): Promise<LoggedRequest[]> {
  const res = await request(`${emulatorUrl}/_emulator/requests?since=${since}`);
  const json: unknown = await res.body.json();
  if (!Array.isArray(json)) throw new Error('unexpected /_emulator/requests answer');
  return json.map(logged);
}
