/**
 * Request bodies for /graphql: gzip, deflate, br decoded by node:zlib within the size limit; media types compared
 * case-insensitively (RFC 9110 §8.3.1); JSON in UTF-8 only.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/** A request refused while its body was read: the status, `extensions.code` and message to answer with. */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly code: 'BAD_REQUEST' | 'PAYLOAD_TOO_LARGE',
    message: string,
  ) {
    super(message);
  }
}

const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** The content codings applied to the body, in the order they were applied (`identity` left out). */
function contentCodings(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
}

function tooLarge(limit: number): BodyError {
  return new BodyError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`);
}

/**
 * The body, decoded, at most `limit` bytes both as sent and decoded; past it reading stops and the rest is drained
 * unread, so the caller should close the connection after answering.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const codings = contentCodings(req.headers['content-encoding']);
  const unknown = codings.find((coding) => DECODERS[coding] === undefined);
  if (unknown !== undefined) {
    req.resume();
    return Promise.reject(new BodyError(415, 'BAD_REQUEST', `Unsupported Content-Encoding "${unknown.slice(0, 40)}": send gzip, deflate, br or none.`));
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    // Decoded in the reverse order of the codings applied.
    const decoders = codings.reverse().map((coding) => DECODERS[coding]());
    const chunks: Buffer[] = [];
    let sent = 0;
    let size = 0;
    let done = false;
    const fail = (error: BodyError | Error): void => {
      if (done) return;
      done = true;
      req.unpipe();
      for (const decoder of decoders) decoder.destroy();
      req.resume();
      reject(error);
    };
    let output: Readable = req;
    for (const [i, decoder] of decoders.entries()) {
      output.pipe(decoder);
      decoder.on('error', () => fail(new BodyError(400, 'BAD_REQUEST', `The request body is not valid ${codings[i]} data.`)));
      output = decoder;
    }
    if (decoders.length > 0) {
      req.on('data', (chunk: Buffer) => {
        sent += chunk.length;
        if (sent > limit) fail(tooLarge(limit));
      });
    }
    output.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        fail(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    output.on('end', () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.on('error', fail);
  });
}

export interface MediaType {
  /** Type and subtype, lower case (`application/json`). */
  essence: string;
  /** Parameters by lower-case name, values unquoted as sent. */
  parameters: ReadonlyMap<string, string>;
}

/** A Content-Type header parsed as RFC 9110 says (names case-insensitive, quoted values); undefined when absent. */
export function parseMediaType(header: string | undefined): MediaType | undefined {
  if (header === undefined) return undefined;
  const [essence, ...parts] = header.split(';');
  const parameters = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    if (name !== '' && !parameters.has(name)) parameters.set(name, value);
  }
  return { essence: essence.trim().toLowerCase(), parameters };
}

/** Whether a body of this media type is JSON (`application/json` or any `+json` type). */
export function isJson(mediaType: MediaType | undefined): boolean {
  return mediaType !== undefined && (mediaType.essence === 'application/json' || mediaType.essence.endsWith('+json'));
}

/** Refuses (415) a JSON body in a charset other than UTF-8, before it is read: it is never decoded as UTF-8 by mistake. */
export function checkCharset(mediaType: MediaType): void {
  const charset = mediaType.parameters.get('charset');
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') {
    throw new BodyError(415, 'BAD_REQUEST', `Unsupported charset "${charset.slice(0, 40)}": JSON request bodies must be UTF-8.`);
  }
}

/** A UTF-8 JSON body's value (undefined when empty); text that is not JSON is refused (400, never quoting it). */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new BodyError(400, 'BAD_REQUEST', 'Invalid JSON in the request body.');
  }
}
