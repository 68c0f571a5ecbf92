/**
 * An in-process stack for integration tests: the Graph emulator and the subgraph, both on real loopback HTTP.
 */
import { request } from 'undici';
import type { CredentialSource } from '../../src/graph/pipeline/token';
import { startGraphEmulator, type GraphEmulator, type StartEmulatorOptions } from '@esim-pools/graph-emulator';
import { GraphClient, type GraphClientOptions } from '../../src/graph/client';
import { EmulatorCredential } from '../../src/identity/credential';
import type { AuthGate } from '../../src/auth/gate';
import { createLogger, type Logger } from '../../src/observability/logger';
import { createApp, type App, type AppConfig, type AppOptions } from '../../src/http/app';
import type { TargetCheckMode } from '../../src/graphql/targets';
import { DEFAULT_CONFIG } from './config';

export interface GraphQLReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }>;
    extensions?: Record<string, unknown>;
  };
}

export interface Stack {
  emulator: GraphEmulator;
  app: App;
  graph: GraphClient;
  url: string;
  graphql: (query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => Promise<GraphQLReply>;
  stop(): Promise<void>;
}

export interface StackOptions {
  emulator?: StartEmulatorOptions;
  client?: Partial<GraphClientOptions>;
  /** A credential, or a factory of new instances (see CachedToken.reject). */
  credential?: CredentialSource;
  /** Sections of the app's configuration replacing DEFAULT_CONFIG's. */
  config?: Partial<AppConfig>;
  /** Inbound authentication, built on the stack's Graph client (see test/support/auth.ts). */
  auth?: (graph: GraphClient) => AuthGate | undefined;
  logger?: Logger;
  /** Edit locks, audit trail and history of the app (default: createApp's); lock wait and bulk timeout (the config's). */
  edits?: Pick<AppOptions, 'coordination' | 'audit' | 'history'> & { lockWaitMs?: number; bulkTimeoutMs?: number };
  /**
   * Target checks of writes; default `off` here: the suites written before them send made-up group and filter ids
   * (the target-check suites turn them on). The app's own default is strict.
   */
  targetChecks?: { mode: TargetCheckMode; cacheSeconds?: number };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const emulator = await startGraphEmulator(options.emulator);
  const graph = new GraphClient(emulator.url, options.credential ?? new EmulatorCredential(), {
    scope: 'https://graph.microsoft.com/.default',
    timeoutMs: 10_000,
    // Fast, deterministic backoff in tests.
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    ...options.client,
  });
  const auth = options.auth?.(graph);
  const { lockWaitMs, bulkTimeoutMs, ...edits } = options.edits ?? {};
  const app = await createApp({
    config: {
      ...DEFAULT_CONFIG,
      // The app's lock wait is GRAPH_TIMEOUT_MS's.
      graph: { timeoutMs: lockWaitMs ?? DEFAULT_CONFIG.graph.timeoutMs },
      edits: {
        targetChecks: options.targetChecks?.mode ?? 'off',
        targetCheckCacheSeconds: options.targetChecks?.cacheSeconds ?? DEFAULT_CONFIG.edits.targetCheckCacheSeconds,
        bulkTimeoutMs: bulkTimeoutMs ?? DEFAULT_CONFIG.edits.bulkTimeoutMs,
      },
      ...options.config,
    },
    graph,
    logger: options.logger ?? createLogger('silent'),
    auth,
    ...edits,
  });
  const address = await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${address.port}/graphql`;
  return {
    emulator,
    app,
    graph,
    url,
    graphql: (query, variables, headers) => postGraphQL(url, query, variables, headers),
    async stop() {
      await app.close(1000);
      auth?.close();
      await graph.close();
      await emulator.close();
    },
  };
}

/**
 * The jest fixture of a suite on one stack: started before the file's tests, stopped after them, the emulator
 * reset before each test. Read `stack` inside tests or hooks.
 */
export function useStack(options: StackOptions = {}): { readonly stack: Stack } {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(options);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(() => stack?.emulator.reset());
  return {
    get stack() {
      if (stack === undefined) throw new Error('useStack: no stack yet (read it inside a test or hook)');
      return stack;
    },
  };
}

export async function postGraphQL(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLReply> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.body.text();
  let body: GraphQLReply['body'];
  try {
    body = JSON.parse(text) as GraphQLReply['body'];
  } catch {
    throw new Error(`non-JSON reply ${res.statusCode}: ${text.slice(0, 200)}`);
  }
  return { status: res.statusCode, headers: res.headers, body };
}
