/**
 * Activation codes are credentials: the request log (in process and over the control API) keeps
 * the shape of a body but never a code. Each code property is replaced by "[redacted]" wherever it
 * appears in a JSON body, also inside a string that is itself JSON (a `$batch` item's body may be
 * sent as a string). Text that is not JSON but names a code property is replaced as a whole.
 */
import { isRecord } from './util';

export const REDACTED = '[redacted]';
const CODE_FIELDS = new Set(['integratedCircuitCardIdentifier', 'matchingIdentifier', 'smdpPlusServerAddress']);
const MENTIONS_CODES = /integratedCircuitCardIdentifier|matchingIdentifier|smdpPlusServerAddress/;

function redactText(text: string): string {
  if (!MENTIONS_CODES.test(text)) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `${REDACTED} (not valid JSON; it names activation code properties)`;
  }
  return JSON.stringify(walk(parsed));
}

function walk(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(walk);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = CODE_FIELDS.has(k) && v !== null && v !== undefined ? REDACTED : walk(v);
  }
  return out;
}

/**
 * A copy of a recorded body without activation codes. Bodies that cannot hold one are returned as
 * they are (the common case costs one regex test of the serialised text at most).
 */
export function redactActivationCodes(body: unknown): unknown {
  if (body === undefined || body === null) return body;
  if (typeof body === 'string') return redactText(body);
  if (typeof body !== 'object') return body;
  return MENTIONS_CODES.test(JSON.stringify(body)) ? walk(body) : body;
}
