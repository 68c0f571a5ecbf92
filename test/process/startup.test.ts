import { spawn } from 'node:child_process';
import { join } from 'node:path';

function runWithEnv(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'dist', 'index.js')], {
      env: { PATH: process.env.PATH ?? '', ...env },
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
