import { GraphError, graphErrorFromReply, isGraphError, redactedBodyError } from '../../../src/graph/errors';

describe('graphErrorFromReply', () => {
  it("reads Graph's error body", () => {
    const body = JSON.stringify({
      error: {
        code: 'ResourceNotFound',
        message: 'Resource not found',
        innerError: { 'request-id': 'r-1', 'client-request-id': 'c-1', date: '2026-11-28T12:00:00' },
      },
    });
    const error = graphErrorFromReply(404, body, {});
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({
      kind: 'http',
      status: 404,
      code: 'ResourceNotFound',
      message: 'Resource not found',
      requestId: 'r-1',
      clientRequestId: 'c-1',
      date: '2026-11-28T12:00:00',
    });
  });

  it('prefers the reply headers for ids', () => {
    const body = JSON.stringify({ error: { code: 'X', message: 'm', innerError: { 'request-id': 'body-id' } } });
    expect(graphErrorFromReply(400, body, { requestId: 'header-id' }).requestId).toBe('header-id');
  });

  it('never echoes a non-Graph body such as an HTML gateway page', () => {
    const html = '<html><body>502 Bad Gateway at https://internal.example/upstream</body></html>';
    const error = graphErrorFromReply(502, html, {});
    expect(error.message).toBe('Microsoft Graph answered HTTP 502 without a Graph error body.');
    expect(error.code).toBe('NonGraphErrorBody');
    expect(error.message).not.toContain('internal.example');
  });

  it('marks 429 as throttled with the wait', () => {
    const error = graphErrorFromReply(429, '', { retryAfterSeconds: 3 });
    expect(error.kind).toBe('throttled');
    expect(error.retryAfterSeconds).toBe(3);
  });

  it('truncates very long Graph messages', () => {
    const body = JSON.stringify({ error: { code: 'BadRequest', message: 'x'.repeat(5000) } });
    expect(graphErrorFromReply(400, body, {}).message.length).toBeLessThanOrEqual(301);
  });
});

describe('isGraphError', () => {
  it('tells GraphErrors from other errors', () => {
    expect(isGraphError(new GraphError('m', { kind: 'timeout' }))).toBe(true);
    expect(isGraphError(new Error('m'))).toBe(false);
    expect(isGraphError({ kind: 'timeout' })).toBe(false);
    expect(isGraphError(null)).toBe(false);
  });
});

describe('redactedBodyError (a reply to a request that carried activation codes)', () => {
  const iccid = '89014103211118510720';
  const from = (status: number, message: string, code = 'BadRequest') =>
    graphErrorFromReply(status, JSON.stringify({ error: { code, message, innerError: { 'request-id': 'r-9' } } }), { clientRequestId: 'c-9' });

  it("drops Graph's text, keeps status, code and ids, and names the property Graph named", () => {
    const error = redactedBodyError(from(400, `activationCodes[12].integratedCircuitCardIdentifier: ICCID ${iccid} exists`), 'the new pool');
    expect(error.message).not.toContain(iccid);
    expect(error).toMatchObject({ kind: 'http', status: 400, code: 'BadRequest', requestId: 'r-9', clientRequestId: 'c-9', field: 'activationCodes[12].integratedCircuitCardIdentifier' });
    expect(error.message).toContain('activationCodes[12].integratedCircuitCardIdentifier');
  });

  it('an index alone, the display name, or nothing it can name', () => {
    expect(redactedBodyError(from(400, `activationCodes[3] (${iccid}) is a duplicate`), 'x').field).toBe('activationCodes[3]');
    expect(redactedBodyError(from(400, 'displayName: too long'), 'x').field).toBe('displayName');
    const plain = redactedBodyError(from(409, `${iccid} already imported`), 'x');
    expect(plain.field).toBeUndefined();
    expect(plain.message).not.toContain(iccid);
  });

  it('an error code that is not a plain identifier is dropped too; non-HTTP errors pass unchanged', () => {
    expect(redactedBodyError(from(400, 'bad', `Duplicate ${iccid}!`), 'x').code).toBeUndefined();
    const timeout = new GraphError('Microsoft Graph did not answer in time.', { kind: 'timeout' });
    expect(redactedBodyError(timeout, 'x')).toBe(timeout);
  });
});
