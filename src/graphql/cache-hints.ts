/**
 * The schema's `@cacheControl` hints as this deployment serves them (every `maxAge` CACHE_MAX_AGE_S, `PRIVATE` in
 * on-behalf-of mode), rewritten in the SDL so that every reader agrees (docs/federation.md, "Cache hints").
 */
import { Kind, visit, type ArgumentNode, type DirectiveNode, type DocumentNode } from 'graphql';

export interface CacheHintSettings {
  /** The max age of every hint that sets one (seconds; 0: nothing is cacheable). */
  maxAgeS: number;
  /** Every hint `scope: PRIVATE`. */
  privateScope: boolean;
}

function withArgument(args: readonly ArgumentNode[], name: string, value: ArgumentNode['value']): ArgumentNode[] {
  const rest = args.filter((a) => a.name.value !== name);
  return [...rest, { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: name }, value }];
}

/** `typeDefs` with its `@cacheControl` applications set to `settings` (definitions and other directives unchanged). */
export function applyCacheHints(typeDefs: DocumentNode, settings: CacheHintSettings): DocumentNode {
  return visit(typeDefs, {
    Directive(node: DirectiveNode): DirectiveNode | undefined {
      if (node.name.value !== 'cacheControl') return undefined;
      let args = node.arguments ?? [];
      if (args.some((a) => a.name.value === 'maxAge')) args = withArgument(args, 'maxAge', { kind: Kind.INT, value: String(settings.maxAgeS) });
      if (settings.privateScope) args = withArgument(args, 'scope', { kind: Kind.ENUM, value: 'PRIVATE' });
      return { ...node, arguments: args };
    },
  });
}
