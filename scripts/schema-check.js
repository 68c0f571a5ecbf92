#!/usr/bin/env node
/** `npm run schema:check [--base REV] [--schema PATH]`: breaking changes of the schema against the merge base with
 * `main`; exit 0 (none, or no base), 1 breaking, 2 usage or schema error. Details: docs/development.md. */
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { findBreakingChanges, findDangerousChanges, parse, print, Kind } = require('graphql');
const { buildSubgraphSchema } = require('@apollo/subgraph');

const DEFAULT_SCHEMA = 'schema/schema.graphql';
const DEFAULT_BASES = ['main', 'origin/main'];

/** Type name → its `@key` directives as printed (e.g. `@key(fields: "id")`), for types and type extensions. */
function entityKeys(document) {
  const keys = new Map();
  for (const def of document.definitions) {
    if (
      def.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      def.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      def.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      def.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    const found = (def.directives || []).filter((d) => d.name.value === 'key').map((d) => normalizeKey(d));
    if (found.length > 0) keys.set(def.name.value, [...(keys.get(def.name.value) || []), ...found]);
  }
  return keys;
}

/** A `@key` printed with its arguments in a fixed order and `resolvable: true` (the default) left out. */
function normalizeKey(directive) {
  const args = (directive.arguments || [])
    .filter((a) => !(a.name.value === 'resolvable' && a.value.kind === Kind.BOOLEAN && a.value.value === true))
    .map((a) => `${a.name.value}: ${print(a.value)}`)
    .sort();
  return `@key(${args.join(', ')})`;
}

/** Builds an SDL string as a subgraph schema; throws an Error naming `label` when it is not a valid subgraph. */
function buildSubgraph(sdl, label) {
  let document;
  try {
    document = parse(sdl);
  } catch (error) {
    throw new Error(`${label}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    return { document, schema: buildSubgraphSchema([{ typeDefs: document }]) };
  } catch (error) {
    throw new Error(`${label} is not a valid subgraph schema: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Compares two subgraph SDLs: `{ breaking, dangerous }`, each `{ type, description }[]` sorted by description. */
function compareSchemas(baseSdl, headSdl) {
  const base = buildSubgraph(baseSdl, 'base schema');
  const head = buildSubgraph(headSdl, 'schema');
  // A federation directive the schema now imports (`@cost`) replaces its prefixed copy (`federation__cost`) that
  // buildSubgraphSchema adds while it is not imported: the same definition under its own name, nothing removed.
  const importedNow = (c) => {
    const m = /^federation__(\w+) was removed\.$/.exec(c.description);
    return c.type === 'DIRECTIVE_REMOVED' && m !== null && head.schema.getDirective(m[1]) !== undefined;
  };
  const breaking = findBreakingChanges(base.schema, head.schema)
    .filter((c) => !importedNow(c))
    .map((c) => ({ type: c.type, description: c.description }));
  const dangerous = findDangerousChanges(base.schema, head.schema).map((c) => ({ type: c.type, description: c.description }));

  const baseKeys = entityKeys(base.document);
  const headKeys = entityKeys(head.document);
  for (const [typeName, keys] of baseKeys) {
    if (!head.schema.getType(typeName)) continue; // TYPE_REMOVED already says it.
    const now = headKeys.get(typeName) || [];
    for (const key of keys) {
      if (!now.includes(key)) {
        breaking.push({
          type: 'ENTITY_KEY_REMOVED',
          description: `${typeName} ${key} was removed or changed${now.length > 0 ? ` (now ${now.join(' ')})` : ''}: the router can no longer resolve it by that key.`,
        });
      }
    }
  }
  const byDescription = (a, b) => (a.description < b.description ? -1 : a.description > b.description ? 1 : 0);
  return { breaking: breaking.sort(byDescription), dangerous: dangerous.sort(byDescription) };
}

function git(args, cwd) {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function tryGit(args, cwd) {
  try {
    return git(args, cwd);
  } catch {
    return undefined;
  }
}

function parseArgs(argv) {
  const options = { base: undefined, schema: DEFAULT_SCHEMA };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--base') options.base = value();
    else if (arg.startsWith('--base=')) options.base = arg.slice('--base='.length);
    else if (arg === '--schema') options.schema = value();
    else if (arg.startsWith('--schema=')) options.schema = arg.slice('--schema='.length);
    else if (arg === '--help' || arg === '-h') options.help = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

/**
 * Runs the check in `cwd` (a git work tree). `out`/`err` receive whole lines. Returns the exit code.
 */
function main(argv, { cwd = process.cwd(), out = console.log, err = console.error } = {}) {
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    err(`schema:check: ${error.message}. Usage: node scripts/schema-check.js [--base REV] [--schema PATH]`);
    return 2;
  }
  if (options.help) {
    out('Usage: node scripts/schema-check.js [--base REV] [--schema PATH]');
    return 0;
  }
  const schemaPath = path.resolve(cwd, options.schema);
  let headSdl;
  try {
    headSdl = fs.readFileSync(schemaPath, 'utf8');
  } catch {
    err(`schema:check: cannot read ${options.schema}.`);
    return 2;
  }

  const top = tryGit(['rev-parse', '--show-toplevel'], cwd);
  if (top === undefined) {
    out('schema:check: not a git work tree, so there is no base to compare with: skipped.');
    return 0;
  }
  const root = top.trim();
  const candidates = options.base !== undefined ? [options.base] : DEFAULT_BASES;
  const baseRef = candidates.find((ref) => tryGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], root) !== undefined);
  if (baseRef === undefined) {
    out(`schema:check: no base to compare with (${candidates.join(' or ')} does not exist here, e.g. a fresh repository or a shallow clone; in CI run \`git fetch origin main\` first): skipped.`);
    return 0;
  }
  // What this branch changed: the merge base with the base branch (the base itself when HEAD has no commit yet).
  const mergeBase = (tryGit(['merge-base', 'HEAD', baseRef], root) || '').trim() || baseRef;
  const relative = path.relative(root, schemaPath).split(path.sep).join('/');
  const baseSdl = tryGit(['show', `${mergeBase}:${relative}`], root);
  const baseTip = (tryGit(['rev-parse', `${baseRef}^{commit}`], root) || '').trim();
  const baseName = `${baseRef} (${mergeBase === baseTip ? '' : 'merge base '}${mergeBase.slice(0, 12)})`;
  if (baseSdl === undefined) {
    out(`schema:check: ${relative} does not exist at ${baseName}: a new schema, nothing to compare: skipped.`);
    return 0;
  }

  let result;
  try {
    result = compareSchemas(baseSdl, headSdl);
  } catch (error) {
    err(`schema:check: ${error.message}`);
    return 2;
  }
  const { breaking, dangerous } = result;
  for (const change of dangerous) out(`warning  DANGEROUS  ${change.type}: ${change.description}`);
  for (const change of breaking) err(`error    BREAKING   ${change.type}: ${change.description}`);
  const summary = `${breaking.length} breaking, ${dangerous.length} dangerous change(s) in ${relative} against ${baseName}`;
  if (breaking.length > 0) {
    err(`schema:check: ${summary}. Clients or the router depend on what was removed or changed: add instead, deprecate with @deprecated, and remove only when no client uses it.`);
    return 1;
  }
  out(`schema:check: ok (${summary}).`);
  return 0;
}

module.exports = { compareSchemas, main };

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
