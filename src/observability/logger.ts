/**
 * Structured JSON logs (pino): errors and headers through serializers that keep only safe fields, and a few exact
 * paths censored; no line carries a token, a secret, GraphQL variables or an activation code.
 */
import pino, { type Logger } from 'pino';

const CENSOR = '[redacted]';

/** Top-level keys (and one nested path) whose value is a credential or carries activation codes. */
const REDACT_PATHS = ['authorization', 'token', 'accessToken', 'assertion', 'clientSecret', 'routerSecret', 'password', 'variables',
  'activationCodes', 'input.activationCodes'];

/** Headers that carry a credential. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'router-authorization', 'cookie', 'set-cookie']);

/** A headers object with every credential header censored; anything else as it is. */
function headers(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([name, v]) => [name, SECRET_HEADERS.has(name.toLowerCase()) ? CENSOR : v]));
}

/** Field names an error's own properties may not pass under, even as plain values. */
const SECRET_FIELD = /token|secret|password|assertion|authorization|cookie|body|activationcode/i;

/** pino's err serializer keeping plain-valued fields (type, message, stack, code, Graph's ids…) not named like a secret. */
function error(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries<unknown>(pino.stdSerializers.err(value))) {
    if (key === 'aggregateErrors' && Array.isArray(v)) out[key] = v.map((inner: unknown) => (inner instanceof Error ? error(inner) : '[error]'));
    else if ((typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && !SECRET_FIELD.test(key)) out[key] = v;
  }
  return out;
}

/** A logged request: its headers through `headers`. */
function req(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('headers' in value)) return value;
  return { ...value, headers: headers(value.headers) };
}

let lastTimeMs = 0;
let lastTime = '';
/** pino.stdTimeFunctions.isoTime, formatting the date once per millisecond rather than once per line. */
function isoTime(): string {
  const now = Date.now();
  if (now !== lastTimeMs) {
    lastTimeMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'esim-pools-subgraph' },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      serializers: { err: error, headers, req },
      timestamp: isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** An error's message for a log line (never its stack or its other fields). */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export type { Logger };
