#!/usr/bin/env node
/** `npm run schema:check [--base REV] [--schema PATH]`: breaking changes of the schema against the merge base with
 * `main`; exit 0 (none, or no base), 1 breaking, 2 usage or schema error. Details: docs/federation.md. */
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { findBreakingChanges, findDangerousChanges, parse, print, Kind } = require('graphql');
const { buildSubgraphSchema } = require('@apollo/subgraph');

const USAGE = 'Usage: node scripts/schema-check.js [--base REV] [--schema PATH]';
const KEYED_KINDS = [Kind.OBJECT_TYPE_DEFINITION, Kind.OBJECT_TYPE_EXTENSION, Kind.INTERFACE_TYPE_DEFINITION, Kind.INTERFACE_TYPE_EXTENSION];

/** Type name → its `@key`s printed with the arguments sorted and `resolvable: true` (the default) left out. */
function entityKeys(document) {
  const keys = new Map();
  for (const def of document.definitions.filter((d) => KEYED_KINDS.includes(d.kind))) {
    for (const directive of (def.directives ?? []).filter((d) => d.name.value === 'key')) {
      const args = (directive.arguments ?? [])
        .filter((a) => !(a.name.value === 'resolvable' && a.value.kind === Kind.BOOLEAN && a.value.value === true))
        .map((a) => `${a.name.value}: ${print(a.value)}`);
      keys.set(def.name.value, [...(keys.get(def.name.value) ?? []), `@key(${args.sort().join(', ')})`]);
    }
  }
  return keys;
}

/** Builds an SDL string as a subgraph schema; throws an Error naming `label` when it is not a valid subgraph. */
function buildSubgraph(sdl, label) {
  let document;
  try {
    document = parse(sdl);
    return { document, schema: buildSubgraphSchema([{ typeDefs: document }]) };
  } catch (error) {
    throw new Error(`${label}${document ? ' is not a valid subgraph schema' : ''}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Compares two subgraph SDLs: `{ breaking, dangerous }`, each `{ type, description }[]` sorted by description. */
function compareSchemas(baseSdl, headSdl) {
  const base = buildSubgraph(baseSdl, 'base schema');
  const head = buildSubgraph(headSdl, 'schema');
  // A federation directive the schema now imports (`@cost`) replaces the prefixed copy (`federation__cost`) that
  // buildSubgraphSchema adds while it is not imported: nothing removed.
  const importedNow = (c) => c.type === 'DIRECTIVE_REMOVED' && head.schema.getDirective(/^federation__(\w+) was removed\.$/.exec(c.description)?.[1] ?? '') !== undefined;
  const change = (c) => ({ type: c.type, description: c.description });
  const breaking = findBreakingChanges(base.schema, head.schema).filter((c) => !importedNow(c)).map(change);
  const dangerous = findDangerousChanges(base.schema, head.schema).map(change);
  const headKeys = entityKeys(head.document);
  for (const [typeName, keys] of entityKeys(base.document)) {
    const now = headKeys.get(typeName) ?? [];
    // A type removed is TYPE_REMOVED already.
    for (const key of head.schema.getType(typeName) ? keys.filter((k) => !now.includes(k)) : []) {
      const description = `${typeName} ${key} was removed or changed${now.length > 0 ? ` (now ${now.join(' ')})` : ''}: the router can no longer resolve it by that key.`;
      breaking.push({ type: 'ENTITY_KEY_REMOVED', description });
    }
  }
  const byDescription = (a, b) => (a.description < b.description ? -1 : a.description > b.description ? 1 : 0);
  return { breaking: breaking.sort(byDescription), dangerous: dangerous.sort(byDescription) };
}

/** git's output, or undefined when it fails. */
function git(args, cwd) {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return undefined;
  }
}

/** Runs the check in `cwd` (a git work tree). `out`/`err` receive whole lines. Returns the exit code. */
function main(argv, { cwd = process.cwd(), out = console.log, err = console.error } = {}) {
  let options;
  try {
    options = parseArgs({ args: argv, options: { base: { type: 'string' }, schema: { type: 'string', default: 'schema/schema.graphql' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (error) {
    err(`schema:check: ${error.message}. ${USAGE}`);
    return 2;
  }
  if (options.help) {
    out(USAGE);
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
  const root = git(['rev-parse', '--show-toplevel'], cwd);
  if (root === undefined) {
    out('schema:check: not a git work tree, so there is no base to compare with: skipped.');
    return 0;
  }
  const candidates = options.base !== undefined ? [options.base] : ['main', 'origin/main'];
  const baseRef = candidates.find((ref) => git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], root) !== undefined);
  if (baseRef === undefined) {
    out(`schema:check: no base to compare with (${candidates.join(' or ')} does not exist here, e.g. a fresh repository or a shallow clone; in CI run \`git fetch origin main\` first): skipped.`);
    return 0;
  }
  // What this branch changed: the merge base with the base branch (the base itself when HEAD has no commit yet).
  const mergeBase = git(['merge-base', 'HEAD', baseRef], root) || baseRef;
  const relative = path.relative(root, schemaPath).split(path.sep).join('/');
  const baseSdl = git(['show', `${mergeBase}:${relative}`], root);
  const baseName = `${baseRef} (${mergeBase === git(['rev-parse', `${baseRef}^{commit}`], root) ? '' : 'merge base '}${mergeBase.slice(0, 12)})`;
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
  for (const c of dangerous) out(`warning  DANGEROUS  ${c.type}: ${c.description}`);
  for (const c of breaking) err(`error    BREAKING   ${c.type}: ${c.description}`);
  const summary = `${breaking.length} breaking, ${dangerous.length} dangerous change(s) in ${relative} against ${baseName}`;
  if (breaking.length > 0) {
    err(`schema:check: ${summary}. Clients or the router depend on what was removed or changed: add instead, deprecate with @deprecated, and remove only when no client uses it.`);
    return 1;
  }
  out(`schema:check: ok (${summary}).`);
  return 0;
}

module.exports = { compareSchemas, main };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
