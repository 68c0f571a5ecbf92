#!/usr/bin/env node
/** `npm start`: reads ./.env, checks the configuration from the sources, builds what changed, then runs dist/index.js
 * in this process. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, stop } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

if (existsSync(join(root, '.env'))) {
  process.loadEnvFile(join(root, '.env'));
  process.stderr.write('start: read .env\n');
}

// src/config as one CommonJS file (its packages stay external) beside node_modules, so that zod resolves.
const { outputFiles } = await build({
  entryPoints: [join(root, 'src', 'config', 'index.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  write: false,
  logLevel: 'error',
});
await stop();
const checker = join(root, 'node_modules', '.cache', 'esim-pools-subgraph', 'config.cjs');
mkdirSync(dirname(checker), { recursive: true });
writeFileSync(checker, outputFiles[0].text);
const { ConfigError, loadConfig } = require(checker);
try {
  loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`esim-pools-subgraph: ${error.message}\n`);
  process.exit(1);
}

const run = (...args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
run(require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json', 'packages/graph-emulator/tsconfig.build.json');
run(join(root, 'scripts', 'build-explorer.mjs'), '--quiet');
require(join(root, 'dist', 'index.js'));
