/**
 * Migrations: several replicas starting at once migrate once (PostgreSQL: Kysely's session advisory lock), and the
 * built migration command (`npm run migrate`, a deployment's migration step) applies them alone, then finds
 * nothing to do. Needs `npm run build:server` (the built dist/history/migrate-cli.js).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openDatabase } from '../../src/history/db';
import { migrateToLatest } from '../../src/history/migrate';
import { describeWithPostgres, PostgresServer } from '../support/postgres';

const run = promisify(execFile);
const CLI = join(__dirname, '..', '..', 'dist', 'history', 'migrate-cli.js');

describeWithPostgres()('migrations on PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await PostgresServer.start();
  }, 120_000);
  afterAll(() => server?.destroy());

  it('four replicas starting at once: every start succeeds, the migration runs once', async () => {
    const url = await server.createDatabase();
    const replicas = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ kind: 'postgres', url })));
    try {
      const applied = await Promise.all(replicas.map((db) => migrateToLatest(db)));
      expect(applied.flat()).toEqual(['0001-history', '0002-idempotency']);
      const [rows] = await replicas[0].batch([{ text: 'select count(*)::int as n from history_migration', params: [] }]);
      expect(rows[0].n).toBe(2);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  it('the migration command applies, then finds the schema up to date, and never prints the password', async () => {
    const url = (await server.createDatabase()).replace('postgres@', 'postgres:pw-never-shown@');
    const env = { ...process.env, DATABASE_URL: url, HISTORY: '', HISTORY_PATH: '' };
    const first = await run(process.execPath, [CLI], { env });
    expect(first.stdout).toContain('applied 0001-history');
    expect(first.stdout).toContain('postgres:***@');
    const second = await run(process.execPath, [CLI], { env });
    expect(second.stdout).toContain('up to date');
    expect(first.stdout + first.stderr + second.stdout + second.stderr).not.toContain('pw-never-shown');
  });
});

describe('migrations of the embedded store', () => {
  it('the migration command creates the file and its schema, then finds it up to date', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esim-migrate-'));
    try {
      const env = { ...process.env, DATABASE_URL: '', HISTORY: '', HISTORY_PATH: join(dir, 'nested', 'history.db') };
      expect((await run(process.execPath, [CLI], { env })).stdout).toContain('applied 0001-history');
      expect((await run(process.execPath, [CLI], { env })).stdout).toContain('up to date');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('in production without a store the command fails naming the variables', async () => {
    const env = { ...process.env, NODE_ENV: 'production', DATABASE_URL: '', HISTORY: '', HISTORY_PATH: '' };
    const failed = await run(process.execPath, [CLI], { env }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('DATABASE_URL: must be set when NODE_ENV=production');
  });
});
