/**
 * The offline explorer's content-hashed files in dist/explorer/, served immutable; only what the manifest lists is
 * served (no path from the URL reaches the file system).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';

/** The manifest `npm run build` writes next to the assets: the page's entry points, and every file name → bytes. */
const MANIFEST = z.object({
  assets: z.object({
    landing: z.string(),
    landingCss: z.string(),
    graphiql: z.string(),
    graphiqlCss: z.string(),
    workers: z.object({ editor: z.string(), json: z.string(), graphql: z.string() }),
  }),
  files: z.record(z.number()),
});

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The project's root: the nearest folder up with a package.json (from src/, dist/ or dist-tools/src/ alike). */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

/** The build in `dir` (default: dist/explorer/ of this project), or undefined when the explorer was not built. */
export function openExplorerAssets(dir = join(projectRoot(__dirname), 'dist', 'explorer')) {
  let text: string;
  try {
    text = readFileSync(join(dir, 'manifest.json'), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = MANIFEST.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${join(dir, 'manifest.json')} is not the explorer build's manifest: run npm run build`);
  const manifest = parsed.data;
  const loaded = new Map<string, { body: Buffer; gzip?: Buffer }>();
  return {
    manifest,
    /** Sends the file `name` and returns true when the build lists it; else false. */
    send(req: IncomingMessage, res: ServerResponse, name: string): boolean {
      const contentType = CONTENT_TYPES[extname(name)];
      if (!Object.prototype.hasOwnProperty.call(manifest.files, name) || contentType === undefined) return false;
      let file = loaded.get(name);
      if (!file) {
        const body = readFileSync(join(dir, name));
        // Text compresses to about a quarter (the editor bundle is megabytes); fonts are compressed already.
        file = { body, gzip: contentType.startsWith('text/') || contentType === 'image/svg+xml' ? gzipSync(body) : undefined };
        loaded.set(name, file);
      }
      const { body, gzip } = file;
      const payload = gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) ? gzip : body;
      res.writeHead(200, {
        'content-type': contentType,
        'content-length': payload.length,
        'cache-control': IMMUTABLE,
        'x-content-type-options': 'nosniff',
        ...(gzip ? { vary: 'Accept-Encoding' } : {}),
        ...(payload === gzip ? { 'content-encoding': 'gzip' } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : payload);
      return true;
    },
  };
}
