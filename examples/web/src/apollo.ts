/** The Apollo Client of the page: the subgraph at /graphql (same origin: the dev server proxies it). */
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import possibleTypes from './gql/possible-types';

export function createClient(uri = '/graphql'): ApolloClient {
  return new ApolloClient({
    // A JSON POST satisfies the subgraph's CSRF prevention (Apollo Server's `csrfPrevention`).
    link: new HttpLink({ uri }),
    cache: new InMemoryCache({
      typePolicies: {
        // "Load more" appends the next page of the Relay connection instead of replacing the list.
        Query: { fields: { embeddedSIMActivationCodePools: relayStylePagination() } },
        // An edit's payload carries the pool's whole assignment set after the edit: it replaces the cached list
        // (a removed assignment must disappear), and Apollo does not warn that it is dropping the old one.
        // A refetched page of the history replaces the shown one (the newest entries).
        EmbeddedSIMActivationCodePool: { fields: { assignments: { merge: false }, assignmentHistory: { merge: false } } },
      },
      possibleTypes: possibleTypes.possibleTypes,
    }),
  });
}
