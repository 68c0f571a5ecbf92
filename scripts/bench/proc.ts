/** The bench's child processes and what /proc says about them (CPU time, RSS; Linux only), and its order statistics. */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Environment variables of the caller's own that must not leak into the processes under test. */
const SCRUB = /^(AZURE_|GRAPH_|AUTH_|ROUTER_SECRET|EMULATOR_|PORT$|HOST$|NODE_ENV$|LOG_LEVEL$|INTROSPECTION$|OTEL_|NODE_OPTIONS$|MAX_)/;

export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env = Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !SCRUB.test(entry[0]));
  return { ...Object.fromEntries(env), ...extra };
}

export interface Child {
  child: ChildProcess;
  pid: number;
  /** Time of spawn (performance.now()). */
  spawnedAt: number;
  exited: Promise<number | null>;
  /** SIGTERM (then SIGKILL after 10 s); resolves when the process is gone. */
  stop(): Promise<void>;
}

/** Starts `node <args>` with stdout and stderr appended to `logFile`, as a container runtime's log driver would. */
export function startNode(args: string[], env: Record<string, string>, logFile: string): Child {
  const fd = openSync(logFile, 'a');
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, pid: child.pid ?? 0, spawnedAt, exited, stop };
}

/** Waits until `logFile` has a line matching `pattern` (returns it); fails after 20 s or when the process exits. */
export async function waitForLine(logFile: string, pattern: RegExp, child: Child): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const exited = child.child.exitCode !== null || child.child.signalCode !== null;
    const text = readFileSync(logFile, 'utf8');
    const line = text.split('\n').find((l) => pattern.test(l));
    if (line !== undefined) return line;
    if (exited || Date.now() > deadline) throw new Error(`${exited ? 'process exited' : 'timed out'} before printing ${pattern}:\n${text.slice(-4000)}`);
    await sleep(10);
  }
}

/** CPU time (user + system) the process has used, in ms: fields 14 and 15 of /proc/<pid>/stat, in 100 Hz ticks. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident set size now and its peak since the process started (VmHWM), in MiB. */
export function memory(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

/** Samples RSS every `everyMs` until stopped; returns the samples (ms since start, MiB). */
export function sampleRss(pid: number, everyMs: number): { stop(): Array<{ t: number; rss: number }> } {
  const started = performance.now();
  const samples: Array<{ t: number; rss: number }> = [];
  const take = () => samples.push({ t: performance.now() - started, rss: memory(pid).rssMiB });
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/** The q-quantile by nearest rank below (q = 0.9: the value about 90 % of the samples are at or under). */
export const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
