/**
 * The dependency rule of docs/architecture.md, checked on every import of src/**: which layer may import which and
 * which packages a layer must not use. A layer may always import itself, Node's built-ins and npm packages, unless a
 * ban below says otherwise. The Graph emulator (packages/graph-emulator) imports only its own files and packages.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import ts from 'typescript';

type Layer =
  | 'entry'
  | 'config'
  | 'http'
  | 'graphql'
  | 'resolvers'
  | 'generated'
  | 'auth'
  | 'identity'
  | 'graph'
  | 'coordination'
  | 'history'
  | 'observability'
  | 'explorer-web';

interface LayerRule {
  /** Other layers this one may import (values and types). */
  mayImport: readonly Layer[] | 'anything';
  /** Other layers this one may import types from, and nothing else. */
  typesFrom?: readonly Layer[];
  /** Packages (and Node built-ins) this layer must not import, with the reason shown when it does. */
  bans?: { pattern: RegExp; why: string };
}

const HTTP_MODULES = { pattern: /^(node:)?(http|https|http2|net|tls|dgram)$|^undici(\/|$)/, why: 'resolvers never touch HTTP: they call Graph through the context' };

/** Production code never imports the Graph emulator: the image leaves it out (src/service.ts loads it by name). */
const NO_EMULATOR = /^@esim-pools\/graph-emulator(\/|$)/;

const RULES: Readonly<Record<Layer, LayerRule>> = {
  entry: { mayImport: 'anything' },
  config: { mayImport: ['auth', 'graph', 'coordination'], typesFrom: ['identity'] },
  http: { mayImport: ['config', 'graphql', 'auth', 'graph', 'coordination', 'observability'] },
  graphql: { mayImport: ['resolvers', 'generated', 'graph', 'auth', 'coordination', 'history', 'observability'] },
  resolvers: { mayImport: ['graphql', 'generated', 'graph'], typesFrom: ['history'], bans: HTTP_MODULES },
  generated: { mayImport: [], typesFrom: ['graph', 'graphql', 'history'] },
  auth: { mayImport: ['config', 'graphql', 'graph', 'identity', 'observability'] },
  identity: { mayImport: ['auth', 'graph', 'observability'] },
  graph: {
    mayImport: ['coordination', 'observability'],
    bans: { pattern: /^(graphql|dataloader)(\/|$)|^@apollo\//, why: 'the Graph client knows nothing of GraphQL' },
  },
  coordination: { mayImport: ['observability'] },
  // The assignment history: its store knows wire targets, never GraphQL or HTTP.
  history: {
    // config: its own settings (the migration command reads them alone).
    mayImport: ['config', 'graph', 'coordination', 'observability'],
    bans: { pattern: /^(graphql|dataloader)(\/|$)|^@apollo\//, why: 'the history store knows nothing of GraphQL' },
  },
  observability: { mayImport: ['graph'], typesFrom: ['auth', 'coordination'] },
  'explorer-web': {
    mayImport: [],
    bans: { pattern: /^node:|^(fs|path|os|http|https|net|tls|crypto|child_process|worker_threads)$/, why: 'the explorer runs in the browser' },
  },
};

/** Imports across layers that the rule allows by name (`from`: a file, or a folder ending in `/`), each with its reason. */
const EXCEPTIONS: ReadonlyArray<{ from: string; to: string; why: string }> = [
  { from: 'src/explorer-web/', to: 'src/http/explorer/config', why: 'the page configuration the server renders and the browser reads: one type for both sides' },
];

interface Import {
  specifier: string;
  typeOnly: boolean;
}

/** Every module a file imports: import/export declarations, `import x = require()`, require() and import() calls. */
function importsOf(file: string, text: string): Import[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: Import[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: isTypeOnly(node) });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expression = node.moduleReference.expression;
      if (ts.isStringLiteral(expression)) found.push({ specifier: expression.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) {
        found.push({ specifier: node.arguments[0].text, typeOnly: false });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `import type …`, `export type …`, or only `type` specifiers: erased from the JavaScript. */
function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    return node.isTypeOnly || (node.exportClause !== undefined && ts.isNamedExports(node.exportClause) && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly));
  }
  const clause = node.importClause;
  if (clause === undefined) return false; // `import 'x'` runs x
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return clause.name === undefined && bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

/** The layer of a path under src/ (without extension), or undefined when it is outside every layer. */
function layerOf(path: string): Layer | undefined {
  const parts = path.split('/');
  if (parts[0] !== 'src') return undefined;
  if (parts.length === 2 && (parts[1] === 'index' || parts[1] === 'service')) return 'entry';
  if (parts[1] === 'graphql' && parts[2] === 'resolvers') return 'resolvers';
  const layer = parts[1];
  return isLayer(layer) && layer !== 'entry' && layer !== 'resolvers' ? layer : undefined;
}

function isLayer(name: string): name is Layer {
  return Object.hasOwn(RULES, name);
}

/** The rule's verdicts on a set of files (paths relative to the repository, with `.ts`): one line per violation. */
function violations(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [file, text] of files) {
    const from = layerOf(file.replace(/\.tsx?$/, ''));
    if (from === undefined) {
      found.push(`${file}: not in a layer of docs/architecture.md (add it there and to this test)`);
      continue;
    }
    const rule = RULES[from];
    for (const { specifier, typeOnly } of importsOf(file, text)) {
      if (!specifier.startsWith('.')) {
        if (NO_EMULATOR.test(specifier)) found.push(`${file}: imports ${specifier} (production code never imports the Graph emulator)`);
        else if (rule.bans?.pattern.test(specifier)) found.push(`${file}: imports ${specifier} (${rule.bans.why})`);
        continue;
      }
      const target = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.(tsx?|js|json)$/, '');
      const to = layerOf(target);
      if (to === from || rule.mayImport === 'anything') continue;
      if (EXCEPTIONS.some((e) => (e.from.endsWith('/') ? file.startsWith(e.from) : e.from === file) && e.to === target)) continue;
      if (to !== undefined && rule.mayImport.includes(to)) continue;
      if (to !== undefined && typeOnly && rule.typesFrom?.includes(to)) continue;
      const what = to === undefined ? target : `${to} (${target})`;
      found.push(`${file}: ${from} must not import ${typeOnly ? 'types of ' : ''}${what}`);
    }
  }
  return found;
}

