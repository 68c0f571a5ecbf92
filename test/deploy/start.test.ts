/**
 * `npm start` (scripts/start.mjs) checks the configuration from the sources before it builds anything: a mistyped
 * variable is reported at once, naming the variable, and nothing starts.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

describe('npm start', () => {
  it('refuses a bad variable before building, naming it, without echoing a secret', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'start.mjs')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, LOG_LEVEL: 'verbose', ROUTER_SECRET: 'short-secret' },
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('esim-pools-subgraph: Invalid configuration:');
    expect(run.stderr).toContain('LOG_LEVEL: ');
    expect(run.stderr).toContain('ROUTER_SECRET: must be at least 16 characters');
    expect(run.stderr).not.toContain('short-secret');
    // Neither the build's nor the server's output: the check came first.
    expect(run.stdout).toBe('');
  });
});
