/**
 * Execution with graphql-jit through Apollo's gateway interface; graphql-js, with the same answers, where jit does
 * not apply: not compiled yet, not compilable, per-field hooks, variable errors (docs/performance.md).
 */
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import { execute, GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import { isRecord } from '../graph/json';
import { documentBytes } from './document-size';

/** The description of Apollo's symbol for per-field hooks on a request's context (schemaInstrumentation.ts). */
const FIELD_HOOKS = 'apolloServerExecutionDispatcherWillResolveField';

/** Whether a plugin asked Apollo for per-field hooks on this request (jit would not call them). */
function wantsFieldHooks(contextValue: object): boolean {
  for (const symbol of Object.getOwnPropertySymbols(contextValue)) if (symbol.description === FIELD_HOOKS) return true;
  return false;
}

/** Apollo's gateway interface (its package is @apollo/server's own dependency, reached through its options). */
type GatewayInterface = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type GatewayExecutor = NonNullable<Awaited<ReturnType<GatewayInterface['load']>>['executor']>;

type Compiled = CompiledQuery | 'graphql-js';

/** jit's errors as graphql-js makes them (jit leaves `extensions` undefined where Apollo expects an object). */
function asGraphQLJsError(error: GraphQLError): GraphQLError {
  const normal = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions ?? undefined });
  // graphql-js computes locations from nodes, which jit does not keep; its locations are the same numbers.
  if (error.locations !== undefined) Object.defineProperty(normal, 'locations', { value: error.locations, enumerable: true, writable: true, configurable: true });
  return normal;
}

/**
 * Sets to null, as graphql-js does, a list item graphql-jit 0.8.9 left unset because its promise rejected while an
 * earlier one was pending; touches only unset positions an error names.
 */
function nullRejectedItems(data: unknown, errors: readonly GraphQLError[]): void {
  for (const { path } of errors) {
    let node = data;
    for (const key of path ?? []) {
      if (Array.isArray(node) && typeof key === 'number' && node[key] === undefined) {
        node[key] = null;
        break;
      }
      node = Array.isArray(node) && typeof key === 'number' ? node[key] : isRecord(node) && typeof key === 'string' ? node[key] : undefined;
    }
  }
}

/** One validated operation to run, as Apollo hands it over. */
interface ExecutionRequest {
  document: DocumentNode;
  operationName?: string;
  variables?: Record<string, unknown>;
  contextValue: object;
}

interface CompiledExecutionOptions {
  /** Executions of a document by graphql-js before it is compiled (default 1: a document sent once is never compiled). */
  compileAfter?: number;
  /** Compiled documents kept, least recently used dropped first (default 1000): memory stays bounded. */
  maxCompiled?: number;
  /** Bytes of compiled documents kept (default 32 MiB): a document's size, and as much again per operation compiled. */
  maxCompiledBytes?: number;
}

/** `gateway` for `new ApolloServer({ gateway })` serves the schema and executes with `run`; `stats` counts since start. */
export function compiledExecution(schema: GraphQLSchema, options: CompiledExecutionOptions = {}) {
  const compileAfter = options.compileAfter ?? 1;
  /** Executions so far of documents not compiled yet (dropped with Apollo's cached document). */
  const seen = new WeakMap<DocumentNode, number>();
  /** Compiled operations by document (operation name, '' for the only one). */
  const compiledDocuments = new LRUCache<DocumentNode, Map<string, Compiled>>({
    max: options.maxCompiled ?? 1000,
    maxSize: options.maxCompiledBytes ?? 32 * 2 ** 20,
    sizeCalculation: (byName, document) => documentBytes(document) * (1 + byName.size),
  });
  /** Operations compiled, and executions per engine (for tests and diagnostics). */
  const stats = { compiled: 0, jit: 0, graphqlJs: 0 };

  function compiledFor(document: DocumentNode, operationName: string | undefined): Compiled | undefined {
    let byName = compiledDocuments.get(document);
    if (byName === undefined) {
      const executions = seen.get(document) ?? 0;
      if (executions < compileAfter) {
        seen.set(document, executions + 1);
        return undefined;
      }
      seen.delete(document);
      byName = new Map();
    }
    const key = operationName ?? '';
    let compiled = byName.get(key);
    if (compiled === undefined) {
      const result = compileQuery(schema, document, operationName, { disablingCapturingStackErrors: true });
      compiled = isCompiledQuery(result) ? result : 'graphql-js';
      if (compiled !== 'graphql-js') stats.compiled++;
      byName.set(key, compiled);
      // (Re)counted with its new operation; a document larger than the whole budget is run, not kept.
      compiledDocuments.set(document, byName);
    }
    return compiled;
  }

  async function graphqlJs({ document, operationName, variables, contextValue }: ExecutionRequest): Promise<ExecutionResult> {
    stats.graphqlJs++;
    return execute({ schema, document, contextValue, variableValues: variables, operationName });
  }

  async function run(request: ExecutionRequest): Promise<ExecutionResult> {
    const compiled = compiledFor(request.document, request.operationName);
    if (compiled === undefined || compiled === 'graphql-js' || wantsFieldHooks(request.contextValue)) return graphqlJs(request);
    stats.jit++;
    const result = await compiled.query(undefined, request.contextValue, request.variables);
    // Stopped before any resolver ran (its variables): graphql-js's messages, from the same inputs.
    if (result.data === undefined && (result.errors?.length ?? 0) > 0) return graphqlJs(request);
    if (result.errors === undefined) return result;
    nullRejectedItems(result.data, result.errors);
    // graphql-js's order of keys (errors first), so that answers are the same bytes whichever engine ran.
    return { errors: result.errors.map(asGraphQLJsError), data: result.data };
  }

  const executor: GatewayExecutor = ({ document, request, context }) =>
    run({ document, operationName: request.operationName, variables: request.variables, contextValue: context });
  const gateway: GatewayInterface = {
    load: async () => ({ executor }),
    onSchemaLoadOrUpdate(callback) {
      // A fixed schema: told once, never updated.
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    stop: async () => undefined,
  };
  return { gateway, run, stats };
}
