/**
 * `scripts/gateway.mjs` (what `npm run gateway` runs) as a child process: Hive Gateway's ESM build with its
 * response cache, over a supergraph composed by scripts/compose-supergraph.ts and routed to the test's subgraphs.
 * (The gateway runtime's CommonJS build fails on a subgraph's Cache-Control header with the response cache on, so
 * the cache is tried through the ESM build, as users run it.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { composeSupergraph } from '../../scripts/compose-supergraph';
import type { CacheHintSettings } from '../../src/graphql/cache-hints';
import { postGraphQL, type GraphQLReply } from '../support/stack';

const ROOT = resolve(__dirname, '..', '..');

export interface GatewayProcess {
  url: string;
  graphql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLReply>;
  stop(): Promise<void>;
}

export interface GatewayProcessOptions {
  esimPoolsUrl: string;
  /** The directory to route to; unset: the script starts examples/directory-subgraph itself. */
  directoryUrl?: string;
  hints: CacheHintSettings;
  routerSecret?: string;
}

export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'esim-gateway-'));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, composeSupergraph({ hints: options.hints }).supergraphSdl);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    SUPERGRAPH: supergraphPath,
    ESIM_POOLS_URL: options.esimPoolsUrl,
    GATEWAY_PORT: '0',
    DIRECTORY_PORT: '0',
    HIVE_LOG: 'error',
    ...(options.directoryUrl ? { DIRECTORY_URL: options.directoryUrl } : {}),
    ...(options.routerSecret ? { ROUTER_SECRET: options.routerSecret } : {}),
  };
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'scripts', 'gateway.mjs')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /Hive Gateway on (http:\/\/\S+\/graphql)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited (${code}):\n${output}`));
    });
  });
  return {
    url,
    graphql: (query, variables, headers) => postGraphQL(url, query, variables, headers),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
