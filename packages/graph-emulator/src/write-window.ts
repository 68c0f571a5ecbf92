/**
 * The tenant-wide write window of Intune's telephony throttling (POST/PUT/PATCH/DELETE on
 * embeddedSIMActivationCodePool, its assignments and device states: Graph documents 200 per 20 s per
 * tenant and 100 per 20 s per app per tenant). Off unless configured.
 *
 * A sliding window over arrival times: a write is admitted when fewer than `limit` writes were
 * admitted in the last `windowSeconds`. That is stricter than a fixed window, so a client that keeps
 * within it keeps within either. Refused writes do not count. Each `$batch` item counts on its own
 * (Graph evaluates batch items against the limits individually); the `$batch` envelope does not.
 */
import { isRecord } from './util';

export interface WriteLimit {
  /** Writes admitted per window (>= 1). */
  limit: number;
  /** Window length in seconds (Graph's: 20). */
  windowSeconds: number;
}

export const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const DEFAULT_WRITE_WINDOW_SECONDS = 20;

/** Validates an untrusted write limit (`null`/`undefined` → off). Throws RangeError naming the field. */
export function parseWriteLimit(input: unknown, where = 'writeLimit'): WriteLimit | undefined {
  if (input === null || input === undefined) return undefined;
  if (!isRecord(input)) throw new RangeError(`${where} must be {"limit": n, "windowSeconds": n} or null`);
  for (const k of Object.keys(input)) {
    if (k !== 'limit' && k !== 'windowSeconds') throw new RangeError(`${where}: unknown property '${k}' (allowed: limit, windowSeconds)`);
  }
  const { limit, windowSeconds = DEFAULT_WRITE_WINDOW_SECONDS } = input;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1e9) {
    throw new RangeError(`${where}.limit must be an integer between 1 and 1000000000`);
  }
  if (typeof windowSeconds !== 'number' || !Number.isFinite(windowSeconds) || windowSeconds < 0.001 || windowSeconds > 86_400) {
    throw new RangeError(`${where}.windowSeconds must be a number between 0.001 and 86400`);
  }
  return { limit, windowSeconds };
}

export class WriteWindow {
  /** Arrival times (ms) of the admitted writes still inside the window, oldest first. */
  private readonly times: number[] = [];

  constructor(readonly config: WriteLimit) {}

  /** Admits a write arriving at `now` (undefined), or returns the seconds until one would be (Retry-After). */
  admit(now: number): number | undefined {
    const windowMs = this.config.windowSeconds * 1000;
    while (this.times.length > 0 && this.times[0] <= now - windowMs) this.times.shift();
    if (this.times.length < this.config.limit) {
      this.times.push(now);
      return undefined;
    }
    return Math.max(1, Math.ceil((this.times[0] + windowMs - now) / 1000));
  }
}
