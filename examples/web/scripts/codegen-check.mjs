#!/usr/bin/env node
/**
 * `npm run codegen:check`: fails when src/gql/ differs from what `npm run codegen` makes of the subgraph's schema
 * (../../schema/schema.graphql) and the documents in src/ now, and leaves src/gql/ as it was.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const generated = join(root, 'src', 'gql');
const before = mkdtempSync(join(tmpdir(), 'web-codegen-'));
cpSync(generated, before, { recursive: true });
const read = (dir) => Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
try {
  // Where npm put it: a workspace's dependencies are hoisted to the repository's node_modules.
  const cli = dirname(createRequire(import.meta.url).resolve('@graphql-codegen/cli/package.json'));
  execFileSync(process.execPath, [join(cli, 'esm', 'bin.js'), '--config', 'codegen.ts'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const was = read(before);
  const now = read(generated);
  const stale = [...new Set([...Object.keys(was), ...Object.keys(now)])].filter((name) => was[name] !== now[name]);
  if (stale.length > 0) {
    rmSync(generated, { recursive: true, force: true });
    cpSync(before, generated, { recursive: true });
    console.error(`codegen:check: src/gql is stale (${stale.join(', ')}); run 'npm run codegen' and commit the result.`);
    process.exitCode = 1;
  } else {
    console.log('codegen:check: src/gql is up to date.');
  }
} finally {
  rmSync(before, { recursive: true, force: true });
}
