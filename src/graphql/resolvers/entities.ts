/** `_entities` by @apollo/subgraph's resolver; a bad `__typename` or non-GUID `id` is its own item's BAD_USER_INPUT. */
import { entitiesResolver } from '@apollo/subgraph/dist/types';
import { isUnionType, type GraphQLResolveInfo } from 'graphql';
import { isGuid, isRecord } from '../../graph/json';
import type { Context } from '../context';
import { badUserInput } from '../errors';

/** The router's representations: `{ __typename, …key fields }` each (the `_Any` scalar: anything, as far as graphql-js knows). */
interface EntitiesArgs {
  representations: readonly unknown[];
}

const MAX_NAME_LENGTH = 100;

/** What a representation's key value is, without quoting it. */
function kindOf(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'string') return 'a string that is not a GUID';
  return Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}

function entityTypeNames(info: GraphQLResolveInfo): ReadonlySet<string> {
  const entity = info.schema.getType('_Entity');
  return new Set(isUnionType(entity) ? entity.getTypes().map((type) => type.name) : []);
}

export function _entities(_parent: unknown, { representations }: EntitiesArgs, ctx: Context, info: GraphQLResolveInfo): unknown[] {
  const entities = entityTypeNames(info);
  return representations.map((representation, index): unknown => {
    const { __typename: typename, id } = isRecord(representation) ? representation : {};
    if (typeof typename !== 'string' || !entities.has(typename)) {
      const field = `representations[${index}].__typename`;
      const named = typeof typename === 'string' ? `"${typename.slice(0, MAX_NAME_LENGTH)}"` : 'no __typename';
      return badUserInput(`${field} is ${named}, which is not an entity type of this subgraph (${[...entities].join(', ')}).`, field);
    }
    // Every entity of this subgraph is keyed by `id`, a GUID (pools, groups): anything else is the caller's mistake.
    if (typeof id !== 'string' || !isGuid(id)) {
      const field = `representations[${index}].id`;
      return badUserInput(`${field} must be a GUID (the ${typename}'s id); it is ${kindOf(id)}.`, field);
    }
    // One at a time through the library's resolver: its cache hints, interfaces and __resolveReference as they are.
    const resolved: unknown = entitiesResolver({ representations: [representation], context: ctx, info });
    return Array.isArray(resolved) ? resolved[0] : undefined;
  });
}
