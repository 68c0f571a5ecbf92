/**
 * The emulator's request log: every Graph HTTP request received (a $batch is one entry with its
 * items inside), optionally capped. Indexes stay absolute when old entries are dropped, so
 * `?since=N` and counts mean the same thing with and without a cap.
 */
import type { RecordedRequest } from './types';

export class RequestLog {
  private entries: RecordedRequest[] = [];
  private dropped = 0;
  private readonly max: number;
  /** Trimming in chunks keeps `record` O(1) amortised under a cap. */
  private readonly trimChunk: number;

  /** @param max keep at most about this many entries (Infinity: all). */
  constructor(max: number) {
    this.max = max;
    this.trimChunk = Number.isFinite(max) ? Math.max(1, Math.floor(max / 10)) : 0;
  }

  get list(): RecordedRequest[] {
    return this.entries;
  }

  record(rec: RecordedRequest): void {
    this.entries.push(rec);
    if (this.entries.length > this.max + this.trimChunk) {
      const drop = this.entries.length - this.max;
      this.entries.splice(0, drop);
      this.dropped += drop;
    }
  }

  count(filter?: (r: RecordedRequest) => boolean): number {
    if (filter === undefined) return this.dropped + this.entries.length;
    let n = 0;
    for (const r of this.entries) if (filter(r)) n++;
    return n;
  }

  /** Entries from the absolute index `since` on (those still kept). */
  since(since: number): RecordedRequest[] {
    return this.entries.slice(Math.max(0, since - this.dropped));
  }

  clear(): void {
    this.entries = [];
    this.dropped = 0;
  }
}
