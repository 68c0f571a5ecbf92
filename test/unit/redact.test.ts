/**
 * The compiled redaction (src/redact.ts) writes exactly the lines pino's own `redact` option writes for the same
 * paths, leaves the logged objects untouched, and passes a line that needs no redaction on as it is.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { createLogger, REDACT_PATHS } from '../../src/observability/logger';
import { compileRedaction, parseRedactPath } from '../../src/observability/redact';

function memory(): { stream: Writable; text(): string } {
  let out = '';
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString();
        done();
      },
    }),
    text: () => out.replace(/,"time":"[^"]+"/g, ''),
  };
}

/** The reference: pino's own `redact` with the same paths, which the compiled redaction must match byte for byte. */
function pinoRedacting(stream: Writable): Logger {
  return pino(
    {
      level: 'info',
      base: { service: 'esim-pools-subgraph' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
}

class TokenError extends Error {
  token = 'error-token-secret';
  code = 'E_TOKEN';
  constructor(message: string) {
    super(message, { cause: new Error('inner') });
    this.name = 'TokenError';
  }
}

const LINES: Array<{ name: string; args: unknown[] }> = [
  { name: 'a flat line (the per-request lines)', args: [{ method: 'GET', status: 200, durationMs: 1.5, requestId: 'r', missing: undefined }, 'graph call'] },
  { name: 'request headers', args: [{ req: { headers: { authorization: 'Bearer s', accept: 'json', 'router-authorization': 'r', cookie: 'c', 'set-cookie': 'sc' } } }, 'm'] },
  { name: 'headers', args: [{ headers: { authorization: 'a', 'router-authorization': 'r', cookie: 'c', other: 1 } }, 'm'] },
  { name: 'wildcards one level down and top-level keys', args: [{ x: { token: 't', clientSecret: 's', y: 1 }, token: 'top', authorization: 'a', accessToken: 'z' }, 'm'] },
  { name: 'wildcards two levels down', args: [{ up: { headers: { authorization: 'a', 'router-authorization': 'r', cookie: 'c' } }, q: { 'router-authorization': 'rr' } }, 'm'] },
  { name: 'an error under err', args: [{ err: new TokenError('boom') }, 'failed'] },
  { name: 'an error as the object', args: [new TokenError('boom')] },
  { name: 'an error under another key', args: [{ error: new TokenError('boom') }, 'm'] },
  { name: 'arrays', args: [{ list: [{ token: 1 }], numbers: [1, 2] }, 'm'] },
  { name: 'present but undefined, null, objects as values', args: [{ x: { token: undefined, secret: { deep: 1 }, password: null } }, 'm'] },
  { name: 'inherited properties', args: [{ x: Object.create({ token: 'inherited' }) as object }, 'm'] },
  { name: 'null in a path', args: [{ req: { headers: null }, headers: { authorization: undefined } }, 'm'] },
  { name: 'interpolated values', args: ['values %o %j', { token: 't', a: { secret: 's' } }, { authorization: 'x' }] },
  { name: 'interpolated after an object', args: [{ a: 1 }, 'value %j', { token: 't' }] },
];

describe('compiled redaction', () => {
  it.each(LINES)('writes what pino’s redact writes: $name', ({ args }) => {
    const expected = memory();
    const actual = memory();
    const pinoLogger = pinoRedacting(expected.stream);
    const ourLogger = createLogger('info', actual.stream);
    // The lines' arguments are of pino's every overload at once: apply them as they are.
    Reflect.apply(pinoLogger.info, pinoLogger, args);
    Reflect.apply(ourLogger.info, ourLogger, args);
    expect(actual.text()).toEqual(expected.text());
  });

  it('redacts child bindings, also of grandchildren', () => {
    const expected = memory();
    const actual = memory();
    pinoRedacting(expected.stream).child({ token: 'child-token', component: 'x' }).child({ o: { secret: 1 } }).info('hello');
    createLogger('info', actual.stream).child({ token: 'child-token', component: 'x' }).child({ o: { secret: 1 } }).info('hello');
    expect(actual.text()).toEqual(expected.text());
    expect(actual.text()).not.toContain('child-token');
  });

  it('never modifies the logged object', () => {
    const error = new TokenError('boom');
    const line = { x: { token: 't' }, req: { headers: { authorization: 'Bearer s' } }, err: error };
    createLogger('info', memory().stream).info(line, 'm');
    expect(line).toEqual({ x: { token: 't' }, req: { headers: { authorization: 'Bearer s' } }, err: error });
    expect(error.token).toBe('error-token-secret');
  });

  it('passes a line without secrets on as it is (no copy)', () => {
    const redaction = compileRedaction(REDACT_PATHS, '[redacted]');
    const line = { method: 'POST', pathTemplate: '/x/{id}', status: 200, nested: { harmless: true } };
    expect(redaction.redact(line)).toBe(line);
  });

  it('parses paths as pino does, and leaves paths it does not handle to pino', () => {
    expect(parseRedactPath('req.headers["router-authorization"]')).toEqual(['req', 'headers', 'router-authorization']);
    expect(parseRedactPath("*['x-y'].z")).toEqual(['*', 'x-y', 'z']);
    expect(parseRedactPath('a..b')).toBeUndefined();
    expect(parseRedactPath('a.')).toBeUndefined();
    expect(compileRedaction(['a.*.b', '*', 'c'], 'x').unsupported).toEqual(['a.*.b', '*']);
    expect(() => compileRedaction(['a..b'], 'x')).toThrow('Invalid redaction path');
  });
});
