/**
 * An Apollo Server integration for node:http with nothing of this project in it (docs/architecture.md): bodies
 * gzip/deflate/br-decoded within the size limit, media types as WHATWG parses them (as Apollo does), JSON in UTF-8 only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { MIMEType } from 'node:util';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { HeaderMap, type ApolloServer, type BaseContext, type ContextFunction } from '@apollo/server';
import getRawBody from 'raw-body';

/** A request refused while its body was read: the status, `extensions.code` and message to answer with. */
class BodyError extends Error {
  constructor(readonly status: 400 | 413 | 415, message: string, readonly code: 'BAD_REQUEST' | 'PAYLOAD_TOO_LARGE' = 'BAD_REQUEST') {
    super(message);
  }
}

const DECODERS: Readonly<Record<string, () => Transform>> = { gzip: createGunzip, 'x-gzip': createGunzip, deflate: createInflate, br: createBrotliDecompress };

/** The body, decoded, at most `limit` bytes both as sent and decoded; past it the rest is drained unread. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  // The content codings in the order they were applied (`identity` left out).
  const codings = (req.headers['content-encoding'] ?? '').split(',').map((coding) => coding.trim().toLowerCase()).filter((coding) => coding !== '' && coding !== 'identity');
  const unknown = codings.find((coding) => DECODERS[coding] === undefined);
  // Built only when refused: an Error captures a stack trace, too dear for every request.
  const tooLarge = (): BodyError => new BodyError(413, `The request body is larger than ${limit} bytes.`, 'PAYLOAD_TOO_LARGE');
  if (unknown !== undefined || Number(req.headers['content-length']) > limit) {
    req.resume();
    throw unknown === undefined ? tooLarge() : new BodyError(415, `Unsupported Content-Encoding "${unknown.slice(0, 40)}": send gzip, deflate, br or none.`);
  }
  // Decoded in the reverse order of the codings applied.
  const decoders = codings.reverse().map((coding) => DECODERS[coding]());
  const output = decoders.reduce<Readable>((input, decoder) => input.pipe(decoder), req);
  const refusals: BodyError[] = [];
  const refuse = (error: BodyError): void => {
    refusals.push(error);
    output.destroy(error);
  };
  decoders.forEach((decoder, i) => decoder.on('error', () => refuse(new BodyError(400, `The request body is not valid ${codings[i]} data.`))));
  let sent = 0;
  if (decoders.length > 0) {
    req.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (sent > limit) refuse(tooLarge());
    });
  }
  try {
    return await getRawBody(output, { limit });
  } catch (error) {
    req.unpipe();
    for (const decoder of decoders) decoder.destroy();
    req.resume();
    if (refusals.length > 0) throw refusals[0];
    if (error instanceof Error && 'type' in error && error.type === 'entity.too.large') throw tooLarge();
    throw error;
  }
}

/** The request body as Apollo takes it: parsed JSON (UTF-8 only) for a JSON media type, else nothing. */
async function requestBody(req: IncomingMessage, limit: number): Promise<unknown> {
  let mediaType: MIMEType | undefined;
  try {
    mediaType = new MIMEType(req.headers['content-type'] ?? '');
  } catch {
    // Absent or not a media type: not JSON.
  }
  const json = mediaType !== undefined && (mediaType.essence === 'application/json' || mediaType.essence.endsWith('+json'));
  const charset = mediaType?.params.get('charset');
  if (json && charset != null && charset.toLowerCase() !== 'utf-8') {
    // Refused before it is read: never decoded as UTF-8 by mistake.
    throw new BodyError(415, `Unsupported charset "${charset.slice(0, 40)}": JSON request bodies must be UTF-8.`);
  }
  const body = await readBody(req, limit);
  if (!json || body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    // Never quoting the text.
    throw new BodyError(400, 'Invalid JSON in the request body.');
  }
}

/**
 * A handler answering one request with Apollo, the operation's context from `context`, bodies up to `maxBodyBytes` as
 * sent and decoded (default 1 MiB); it rejects only on an unexpected failure (the caller answers 500).
 */
export function nodeHttpHandler<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: { context: ContextFunction<[{ req: IncomingMessage; res: ServerResponse }], TContext>; maxBodyBytes?: number },
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const limit = options.maxBodyBytes ?? 2 ** 20;
  return async (req, res) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown;
    try {
      if (method !== 'GET' && method !== 'HEAD') body = await requestBody(req, limit);
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      // The rest of a refused body is not read: the connection cannot carry another request.
      if (error.status !== 400) res.setHeader('connection', 'close');
      const text = JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code } }] });
      res.writeHead(error.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
      return;
    }
    const search = req.url?.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const response = await server.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method, headers, search, body }, context: () => options.context({ req, res }) });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
