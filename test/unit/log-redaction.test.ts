/** Secrets never reach a log line, wherever they sit in the logged object. */
import { memoryLogger } from '../support/auth';

it('redacts tokens, the router secret, cookies, assertions and client secrets', () => {
  const { logger, text } = memoryLogger('info');
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
  const out = text();
  for (const value of Object.values(secrets)) expect(out).not.toContain(value);
  expect(out).toContain('[redacted]');
  expect(out).toContain('application/json');
});

it('redacts activation codes and GraphQL variables wherever a line could carry them', () => {
  const { logger, text } = memoryLogger('trace');
  const code = { integratedCircuitCardIdentifier: '89014103211118510720', matchingIdentifier: 'QR-SECRET-TOKEN-1', smdpPlusServerAddress: 'smdp.example.com' };
  logger.trace({ activationCodes: [code] }, 'top level');
  logger.trace({ body: { displayName: 'Pool', activationCodes: [code] } }, 'a Graph body');
  logger.trace({ request: { variables: { input: { displayName: 'Pool', activationCodes: [code] } } } }, 'a GraphQL request');
  logger.trace({ variables: { input: { activationCodes: [code] } } }, 'GraphQL variables');
  logger.child({ input: { activationCodes: [code] } }).trace('a child binding');
  const out = text();
  for (const value of Object.values(code)) expect(out).not.toContain(value);
  expect(out.split('[redacted]').length - 1).toBe(5);
});
