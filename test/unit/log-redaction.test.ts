/** Secrets never reach a log line, wherever they sit in the logged object. */
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger';

it('redacts tokens, the router secret, cookies, assertions and client secrets', () => {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  const logger = createLogger('info', sink);
  const secrets = {
    bearer: 'Bearer eyJhbGciOiJSUzI1NiJ9.secret-token-body.sig',
    router: 'router-secret-value-0123456789',
    cookie: 'session=cookie-secret',
    assertion: 'eyJ.assertion-secret.sig',
    clientSecret: 'client-secret-value',
  };
  logger.info(
    {
      req: { headers: { authorization: secrets.bearer, 'router-authorization': secrets.router, cookie: secrets.cookie, accept: 'application/json' } },
      headers: { authorization: secrets.bearer, 'router-authorization': secrets.router },
      upstream: { headers: { authorization: secrets.bearer, 'router-authorization': secrets.router, cookie: secrets.cookie } },
      credential: { clientSecret: secrets.clientSecret, userAssertionToken: secrets.assertion, assertion: secrets.assertion },
      auth: { routerSecret: secrets.router, authorization: secrets.bearer },
      token: secrets.assertion,
    },
    'something happened',
  );
  for (const value of Object.values(secrets)) expect(out).not.toContain(value);
  expect(out).toContain('[redacted]');
  expect(out).toContain('application/json');
});
