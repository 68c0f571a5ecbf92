/** The verified caller of a request (`Context.principal`), from an Entra ID access token's claims; holds no token. */
import type { JWTPayload } from 'jose';

export interface Principal {
  /** Object id of the user (delegated token) or of the calling app's service principal (app token). */
  oid?: string;
  tid?: string;
  /** The `sub` claim. */
  subject?: string;
  /** The client application that got the token (`azp` in v2 tokens, `appid` in v1). */
  appId?: string;
  /** True for an application (client credentials) token: no user, permissions in `roles`. */
  isApp: boolean;
  /** Delegated scopes (`scp`, space-separated) of a user token, or app roles (`roles`) of an application token. */
  permissions: ReadonlySet<string>;
  /** The token's `exp`, epoch seconds. */
  expiresAt: number;
}

/** The permission names that gate operations: any allows queries, `assign` the assignment mutations, `manage` the pool lifecycle. */
export type PermissionNames = Record<'read' | 'assign' | 'manage', string>;

export const DEFAULT_PERMISSIONS: Readonly<PermissionNames> = { read: 'EsimPools.Read', assign: 'EsimPools.Assign', manage: 'EsimPools.Manage' };

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/** The principal of verified claims: an app token (`idtyp: app`, or no `scp`) grants through `roles`, a user's through `scp`. */
export function principalFromClaims(claims: JWTPayload): Principal {
  const scp = str(claims.scp);
  const isApp = claims.idtyp === 'app' || scp === undefined;
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  return {
    oid: str(claims.oid),
    tid: str(claims.tid),
    subject: str(claims.sub),
    appId: str(claims.azp) ?? str(claims.appid),
    isApp,
    permissions: new Set(isApp ? roles : scp.split(' ').filter((s) => s.length > 0)),
    expiresAt: typeof claims.exp === 'number' ? claims.exp : 0,
  };
}
