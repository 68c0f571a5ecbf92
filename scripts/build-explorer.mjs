#!/usr/bin/env node
/** Builds src/explorer-web/ into dist/explorer/ (content-hashed files, manifest.json) with esbuild; skipped when up to
 * date. Usage: node scripts/build-explorer.mjs [--quiet] [--force] */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'explorer');
const web = join(root, 'src', 'explorer-web');
const resolveFrom = (specifier) => fileURLToPath(import.meta.resolve(specifier));

const inputsFile = join(root, 'dist', '.explorer-inputs.json');
if (!process.argv.includes('--force') && upToDate()) {
  console.log('build-explorer: dist/explorer/ is up to date');
  process.exit(0);
}
function upToDate() {
  try {
    const built = statSync(inputsFile).mtimeMs;
    return JSON.parse(readFileSync(inputsFile, 'utf8')).every((file) => statSync(join(root, file)).mtimeMs < built);
  } catch {
    return false; // never built, or an input is gone
  }
}

rmSync(inputsFile, { force: true });
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const common = {
  absWorkingDir: root,
  bundle: true,
  minify: true,
  target: ['es2022', 'chrome111', 'firefox111', 'safari16.4'],
  outdir,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file' },
};

// The page scripts: ES modules (the landing script imports graphiql.js only when Sandbox cannot load).
const pages = await build({
  ...common,
  format: 'esm',
  entryPoints: { landing: join(web, 'landing.ts'), graphiql: join(web, 'graphiql.tsx') },
  // @graphiql/toolkit imports graphql-ws only for subscriptions over websockets, which this explorer never opens.
  external: ['graphql-ws'],
});

// Monaco's workers as classic scripts (the format every browser runs in a Worker).
const workers = await build({
  ...common,
  format: 'iife',
  entryPoints: {
    'editor.worker': resolveFrom('monaco-editor/esm/vs/editor/editor.worker.js'),
    'json.worker': resolveFrom('monaco-editor/esm/vs/language/json/json.worker.js'),
    'graphql.worker': resolveFrom('monaco-graphql/esm/graphql.worker.js'),
  },
});

/** The output file of the named entry point (and its CSS bundle). */
function entry(result, source) {
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (output.entryPoint && join(root, output.entryPoint) === source) return { js: basename(file), css: output.cssBundle && basename(output.cssBundle) };
  }
  throw new Error(`no output for ${source}`);
}
function workerFile(name) {
  const file = Object.keys(workers.metafile.outputs).find((f) => basename(f).startsWith(`${name}-`) && f.endsWith('.js'));
  if (!file) throw new Error(`no output for ${name}`);
  return basename(file);
}

const hashOf = (data) => createHash('sha256').update(data).digest('hex').slice(0, 8).toUpperCase();
const EXTENSIONS = { 'font/woff2': 'woff2', 'font/woff': 'woff', 'font/ttf': 'ttf', 'image/png': 'png', 'image/svg+xml': 'svg' };

/** Moves the CSS's data: URLs (fonts, icons) into files of their own (for the CSP); returns the CSS's new name. */
function extractDataUrls(cssName) {
  let css = readFileSync(join(outdir, cssName), 'utf8');
  const written = [];
  // url("data:…"), url('data:…') or url(data:…); base64 (fonts) or percent-encoded (Monaco's squiggle SVGs).
  const DATA_URL = /url\(\s*(?:"data:([^"]*)"|'data:([^']*)'|data:([^)'"\s]*))\s*\)/g;
  css = css.replace(DATA_URL, (match, doubleQuoted, singleQuoted, bare) => {
    const url = doubleQuoted ?? singleQuoted ?? bare;
    const comma = url.indexOf(',');
    const [mime, ...parameters] = url.slice(0, comma).split(';');
    const extension = EXTENSIONS[mime];
    if (!extension) throw new Error(`a data: URL of type ${mime} in ${cssName}: add its extension to EXTENSIONS`);
    const data = url.slice(comma + 1);
    const bytes = parameters.includes('base64') ? Buffer.from(data, 'base64') : Buffer.from(decodeURIComponent(data), 'utf8');
    const name = `${mime.startsWith('font/') ? 'font' : 'image'}-${hashOf(bytes)}.${extension}`;
    writeFileSync(join(outdir, name), bytes);
    written.push(name);
    return `url(./${name})`;
  });
  if (css.includes('data:')) throw new Error(`${cssName} still has a data: URL that the build did not turn into a file`);
  const renamed = `${cssName.replace(/-[A-Z0-9]+\.css$/, '')}-${hashOf(css)}.css`;
  writeFileSync(join(outdir, cssName), css);
  renameSync(join(outdir, cssName), join(outdir, renamed));
  return { css: renamed, written };
}

const landing = entry(pages, join(web, 'landing.ts'));
const graphiql = entry(pages, join(web, 'graphiql.tsx'));
if (!landing.css || !graphiql.css) throw new Error('expected CSS bundles for landing.ts and graphiql.tsx');
const extracted = extractDataUrls(graphiql.css);
const outputs = [...Object.keys(pages.metafile.outputs), ...Object.keys(workers.metafile.outputs)]
  .map((file) => basename(file))
  .map((name) => (name === graphiql.css ? extracted.css : name));
graphiql.css = extracted.css;
const files = {};
for (const name of [...new Set([...outputs, ...extracted.written])]) files[name] = statSync(join(outdir, name)).size;
const manifest = {
  assets: {
    landing: landing.js,
    landingCss: landing.css,
    graphiql: graphiql.js,
    graphiqlCss: graphiql.css,
    workers: { editor: workerFile('editor.worker'), json: workerFile('json.worker'), graphql: workerFile('graphql.worker') },
  },
  files,
};
writeFileSync(join(outdir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
const inputs = [...Object.keys(pages.metafile.inputs), ...Object.keys(workers.metafile.inputs), 'package-lock.json', 'scripts/build-explorer.mjs'];
writeFileSync(inputsFile, JSON.stringify([...new Set(inputs)]));

if (!process.argv.includes('--quiet')) {
  // gzip: what a browser that accepts it is sent (src/http/explorer/index.ts); fonts and icons are compressed already.
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const isCode = (name) => /\.(js|css)$/.test(name);
  const media = Object.entries(files).filter(([name]) => !isCode(name));
  console.log('build-explorer: dist/explorer/ (served under /graphql/explorer/ outside production): file, size, gzip');
  for (const [name, size] of Object.entries(files).filter(([name]) => isCode(name)).sort(([, a], [, b]) => b - a)) {
    console.log(`  ${name.padEnd(30)}  ${kib(size).padStart(12)}  ${kib(gzipSync(readFileSync(join(outdir, name))).length).padStart(12)}`);
  }
  console.log(`  ${`fonts and icons (${media.length} files)`.padEnd(30)}  ${kib(media.reduce((sum, [, size]) => sum + size, 0)).padStart(12)}`);
  console.log(`  ${'total'.padEnd(30)}  ${kib(Object.values(files).reduce((a, b) => a + b, 0)).padStart(12)}`);
}