const ROOT = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

it('every import in src/ keeps the dependency rule', () => {
  const files = new Map(sourceFiles(join(ROOT, 'src')).map((path) => [relative(ROOT, path).split('\\').join('/'), readFileSync(path, 'utf8')]));
  expect(files.size).toBeGreaterThan(40);
  expect(files.has('src/graphql/resolvers/Mutation.ts')).toBe(true);
  expect(violations(files)).toEqual([]);
});

const EMULATOR = join(ROOT, 'packages', 'graph-emulator');

/** The emulator package's verdicts: each import must stay inside the package, or name a built-in or a dependency of its own. */
function emulatorViolations(files: ReadonlyMap<string, string>, dependencies: readonly string[]): string[] {
  const found: string[] = [];
  for (const [file, text] of files) {
    for (const { specifier } of importsOf(file, text)) {
      if (specifier.startsWith('.')) {
        const target = posix.normalize(posix.join(posix.dirname(file), specifier));
        if (!target.startsWith('src/')) found.push(`${file}: imports ${target}, outside the package's src/`);
      } else if (!specifier.startsWith('node:') && !dependencies.some((d) => specifier === d || specifier.startsWith(`${d}/`))) {
        found.push(`${file}: imports ${specifier}, not a node: built-in nor a dependency in its package.json`);
      }
    }
  }
  return found;
}

