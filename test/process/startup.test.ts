import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

function runWithEnv(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'dist', 'index.js')], {
      // HISTORY=off: no history file in the working tree from these short-lived starts.
      env: { PATH: process.env.PATH ?? '', HISTORY: 'off', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

it('a bad variable stops the process with a message naming it', async () => {
  const { code, output } = await runWithEnv({ PORT: 'not-a-port' });
  expect(code).toBe(1);
  expect(output).toContain('PORT');
  expect(output).not.toMatch(/at .*\.js:\d+/);
});

it('production without GRAPH_AUTH_MODE fails fast', async () => {
  const { code, output } = await runWithEnv({ NODE_ENV: 'production' });
  expect(code).toBe(1);
  expect(output).toContain('GRAPH_AUTH_MODE');
});

describe('a port already in use', () => {
  let taken: Server;
  let port: string;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = String((taken.address() as AddressInfo).port);
  });
  afterAll(() => new Promise((resolve) => taken.close(resolve)));

  it.each([
    ['PORT', { HOST: '127.0.0.1' }],
    // The embedded emulator listens on 127.0.0.1 before the subgraph does.
    ['EMULATOR_PORT', { PORT: '0' }],
  ])('names %s, the variable that picks it, in one line without a stack', async (variable, env) => {
    const { code, output } = await runWithEnv({ ...env, [variable]: port });
    expect(code).toBe(1);
    expect(output).toContain(`esim-pools-subgraph: ${variable}: port ${port} is already in use`);
    expect(output).toContain(`set ${variable} to a free port`);
    expect(output).not.toMatch(/at .*\.js:\d+/);
  });
});

it('only AZURE_TENANT_ID set: asks for GRAPH_AUTH_MODE and assumes no mode', async () => {
  const { code, output } = await runWithEnv({ AZURE_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47' });
  expect(code).toBe(1);
  expect(output).toContain('AZURE_TENANT_ID is set but GRAPH_AUTH_MODE is not: set GRAPH_AUTH_MODE=app');
  expect(output).not.toContain('when GRAPH_AUTH_MODE=app');
});
