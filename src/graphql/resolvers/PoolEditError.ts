import type { PoolEditErrorResolvers } from '../../generated/graphql';

export const PoolEditError: PoolEditErrorResolvers = {
  poolId: (parent) => parent.poolId,
  code: (parent) => parent.code,
  message: (parent) => parent.message,
  retryAfterSeconds: (parent) => parent.retryAfterSeconds ?? null,
};
