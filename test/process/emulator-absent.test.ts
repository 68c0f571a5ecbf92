/**
 * Where the Graph emulator package is not installed (as in the production image), the built service refuses emulator
 * mode without GRAPH_BASE_URL in one line naming the way out, and starts with it. The install is real: dist/ copied
 * beside a node_modules that has every root package but @esim-pools/*.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnService } from '../support/process';

const ROOT = join(__dirname, '..', '..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'no-emulator-'));
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  symlinkSync(join(ROOT, 'schema'), join(dir, 'schema'));
  symlinkSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  mkdirSync(join(dir, 'node_modules'));
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name !== '@esim-pools' && name !== '.bin') symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('emulator mode without the package stops the start, naming GRAPH_AUTH_MODE and GRAPH_BASE_URL', async () => {
  let message = '';
  try {
    const service = await spawnService({ GRAPH_AUTH_MODE: 'emulator' }, { entry: join(dir, 'dist', 'index.js') });
    await service.stop();
  } catch (err) {
    message = err instanceof Error ? err.message : String(err);
  }
  expect(message).toContain('exited with 1');
  expect(message).toContain('GRAPH_AUTH_MODE: emulator needs the Graph emulator (@esim-pools/graph-emulator');
  expect(message).toContain('set GRAPH_BASE_URL to a running emulator');
  expect(message).not.toMatch(/at .*\.js:\d+/);
}, 30_000);

it('with GRAPH_BASE_URL naming an emulator it starts without the package', async () => {
  const service = await spawnService({ GRAPH_AUTH_MODE: 'emulator', GRAPH_BASE_URL: 'http://127.0.0.1:9/beta' }, { entry: join(dir, 'dist', 'index.js') });
  expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
  expect(await service.stop()).toBe(0);
}, 30_000);
