import { retryAttemptPolicy } from '../../../../../src/graph/pipeline/policies/retryAttemptPolicy';
import { callOf } from '../../../../../src/graph/pipeline/request';
import { request, response, scriptedNext } from '../../../../support/pipeline';

it('stamps Retry-Attempt on each repeat (not on the first attempt) and counts retries and 429 replies', async () => {
  const policy = retryAttemptPolicy();
  const next = scriptedNext(response(429), response(503), response(200));
  const req = request();
  for (let i = 0; i < 3; i++) await policy.sendRequest(req, next);
  expect(next.seen.map((a) => [a.retries, a.headers['retry-attempt']])).toEqual([
    [0, undefined],
    [1, '1'],
    [2, '2'],
  ]);
  expect([callOf(req).retries, callOf(req).throttled]).toEqual([2, 1]);
});
