/**
 * The offline explorer's content-hashed files in dist/explorer/, served immutable; only what the manifest lists is
 * served (no path from the URL reaches the file system).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ExplorerManifest } from './config';

const MANIFEST: z.ZodType<ExplorerManifest> = z.object({
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

export const DEFAULT_ASSET_DIR = join(projectRoot(__dirname), 'dist', 'explorer');

interface Loaded {
  body: Buffer;
  gzip?: Buffer;
  contentType: string;
}

export class ExplorerAssetStore {
  private readonly cache = new Map<string, Loaded>();

  private constructor(
    readonly dir: string,
    readonly manifest: ExplorerManifest,
  ) {}

  /** The build in `dir`, or undefined when there is none (the explorer was not built). */
  static open(dir: string = DEFAULT_ASSET_DIR): ExplorerAssetStore | undefined {
    let text: string;
    try {
      text = readFileSync(join(dir, 'manifest.json'), 'utf8');
    } catch {
      return undefined;
    }
    const manifest = MANIFEST.safeParse(JSON.parse(text));
    if (!manifest.success) throw new Error(`${join(dir, 'manifest.json')} is not the explorer build's manifest: run npm run build`);
    return new ExplorerAssetStore(dir, manifest.data);
  }

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.manifest.files, name) && extname(name) in CONTENT_TYPES;
  }

  private load(name: string): Loaded {
    let loaded = this.cache.get(name);
    if (!loaded) {
      const body = readFileSync(join(this.dir, name));
      const contentType = CONTENT_TYPES[extname(name)];
      // Text compresses to about a quarter (the editor bundle is megabytes); fonts are compressed already.
      const gzip = contentType.startsWith('text/') || contentType === 'image/svg+xml' ? gzipSync(body) : undefined;
      loaded = { body, gzip, contentType };
      this.cache.set(name, loaded);
    }
    return loaded;
  }

  /** Sends one asset; the caller checked `has(name)`. */
  send(req: IncomingMessage, res: ServerResponse, name: string): void {
    const { body, gzip, contentType } = this.load(name);
    const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const payload = gzip && acceptsGzip ? gzip : body;
    res.writeHead(200, {
      'content-type': contentType,
      'content-length': payload.length,
      'cache-control': IMMUTABLE,
      'x-content-type-options': 'nosniff',
      ...(gzip ? { vary: 'Accept-Encoding' } : {}),
      ...(payload === gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : payload);
  }
}
