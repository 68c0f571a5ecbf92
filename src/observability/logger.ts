/**
 * Structured JSON logs (pino). Secrets are redacted by path; nothing logs a token, a request body, GraphQL
 * variables or an activation code.
 */
import pino, { type Logger } from 'pino';
import { compileRedaction } from './redact';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["router-authorization"]',
  'req.headers.cookie',
  'req.headers["set-cookie"]',
  'headers.authorization',
  'headers["router-authorization"]',
  'headers.cookie',
  '*.clientSecret',
  '*.assertion',
  '*.token',
  '*.access_token',
  'clientSecret',
  'assertion',
  'token',
  // Inbound authentication and on-behalf-of (src/auth/): whatever object they end up in.
  '*.authorization',
  '*.cookie',
  '*.headers.authorization',
  '*.headers["router-authorization"]',
  '*.headers.cookie',
  '*["router-authorization"]',
  '*.routerSecret',
  '*.clientCertificatePassword',
  '*.userAssertionToken',
  '*.accessToken',
  '*.refreshToken',
  '*.password',
  '*.secret',
  'authorization',
  'routerSecret',
  'userAssertionToken',
  'accessToken',
  // Activation codes are credentials. Nothing logs a request's variables or a Graph body today; should
  // anything ever log one, the codes (and GraphQL variables as a whole) are censored wherever they sit.
  'activationCodes',
  '*.activationCodes',
  '*.input.activationCodes',
  '*.variables.input.activationCodes',
  '*.body.activationCodes',
  'variables',
  '*.variables',
];

const CENSOR = '[redacted]';
/**
 * REDACT_PATHS compiled once (src/redact.ts) and applied to each line's object, to child bindings and to values
 * interpolated into a message. pino's own `redact` did the same at about 11% of a request's CPU at LOG_LEVEL=info
 * (see docs/performance.md); it still gets any path the compiled redactor does not handle.
 */
const redaction = compileRedaction(REDACT_PATHS, CENSOR);

let lastTimeMs = 0;
let lastTime = '';
/** pino.stdTimeFunctions.isoTime, formatting the date once per millisecond rather than once per line. */
function isoTime(): string {
  const now = Date.now();
  if (now !== lastTimeMs) {
    lastTimeMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const logger = pino(
    {
      level,
      base: { service: 'esim-pools-subgraph' },
      ...(redaction.unsupported.length > 0 ? { redact: { paths: redaction.unsupported, censor: CENSOR } } : {}),
      hooks: {
        logMethod(args, method) {
          if (args.length > 1) {
            // Values interpolated into the message (`%o`, `%j`) follow it.
            const values: unknown[] = args;
            for (let i = typeof values[0] === 'string' ? 1 : 2; i < values.length; i++) {
              const value = values[i];
              if (typeof value === 'object' && value !== null) values[i] = redaction.redact(value);
            }
          }
          method.apply(this, args);
        },
      },
      timestamp: isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redaction.redact(bindings),
        log: (object) => redaction.redact(object),
      },
    },
    destination,
  );
  // pino applies `formatters.bindings` to the root's bindings only: a child's bindings are redacted here (children
  // inherit this method, so grandchildren too).
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the `this` of the logger it is called on
  const child = logger.child;
  logger.child = function redactedChild<ChildCustomLevels extends string = never>(
    this: Logger,
    bindings: pino.Bindings,
    options?: pino.ChildLoggerOptions<ChildCustomLevels>,
  ): Logger<ChildCustomLevels> {
    return child.call<Logger, [pino.Bindings, pino.ChildLoggerOptions<ChildCustomLevels>?], Logger<ChildCustomLevels>>(this, redaction.redact(bindings), options);
  };
  return logger;
}

export type { Logger };
