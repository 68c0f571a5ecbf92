/** Structured JSON logs (pino). Secrets are redacted by path; nothing logs a token or a request body. */
import pino, { type Logger } from 'pino';

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
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'esim-pools-subgraph' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

export type { Logger };
