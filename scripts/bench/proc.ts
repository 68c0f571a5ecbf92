/**
 * Child processes of the benchmark and what /proc says about them (CPU time, RSS). Linux only, loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** Environment variables of the caller's own that must not leak into the processes under test. */
const SCRUB = /^(AZURE_|GRAPH_|AUTH_|ROUTER_SECRET|EMULATOR_|PORT$|HOST$|NODE_ENV$|LOG_LEVEL$|INTROSPECTION$|OTEL_|NODE_OPTIONS$|MAX_)/;

export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SCRUB.test(k)) env[k] = v;
  return { ...env, ...extra };
}

export interface Child {
  child: ChildProcess;
  pid: number;
  /** Time of spawn (performance.now()). */
  spawnedAt: number;
  exited: Promise<number | null>;
  /** SIGTERM (then SIGKILL after `graceMs`); resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `node <args>` with stdout and stderr appended to `logFile`, as a container runtime's log driver would. */
export function startNode(args: string[], env: Record<string, string>, logFile: string): Child {
  const fd = openSync(logFile, 'a');
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    pid: child.pid ?? 0,
    spawnedAt,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits until `logFile` has a line matching `pattern` (returns it), or fails after `timeoutMs` or on exit. */
export async function waitForLine(logFile: string, pattern: RegExp, child: Child, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  for (;;) {
    let text = '';
    try {
      text = readFileSync(logFile, 'utf8');
    } catch {
      // not created yet
    }
    const line = text.split('\n').find((l) => pattern.test(l));
    if (line !== undefined) return line;
    if (exited) throw new Error(`process exited before printing ${pattern}:\n${text.slice(-4000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${text.slice(-4000)}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}


/** CPU time (user + system) the process has used, in ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which is in parentheses and may contain spaces): utime is field 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 10; // USER_HZ: 100 ticks a second on every Linux ABI
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
