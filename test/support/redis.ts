/**
 * A real redis-server for tests: on a free port of 127.0.0.1, nothing persisted (`--save '' --appendonly no`, its
 * own temp dir), ready once it answers PING. It can be stopped and started again on the same port (an outage), or
 * paused with SIGSTOP (a server that hangs without closing its connections).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net';
import { describeWithPart, findExecutable } from './real-parts';

export const REDIS_SERVER = findExecutable('redis-server');

/** `describe` when redis-server is installed (after one loud skip line, or a failure in CI, when it is not). */
export const describeWithRedis = (): jest.Describe => describeWithPart('redis-server', REDIS_SERVER !== undefined, 'apt-get install -y redis-server');


/** One PING over a raw socket: true when the server answers (+PONG, or -NOAUTH when it wants a password). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1000);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
    });
    socket.on('error', () => done(false));
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface RedisServerOptions {
  /** requirepass: the server then needs this password (tests that check it is never shown). */
  password?: string;
}

export class RedisServer {
  private process?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'esim-redis-'));
  private output = '';

  private constructor(
    readonly port: number,
    private readonly options: RedisServerOptions,
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), options);
    await server.start();
    return server;
  }

  /** redis://[:password@]127.0.0.1:port */
  get url(): string {
    const auth = this.options.password !== undefined ? `:${encodeURIComponent(this.options.password)}@` : '';
    return `redis://${auth}127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.process !== undefined;
  }

  async start(): Promise<void> {
    if (this.process) return;
    if (REDIS_SERVER === undefined) throw new Error('redis-server is not installed');
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--daemonize', 'no'];
    if (this.options.password !== undefined) args.push('--requirepass', this.options.password);
    const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.output = '';
    child.stdout?.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString('utf8')).slice(-4000)));
    child.stderr?.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString('utf8')).slice(-4000)));
    let exited = false;
    child.once('exit', () => (exited = true));
    this.process = child;
    // Generous: the machine may be busy, and a port just freed can take a moment to bind again.
    const until = Date.now() + 15_000;
    while (Date.now() < until) {
      if (exited) break;
      if (await ping(this.port)) return;
      await sleep(50);
    }
    this.process = undefined;
    child.kill('SIGKILL');
    throw new Error(`redis-server on port ${this.port} did not answer PING:\n${this.output}`);
  }

  /** Stops the server (SIGTERM, then SIGKILL) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT'); // a paused server cannot act on SIGTERM
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** SIGSTOP: the server keeps its connections open but answers nothing (a hung Redis). */
  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  resume(): void {
    this.process?.kill('SIGCONT');
  }

  /** Stops the server and removes its directory. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `check` every 50 ms until it is true or `ms` passed; returns whether it became true. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await sleep(50);
  }
  return check();
}

/** Settles `promise` or fails after `ms`: "it does not hang", without asserting how fast it is. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}