it('the Graph emulator package imports only its own files, node: built-ins and its dependencies', () => {
  const manifest = JSON.parse(readFileSync(join(EMULATOR, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const dependencies = Object.keys(manifest.dependencies ?? {});
  const files = new Map(sourceFiles(join(EMULATOR, 'src')).map((path) => [relative(EMULATOR, path).split('\\').join('/'), readFileSync(path, 'utf8')]));
  expect(files.has('src/server.ts')).toBe(true);
  expect(emulatorViolations(files, dependencies)).toEqual([]);
  expect(emulatorViolations(new Map([['src/server.ts', "import type { Logger } from '../../../src/observability/logger';"]]), dependencies)).toEqual([
    "src/server.ts: imports ../../src/observability/logger, outside the package's src/",
  ]);
  expect(emulatorViolations(new Map([['src/routes.ts', "import { request } from 'undici';\nimport { z } from 'zod';"]]), ['zod'])).toEqual([
    'src/routes.ts: imports undici, not a node: built-in nor a dependency in its package.json',
  ]);
});

describe('the rule refuses', () => {
  const check = (file: string, text: string) => violations(new Map([[file, text]]));

  it.each([
    ['src/graph/client.ts', "import { GraphQLError } from 'graphql';", 'imports graphql'],
    ['src/graph/client.ts', "import type { ApolloServer } from '@apollo/server';", 'imports @apollo/server'],
    ['src/graph/client.ts', "import type { Context } from '../graphql/context';", 'graph must not import types of graphql (src/graphql/context)'],
    ['src/graph/pipeline/retry.ts', "import { badUserInput } from '../../graphql/errors';", 'graph must not import graphql (src/graphql/errors)'],
    ['src/coordination/redis.ts', "import { GraphError } from '../graph/errors';", 'coordination must not import graph (src/graph/errors)'],
    ['src/coordination/local.ts', "export type { Context } from '../graphql/context';", 'coordination must not import types of graphql'],
    ['src/graphql/resolvers/Query.ts', "import { request } from 'undici';", 'imports undici'],
    ['src/graphql/resolvers/Mutation.ts', "import { request } from 'node:http';", 'imports node:http'],
    ['src/graphql/resolvers/Query.ts', "const https = require('node:https');", 'imports node:https'],
    ['src/graphql/resolvers/Query.ts', "import { createApp } from '../../http/app';", 'resolvers must not import http (src/http/app)'],
    ['src/graphql/context.ts', "import { startGraphEmulator } from '@esim-pools/graph-emulator';", 'never imports the Graph emulator'],
    ['src/service.ts', "import type { GraphEmulator } from '@esim-pools/graph-emulator';", 'never imports the Graph emulator'],
    ['src/graphql/examples.ts', "import { SAMPLE_POOLS } from '../emulator/data';", 'graphql must not import src/emulator/data'],
    ['src/observability/metrics.ts', "import { createApp } from '../http/app';", 'observability must not import http (src/http/app)'],
    ['src/observability/audit.ts', "import { canAssign } from '../auth/principal';", 'observability must not import auth (src/auth/principal)'],
    ['src/explorer-web/landing.ts', "import { EXAMPLE_DOCUMENT } from '../graphql/examples';", 'explorer-web must not import graphql (src/graphql/examples)'],
    ['src/explorer-web/graphiql.tsx', "import { readFileSync } from 'node:fs';", 'the explorer runs in the browser'],
    ['src/misc/util.ts', "export const x = 1;", 'not in a layer'],
  ])('%s: %s', (file, text, expected) => {
    const found = check(file, text);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(expected);
  });

  it('but lets a layer import its own files, allowed layers, packages, and types where only types are allowed', () => {
    expect(check('src/graph/client.ts', "import { Pool } from 'undici';\nimport { delay } from './policy';\nimport type { Budget } from '../coordination/types';")).toEqual([]);
    expect(check('src/observability/metrics.ts', "import type { GraphCallEvent } from '../graph/api';")).toEqual([]);
    expect(check('src/service.ts', "import { createApp } from './http/app';\nconst pkg = require('../package.json');")).toEqual([]);
  });
});

it('reads every form of import', () => {
  const text = [
    "import a from './a';",
    "import type { B } from './b';",
    "import { type C, type D } from './c';",
    "import { type E, f } from './e';",
    "export { g } from './g';",
    "export type { H } from './h';",
    "import './side-effect';",
    "import i = require('./i');",
    "const j = require('./j');",
    "const k = import('./k');",
  ].join('\n');
  expect(importsOf('src/x.ts', text)).toEqual([
    { specifier: './a', typeOnly: false },
    { specifier: './b', typeOnly: true },
    { specifier: './c', typeOnly: true },
    { specifier: './e', typeOnly: false },
    { specifier: './g', typeOnly: false },
    { specifier: './h', typeOnly: true },
    { specifier: './side-effect', typeOnly: false },
    { specifier: './i', typeOnly: false },
    { specifier: './j', typeOnly: false },
    { specifier: './k', typeOnly: false },
  ]);
});
