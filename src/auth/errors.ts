/**
 * Why a request was turned away before any resolver ran (the HTTP handler answers 401/403/503 itself). Messages are
 * fixed text: never a token, a claim value, a secret or a library's message.
 */
import { ErrorCode } from '../graphql/errors';

const MESSAGES = {
  missing_token: 'Authentication required: send an access token as `Authorization: Bearer <token>`.',
  malformed_token: 'The access token is malformed.',
  algorithm_not_allowed: 'The access token is not signed with an accepted algorithm (RS256 only).',
  unknown_key: 'The access token is signed with a key the identity provider does not publish.',
  bad_signature: 'The access token signature is not valid.',
  expired: 'The access token has expired.',
  not_yet_valid: 'The access token is not valid yet.',
  wrong_audience: 'The access token is not meant for this API (audience).',
  wrong_issuer: 'The access token was not issued by a trusted issuer.',
  missing_claim: 'The access token lacks a required claim.',
  router_secret: 'This subgraph only accepts requests that come through the router.',
  app_token_in_obo_mode:
    'This subgraph calls Microsoft Graph as the signed-in user: it needs a user (delegated) token, not an application token.',
  keys_unavailable: "Access tokens cannot be verified right now: the identity provider's signing keys are unavailable. Retry later.",
} as const;

/** A machine-readable reason, also used in logs and metrics. */
export type AuthFailureReason = keyof typeof MESSAGES;

export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly status: 401 | 403 | 503;
  readonly code: ErrorCode;

  constructor(readonly reason: AuthFailureReason) {
    super(MESSAGES[reason]);
    this.status = reason === 'keys_unavailable' ? 503 : reason === 'app_token_in_obo_mode' ? 403 : 401;
    this.code = { 401: ErrorCode.Unauthenticated, 403: ErrorCode.Forbidden, 503: ErrorCode.UpstreamUnavailable }[this.status];
  }

  /** The `WWW-Authenticate` header for a 401 (RFC 6750 §3), none otherwise. */
  get wwwAuthenticate(): string | undefined {
    if (this.status !== 401) return undefined;
    if (this.reason === 'missing_token' || this.reason === 'router_secret') return 'Bearer';
    return `Bearer error="invalid_token", error_description="${this.message.replace(/[^\x20-\x7e]|["\\]/g, '')}"`;
  }
}

export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError;
}
