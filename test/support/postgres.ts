/**
 * A throwaway PostgreSQL cluster for tests (Debian's postgresql: initdb, pg_ctl, postgres), in a temp dir, on
 * 127.0.0.1 and a free port, no fsync. postgres refuses to run as root: as root the cluster runs as `nobody`
 * (runuser). It can be stopped and started again on the same port (an outage).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './net';
import { describeWithPart, findExecutable } from './real-parts';

/** initdb on PATH, else where Debian puts it (/usr/lib/postgresql/<major>/bin, not on PATH). */
function findInitdb(): string | undefined {
  const onPath = findExecutable('initdb');
  if (onPath !== undefined) return onPath;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const candidate = findExecutable(join(root, major, 'bin', 'initdb'));
    if (candidate !== undefined) return candidate;
  }
  return undefined;
}

export const INITDB = findInitdb();

/** `describe` when PostgreSQL is installed (after one loud skip line, or a failure in CI, when it is not). */
export const postgresAvailable = (): boolean => INITDB !== undefined;
export const describeWithPostgres = (): jest.Describe => describeWithPart('PostgreSQL (initdb)', postgresAvailable(), 'apt-get install -y postgresql');

const RUN_AS = 'nobody';
const isRoot = (): boolean => process.getuid?.() === 0;

export class PostgresServer {
  private readonly dir: string;
  private running = false;
  private databases = 0;

  private constructor(
    readonly port: number,
    private readonly bin: string,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'esim-pg-'));
  }

  static async start(): Promise<PostgresServer> {
    if (INITDB === undefined) throw new Error('PostgreSQL is not installed (initdb not found)');
    const server = new PostgresServer(await freePort(), join(INITDB, '..'));
    server.init();
    await server.start();
    return server;
  }

  private run(tool: string, args: string[]): string {
    const file = join(this.bin, tool);
    const [command, argv] = isRoot() ? ['runuser', ['-u', RUN_AS, '--', file, ...args]] : [file, args];
    return execFileSync(command, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  }

  private init(): void {
    if (isRoot()) execFileSync('chown', [RUN_AS, this.dir]);
    this.run('initdb', ['-D', join(this.dir, 'data'), '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  }

  async start(): Promise<void> {
    if (this.running) return;
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    this.run('pg_ctl', ['-D', join(this.dir, 'data'), '-o', options, '-l', join(this.dir, 'log'), '-w', '-t', '60', 'start']);
    this.running = true;
  }

  /** Stops the server (fast: open connections are cut), as an outage would. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.run('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
    this.running = false;
  }

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** A new empty database; resolves with its URL. */
  async createDatabase(): Promise<string> {
    const name = `history_${++this.databases}`;
    const client = new Client({ connectionString: this.url('postgres') });
    await client.connect();
    try {
      await client.query(`create database ${name}`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}


