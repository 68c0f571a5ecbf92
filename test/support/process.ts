/** Runs the built subgraph (`dist/index.js`) as its own process, as operators and the router see it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface ServiceProcess {
  child: ChildProcess;
  /** The GraphQL endpoint, e.g. http://127.0.0.1:40123/graphql */
  url: string;
  /** Everything the process wrote (stdout + stderr). */
  output(): string;
  /** Parsed JSON log lines. */
  logs(): Array<Record<string, unknown>>;
  /**
   * The first log line that matches, once the process has written it: its output arrives through a pipe, so a line
   * logged before a reply was sent may still be on its way when the reply is read.
   */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

const ENTRY = join(__dirname, '..', '..', 'dist', 'index.js');

/** Environment variables of the test runner's own that must not leak into the service under test. */
const SCRUB = /^(AZURE_|GRAPH_|AUTH_|ROUTER_SECRET|EMULATOR_|PORT$|HOST$|NODE_ENV$|LOG_LEVEL$|INTROSPECTION$|OTEL_|REDIS_|DATABASE_URL$|HISTORY)/;

/** `entry`: the built entry file, when this module does not run from test/support (scripts compiled to dist-tools). */
export function spawnService(env: Record<string, string>, options: { timeoutMs?: number; entry?: string } = {}): Promise<ServiceProcess> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SCRUB.test(k)) base[k] = v;
  const child = spawn(process.execPath, [options.entry ?? ENTRY], {
    // History off unless a test asks for it: no file in the working tree, no sweep reading the emulator.
    env: { ...base, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', UV_USE_IO_URING: '0', HISTORY: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logs = (): Array<Record<string, unknown>> =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`service did not start in time:\n${out}`));
    }, options.timeoutMs ?? 15_000);
    const poll = setInterval(() => {
      const ready = logs().find((l) => typeof l.url === 'string' && String(l.msg).includes('ready at'));
      if (ready) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve({
          child,
          url: String(ready.url),
          output: () => out,
          logs,
          waitForLog: (match, timeoutMs = 5_000) => waitFor(() => logs().find(match), timeoutMs, () => `no matching log line in:\n${out}`),
          exited,
          stop(signal = 'SIGTERM') {
            if (child.exitCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    }, 20);
    void exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before it was ready:\n${out}`));
    });
  });
}

/** Resolves with `probe()` once it is defined; rejects after `timeoutMs` with `describe()`. */
function waitFor<T>(probe: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const found = probe();
      if (found !== undefined) {
        clearInterval(poll);
        resolve(found);
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error(describe()));
      }
    }, 20);
  });
}
