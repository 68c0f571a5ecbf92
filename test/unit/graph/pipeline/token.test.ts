/**
 * CachedToken with a scripted credential: sharing, the acquisition's own timeout, background refresh with the
 * still-valid token as fallback, background recovery, and a token Graph rejected. (The same behaviour against the
 * real @azure/identity and the local IdP: test/integration/tokens.test.ts.)
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { CachedToken, type TokenEvent } from '../../../../src/graph/pipeline/token';
import { rejection } from '../../../support/pipeline';

const SCOPE = 'https://graph.microsoft.com/.default';

/** Numbered tokens valid for `lifetimeMs`; `mode` fails or never answers. Records the options of each request. */
class ScriptedCredential implements TokenCredential {
  static instances = 0;
  readonly instance = ++ScriptedCredential.instances;
  calls = 0;
  mode: 'ok' | 'fail' | 'hang' = 'ok';
  readonly seen: GetTokenOptions[] = [];
  constructor(private readonly lifetimeMs = 3600_000) {}
  async getToken(_scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken> {
    this.calls++;
    this.seen.push(options);
    await new Promise((resolve) => setImmediate(resolve));
    if (this.mode === 'hang') return new Promise<AccessToken>(() => undefined);
    if (this.mode === 'fail') throw Object.assign(new Error('unreachable'), { errorResponse: { error: 'temporarily_unavailable' } });
    return { token: `token-${this.instance}-${this.calls}`, expiresOnTimestamp: Date.now() + this.lifetimeMs };
  }
}

async function until(condition: () => boolean, what: string, maxWaitMs = 5000): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > maxWaitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Only Date is faked: the clock jumps, timers and promises run as usual. */
function fakeClock(): { advance(ms: number): void } {
  jest.useFakeTimers({
    now: Date.now(),
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
  return { advance: (ms) => jest.setSystemTime(Date.now() + ms) };
}
afterEach(() => jest.useRealTimers());

const value = async (got: Promise<AccessToken> | AccessToken): Promise<string> => (await got).token;

it('one acquisition is shared by concurrent callers, then the token is served from the cache', async () => {
  const credential = new ScriptedCredential();
  const acquired: number[] = [];
  const token = new CachedToken(credential, { scope: SCOPE, onTokenAcquired: () => acquired.push(1) });
  const [a, b] = await Promise.all([value(token.get()), value(token.get())]);
  expect(await value(token.get())).toBe(a);
  expect(b).toBe(a);
  expect(credential.calls).toBe(1);
  expect(acquired).toHaveLength(1);
  // CAE on, as the Azure SDK's bearer policy: Graph may then answer with claims challenges.
  expect(credential.seen[0]).toMatchObject({ enableCae: true });
});

it('a hanging acquisition times out; the next caller starts a fresh one instead of waiting on the old', async () => {
  const credential = new ScriptedCredential();
  credential.mode = 'hang';
  const events: TokenEvent[] = [];
  const token = new CachedToken(credential, { scope: SCOPE, tokenTimeoutMs: 50, onTokenEvent: (e) => events.push(e) });
  expect(await rejection(token.get())).toMatchObject({ name: 'TimeoutError' });
  expect(token.healthy).toBe(false);
  expect(events).toContainEqual({ type: 'acquisition-failed', reason: 'timeout', background: false, retryInMs: undefined });
  credential.mode = 'ok';
  expect(await value(token.get())).toBe(`token-${credential.instance}-2`);
  expect(credential.calls).toBe(2);
  expect(token.healthy).toBe(true);
});

it("a waiting caller gets its own signal's reason (the call's deadline) while the acquisition goes on", async () => {
  const credential = new ScriptedCredential();
  credential.mode = 'hang';
  const token = new CachedToken(credential, { scope: SCOPE, tokenTimeoutMs: 60_000 });
  const deadline = new AbortController();
  const waiting = rejection(token.get(deadline.signal));
  deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  expect(await waiting).toMatchObject({ name: 'TimeoutError' });
  token.close();
});

it('refreshes early in the background; a failed refresh keeps serving the valid token, and health stays up', async () => {
  const clock = fakeClock();
  const credential = new ScriptedCredential(3600_000);
  const token = new CachedToken(credential, { scope: SCOPE, random: () => 0 });
  const first = await value(token.get());
  clock.advance(3600_000 - 4 * 60_000); // inside the 5-minute refresh window
  credential.mode = 'fail';
  expect(await value(token.get())).toBe(first); // served at once; the refresh runs behind it
  await until(() => credential.calls === 2, 'the background refresh');
  await new Promise((resolve) => setImmediate(resolve));
  expect(await value(token.get())).toBe(first);
  expect(token.healthy).toBe(true);
  // After a failure, refreshes back off instead of following every call.
  expect(credential.calls).toBe(2);
});

it('a background refresh replaces the token once it succeeds; a short-lived token is not refreshed on every call', async () => {
  const clock = fakeClock();
  const credential = new ScriptedCredential(120_000); // due at once: it lives less than the 5-minute window
  const token = new CachedToken(credential, { scope: SCOPE });
  const first = await value(token.get());
  expect(await value(token.get())).toBe(first);
  expect(credential.calls).toBe(1); // held back for a tenth of its life
  clock.advance(12_001);
  expect(await value(token.get())).toBe(first);
  await until(() => credential.calls === 2, 'the background refresh');
  await until(() => (token.get() as AccessToken).token !== first, 'the refreshed token');
  expect(credential.calls).toBe(2);
});

it('recovery: after a failure with no token left, acquisitions go on in the background until one succeeds', async () => {
  const credential = new ScriptedCredential();
  credential.mode = 'fail';
  const events: TokenEvent[] = [];
  const token = new CachedToken(credential, {
    scope: SCOPE,
    tokenRecovery: { initialDelayMs: 5, maxDelayMs: 20 },
    onTokenEvent: (e) => events.push(e),
  });
  await rejection(token.get());
  expect(token.healthy).toBe(false);
  // Two background attempts failed (counted by their events: a call counted at its start may not have failed yet).
  await until(() => events.filter((e) => e.type === 'acquisition-failed' && e.background).length >= 2, 'background attempts');
  expect(token.healthy).toBe(false);
  credential.mode = 'ok';
  await until(() => token.healthy, 'recovery without callers');
  expect(events).toContainEqual({ type: 'recovered' });
  const calls = credential.calls;
  expect((token.get() as AccessToken).token).toMatch(/^token-/); // cached: no call
  expect(credential.calls).toBe(calls);
  token.close();
});

it('a rejected token is never served again; the next one comes from a new credential instance', async () => {
  const instances: ScriptedCredential[] = [];
  const token = new CachedToken(
    () => {
      const credential = new ScriptedCredential();
      instances.push(credential);
      return credential;
    },
    { scope: SCOPE },
  );
  const first = await value(token.get());
  expect(await value(token.get())).toBe(first);
  token.reject(first, false);
  const second = await value(token.get());
  expect(second).not.toBe(first);
  expect(instances).toHaveLength(2);
  expect(await value(token.get())).toBe(second);
});

it('forClaims asks with the claims (MSAL then skips its cache) and keeps the new token', async () => {
  const credential = new ScriptedCredential();
  const token = new CachedToken(credential, { scope: SCOPE });
  const first = await value(token.get());
  token.reject(first, true);
  const claims = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}';
  const [a, b] = await Promise.all([value(token.forClaims(claims)), value(token.forClaims(claims))]);
  expect(a).toBe(b);
  expect(credential.seen.filter((o) => o.claims === claims)).toHaveLength(1);
  expect(await value(token.get())).toBe(a);
});
