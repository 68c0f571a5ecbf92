/** The bench's side of the emulator's `/_emulator/*` control API (count, request log, latency), and a JSON POST. */
import { request } from 'undici';
import { z } from 'zod';

export async function postJson(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; json: unknown }> {
  const res = await request(url, { method: 'POST', headers, body, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const text = await res.body.text();
  try {
    return { status: res.statusCode, json: JSON.parse(text) };
  } catch {
    return { status: res.statusCode, json: text };
  }
}

/** A control call: `schema` checks the answer. */
export async function control<T>(emulatorUrl: string, path: string, schema: z.ZodType<T>, put?: object): Promise<T> {
  const init = put && { method: 'PUT' as const, headers: { 'content-type': 'application/json' }, body: JSON.stringify(put) };
  const res = await request(`${emulatorUrl}/_emulator/${path}`, init);
  if (res.statusCode !== 200) throw new Error(`${put ? 'PUT' : 'GET'} /_emulator/${path} answered ${res.statusCode}`);
  return schema.parse(await res.body.json());
}

/** How many Graph HTTP requests the emulator has received (a `$batch` is one). */
export const emulatorCount = async (emulatorUrl: string): Promise<number> => (await control(emulatorUrl, 'count', z.object({ count: z.number() }))).count;

export const setEmulatorLatency = (emulatorUrl: string, ms: number): Promise<unknown> => control(emulatorUrl, 'latency', z.unknown(), { ms });

/** One recorded Graph request: method, path with its query as received, and a `$batch`'s items. */
export interface LoggedRequest {
  method: string;
  rawPath: string;
  batchItems?: LoggedRequest[];
}
const LoggedRequest: z.ZodType<LoggedRequest> = z.lazy(() => z.object({ method: z.string(), rawPath: z.string(), batchItems: z.array(LoggedRequest).optional() }));

/** The emulator's request log from the absolute index `since` on (the log is bounded: read it soon after). */
export const emulatorRequestsSince = (emulatorUrl: string, since: number): Promise<LoggedRequest[]> =>
  control(emulatorUrl, `requests?since=${since}`, z.array(LoggedRequest));
