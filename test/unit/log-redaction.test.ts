/** Secrets never reach a log line: in the errors, headers and bindings the code logs, and under the censored keys. */
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { memoryLogger } from '../support/auth';

const BEARER = 'Bearer eyJhbGciOiJSUzI1NiJ9.secret-token-body.sig';
const ROUTER = 'router-secret-value-0123456789';
const CODE = { integratedCircuitCardIdentifier: '89014103211118510720', matchingIdentifier: 'QR-SECRET-TOKEN-1', smdpPlusServerAddress: 'smdp.example.com' };

it('logs an error as app.ts and apollo.ts do ({ err }) with its message and codes, never its request, response or token', () => {
  const { logger, text, lines } = memoryLogger('info');
  const request = createPipelineRequest({ url: 'https://graph.microsoft.com/beta/x', headers: createHttpHeaders({ authorization: BEARER }) });
  const rest = new RestError('Graph answered 400', {
    code: 'BadRequest',
    statusCode: 400,
    request,
    response: { status: 400, headers: createHttpHeaders({ 'set-cookie': 'session=cookie-secret' }), request, bodyAsText: JSON.stringify({ activationCodes: [CODE] }) },
  });
  const redis = Object.assign(new Error('WRONGPASS invalid username-password pair'), { name: 'ReplyError', command: { name: 'auth', args: ['app', 'redis-pass-secret'] } });
  const own = Object.assign(new Error('token refused'), { token: 'error-token-secret', accessToken: 'error-access-secret', kind: 'unauthenticated', status: 401 });
  const failure = new AggregateError([own], 'all failed');
  for (const err of [rest, redis, own, failure]) logger.error({ err, requestId: 'r-1' }, 'request failed');
  logger.warn({ err: redis, lock: 'pool-1' }, 'Could not release a pool lock');
  logger.error(own);
  const out = text();
  for (const secret of [BEARER, 'secret-token-body', 'cookie-secret', CODE.matchingIdentifier, 'redis-pass-secret', 'error-token-secret', 'error-access-secret']) {
    expect(out).not.toContain(secret);
  }
  const [restLine, redisLine, ownLine] = lines().map((line) => line.err as Record<string, unknown>);
  expect(restLine).toMatchObject({ type: 'RestError', message: 'Graph answered 400', code: 'BadRequest', statusCode: 400 });
  expect(redisLine).toMatchObject({ name: 'ReplyError', message: 'WRONGPASS invalid username-password pair' });
  expect(ownLine).toMatchObject({ message: 'token refused', kind: 'unauthenticated', status: 401 });
  expect(String(ownLine.stack)).toContain('log-redaction.test.ts');
  // The logged error itself is left as it was.
  expect(own.token).toBe('error-token-secret');
});

it('censors credential headers of logged headers and requests, keeping the others', () => {
  const { logger, text } = memoryLogger('info');
  const secretHeaders = { authorization: BEARER, 'router-authorization': ROUTER, Cookie: 'session=cookie-secret', 'set-cookie': 'sc-secret' };
  logger.info({ req: { method: 'POST', headers: { ...secretHeaders, accept: 'application/json' } }, headers: secretHeaders }, 'm');
  logger.child({ headers: secretHeaders }).info('child');
  const out = text();
  for (const value of [BEARER, ROUTER, 'cookie-secret', 'sc-secret']) expect(out).not.toContain(value);
  expect(out).toContain('application/json');
  expect(out).toContain('"method":"POST"');
  expect(out.split('[redacted]').length - 1).toBe(12);
});

it('censors the credential keys, GraphQL variables and activation codes, in a line and in child bindings', () => {
  const { logger, text } = memoryLogger('trace');
  const secrets = { token: 'tok-secret', accessToken: 'access-secret', authorization: BEARER, assertion: 'assertion-secret', clientSecret: 'client-secret', routerSecret: ROUTER, password: 'pw-secret' };
  logger.info({ ...secrets, requestId: 'r-2' }, 'line');
  logger.child(secrets).child({ component: 'auth' }).info('grandchild');
  logger.trace({ activationCodes: [CODE] }, 'top level');
  logger.trace({ variables: { input: { activationCodes: [CODE] } } }, 'GraphQL variables');
  logger.child({ input: { displayName: 'Pool', activationCodes: [CODE] } }).trace('a child binding');
  const out = text();
  for (const value of [...Object.values(secrets), ...Object.values(CODE)]) expect(out).not.toContain(value);
  expect(out).toContain('"requestId":"r-2"');
  expect(out).toContain('"displayName":"Pool"');
  expect(out).toContain('"component":"auth"');
});
