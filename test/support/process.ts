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
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

const ENTRY = join(__dirname, '..', '..', 'dist', 'index.js');

/** Environment variables of the test runner's own that must not leak into the service under test. */
const SCRUB = /^(AZURE_|GRAPH_|AUTH_|ROUTER_SECRET|EMULATOR_|PORT$|HOST$|NODE_ENV$|LOG_LEVEL$|INTROSPECTION$|OTEL_)/;

/** `entry`: the built entry file, when this module does not run from test/support (scripts compiled to dist-tools). */
export function spawnService(env: Record<string, string>, options: { timeoutMs?: number; entry?: string } = {}): Promise<ServiceProcess> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SCRUB.test(k)) base[k] = v;
  const child = spawn(process.execPath, [options.entry ?? ENTRY], {
    env: { ...base, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', UV_USE_IO_URING: '0', ...env },
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
