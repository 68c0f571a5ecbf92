/**
 * The built service with its history: the embedded store opened and migrated at start-up (one loud line when it is
 * off), a write journaled through the real wiring, production refusing to start without a real store, and a file
 * that is not a database refused at start-up.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/history/db';
import { HistoryStore } from '../../src/history/store';
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { spawnService } from '../support/process';
import { postGraphQL } from '../support/stack';

const POOL = SAMPLE_POOLS[1].id;
const ADD = `mutation { addEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", assignments: [{ target: { kind: ALL_DEVICES } }]) { assignmentsVersion } }`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'esim-history-process-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('opens and migrates the embedded store at start-up and journals a write in it', async () => {
  const path = join(dir, 'history.db');
  const service = await spawnService({ GRAPH_AUTH_MODE: 'emulator', HISTORY: 'on', HISTORY_PATH: path, HISTORY_SWEEP_INTERVAL_S: '0' });
  try {
    const on = await service.waitForLog((l) => l.msg === 'assignment history on');
    expect(on).toMatchObject({ store: 'embedded', where: path, migrated: ['0001-history', '0002-idempotency'] });
    const reply = await postGraphQL(service.url, ADD);
    expect(reply.body.errors).toBeUndefined();
  } finally {
    expect(await service.stop()).toBe(0);
  }
  const store = new HistoryStore(await openDatabase({ kind: 'embedded', path }));
  try {
    const entries = await store.list({ limit: 10 });
    expect(entries.find((e) => e.operation === 'add')).toMatchObject({ poolId: POOL, outcome: 'WRITTEN', actor: { anonymous: true } });
  } finally {
    await store.close();
  }
});

it('says loudly when history is off', async () => {
  const service = await spawnService({ GRAPH_AUTH_MODE: 'emulator', HISTORY: 'off' });
  try {
    await service.waitForLog((l) => String(l.msg).includes('HISTORY=off'));
  } finally {
    await service.stop();
  }
});

it('in production without DATABASE_URL or HISTORY_PATH, start-up fails naming them', async () => {
  const failed = await spawnService({ NODE_ENV: 'production', GRAPH_AUTH_MODE: 'emulator', HISTORY: '' }).then(
    () => undefined,
    (error: Error) => error.message,
  );
  expect(failed).toContain('DATABASE_URL: must be set when NODE_ENV=production');
  expect(failed).toContain('HISTORY_PATH');
});

it('a HISTORY_PATH that is not a database: start-up fails naming the variable, and the file is left as it was', async () => {
  const path = join(dir, 'not-a-database.db');
  const content = 'these bytes are not an SQLite database, '.repeat(200);
  writeFileSync(path, content);
  const failed = await spawnService({ GRAPH_AUTH_MODE: 'emulator', HISTORY: 'on', HISTORY_PATH: path }).then(
    () => undefined,
    (error: Error) => error.message,
  );
  expect(failed).toContain(`HISTORY_PATH: the assignment history store ${path} cannot be opened: file is not a database`);
  expect(readFileSync(path, 'utf8')).toBe(content);
});
