import { loadConfig } from '../../src/config';
import { configError } from '../support/config';

describe('loadConfig', () => {
  it('defaults to the emulator with no Azure variables', () => {
    const config = loadConfig({});
    expect(config.graph.authMode).toBe('emulator');
    expect(config.port).toBe(4000);
    expect(config.introspection).toBe(true);
    expect(config.graph.baseUrl).toBe('https://graph.microsoft.com');
    expect(config.graph.scope).toBe('https://graph.microsoft.com/.default');
  });

  it("defaults the Graph settings to the values docs/configuration.md's table promises", () => {
    expect(loadConfig({}).graph).toMatchObject({
      timeoutMs: 30_000,
      retry: { maxRetries: 3 },
      maxConnections: 32,
      connectTimeoutMs: 10_000,
      bulkhead: { maxConcurrent: 64, maxQueue: 256, maxWaitMs: 5_000 },
      writeBudget: { limit: 100, windowMs: 20_000, maxWaitMs: 2_000 },
    });
    expect(loadConfig({ GRAPH_WRITE_WINDOW_SECONDS: '60' }).graph.writeBudget.windowMs).toBe(60_000);
  });

  it.each([
    ['global', 'https://graph.microsoft.com', 'https://login.microsoftonline.com'],
    ['usgov', 'https://graph.microsoft.us', 'https://login.microsoftonline.us'],
    ['usgovdod', 'https://dod-graph.microsoft.us', 'https://login.microsoftonline.us'],
    ['china', 'https://microsoftgraph.chinacloudapi.cn', 'https://login.chinacloudapi.cn'],
  ])('GRAPH_CLOUD=%s picks the Graph and authority hosts', (cloud, graph, authority) => {
    const config = loadConfig({ GRAPH_CLOUD: cloud });
    expect(config.graph.baseUrl).toBe(graph);
    expect(config.graph.scope).toBe(`${graph}/.default`);
    expect(config.azure.authorityHost).toBe(authority);
  });

  it('IDEMPOTENCY_TTL_S: a day by default, at least a minute, at most 30 days', () => {
    expect(loadConfig({}).idempotencyTtlS).toBe(86_400);
    expect(loadConfig({ IDEMPOTENCY_TTL_S: '3600' }).idempotencyTtlS).toBe(3600);
    expect(configError({ IDEMPOTENCY_TTL_S: String(31 * 86_400) })).toContain('IDEMPOTENCY_TTL_S');
  });

  it('GRAPHQL_EXECUTOR: jit by default, graphql-js when asked, anything else refused by name', () => {
    expect(loadConfig({}).executor).toBe('jit');
    expect(loadConfig({ GRAPHQL_EXECUTOR: 'graphql-js' }).executor).toBe('graphql-js');
    expect(configError({ GRAPHQL_EXECUTOR: 'fast' })).toContain('GRAPHQL_EXECUTOR');
  });

  it('TARGET_CHECKS: strict by default, warn and off when asked, anything else refused by name; the cache and bulk time-out', () => {
    expect(loadConfig({}).edits).toEqual({ targetChecks: 'strict', targetCheckCacheSeconds: 30, bulkTimeoutMs: 60_000 });
    expect(loadConfig({ TARGET_CHECKS: 'warn', TARGET_CHECK_CACHE_S: '0', BULK_TIMEOUT_MS: '5000' }).edits).toEqual({
      targetChecks: 'warn',
      targetCheckCacheSeconds: 0,
      bulkTimeoutMs: 5000,
    });
    expect(loadConfig({ TARGET_CHECKS: 'off' }).edits.targetChecks).toBe('off');
    expect(configError({ TARGET_CHECKS: 'lenient' })).toContain('TARGET_CHECKS');
    expect(configError({ TARGET_CHECK_CACHE_S: '-1' })).toContain('TARGET_CHECK_CACHE_S');
    expect(configError({ BULK_TIMEOUT_MS: 'soon' })).toContain('BULK_TIMEOUT_MS');
  });

  it('GRAPH_BASE_URL overrides the host but not the token scope', () => {
    const config = loadConfig({ GRAPH_BASE_URL: 'https://graph-proxy.contoso.com/' });
    expect(config.graph.baseUrl).toBe('https://graph-proxy.contoso.com');
    expect(config.graph.scope).toBe('https://graph.microsoft.com/.default');
  });

  it('requires GRAPH_AUTH_MODE in production', () => {
    expect(configError({ NODE_ENV: 'production' })).toContain('GRAPH_AUTH_MODE');
    const config = loadConfig({ NODE_ENV: 'production', GRAPH_AUTH_MODE: 'emulator', HISTORY: 'off' });
    expect(config.introspection).toBe(false);
  });

  it('asks for a mode when Azure variables are set, naming them and assuming no mode', () => {
    const message = configError({ AZURE_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47' });
    expect(message).toContain('AZURE_TENANT_ID is set but GRAPH_AUTH_MODE is not: set GRAPH_AUTH_MODE=app');
    expect(message).toContain('or obo');
    // No requirement of a mode nobody chose (AUTH_AUDIENCE "required when GRAPH_AUTH_MODE=app").
    expect(message).not.toContain('when GRAPH_AUTH_MODE=');
    expect(message.trim().split('\n')).toHaveLength(2);
    const two = configError({ AZURE_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47', AZURE_CLIENT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db48' });
    expect(two).toContain('AZURE_TENANT_ID, AZURE_CLIENT_ID are set but GRAPH_AUTH_MODE is not');
  });

  it('production without a mode: only the mode is asked for', () => {
    const message = configError({ NODE_ENV: 'production', AZURE_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47' });
    expect(message).toContain('GRAPH_AUTH_MODE: must be set explicitly when NODE_ENV=production');
    expect(message).not.toContain('when GRAPH_AUTH_MODE=');
  });

  it('GRAPH_TOKEN_TIMEOUT_MS: 10 s by default, never beyond GRAPH_TIMEOUT_MS', () => {
    expect(loadConfig({}).graph.tokenTimeoutMs).toBe(10_000);
    expect(loadConfig({ GRAPH_TIMEOUT_MS: '4000' }).graph.tokenTimeoutMs).toBe(4000);
    expect(loadConfig({ GRAPH_TOKEN_TIMEOUT_MS: '2500' }).graph.tokenTimeoutMs).toBe(2500);
    expect(configError({ GRAPH_TIMEOUT_MS: '4000', GRAPH_TOKEN_TIMEOUT_MS: '5000' })).toContain(
      'GRAPH_TOKEN_TIMEOUT_MS: must not be longer than GRAPH_TIMEOUT_MS (4000 ms)',
    );
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ GRAPH_CLOUD: 'mars' }, 'GRAPH_CLOUD'],
    [{ GRAPH_BASE_URL: 'http://graph.example.com' }, 'GRAPH_BASE_URL'],
    [{ GRAPH_BASE_URL: 'not a url' }, 'GRAPH_BASE_URL'],
    [{ GRAPH_AUTH_MODE: 'app' }, 'AZURE_TENANT_ID'],
    [{ GRAPH_AUTH_MODE: 'app', AZURE_TENANT_ID: 'contoso' }, 'AZURE_TENANT_ID'],
    [{ GRAPH_TIMEOUT_MS: '5' }, 'GRAPH_TIMEOUT_MS'],
    [{ INTROSPECTION: 'maybe' }, 'INTROSPECTION'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ GRAPH_WRITE_LIMIT: '-1' }, 'GRAPH_WRITE_LIMIT'],
    [{ SHUTDOWN_DELAY_MS: 'soon' }, 'SHUTDOWN_DELAY_MS'],
    [{ IDEMPOTENCY_TTL_S: 'a day' }, 'IDEMPOTENCY_TTL_S'],
    [{ IDEMPOTENCY_TTL_S: '10' }, 'IDEMPOTENCY_TTL_S'],
  ])('names the bad variable %j', (env, name) => {
    expect(configError(env)).toContain(name);
  });

  it('never prints a secret value', () => {
    const message = configError({
      GRAPH_AUTH_MODE: 'app',
      AZURE_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      AZURE_CLIENT_SECRET: 'super-secret-value',
    });
    expect(message).toContain('AZURE_CLIENT_ID');
    expect(message).not.toContain('super-secret-value');
  });

  it('derives the OTLP traces URL and leaves tracing off by default', () => {
    expect(loadConfig({}).tracing.endpoint).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing.endpoint).toBe('http://collector:4318/v1/traces');
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/traces' }).tracing.endpoint,
    ).toBe('http://b:4318/traces');
  });

  it('accepts plain http only for localhost', () => {
    expect(loadConfig({ GRAPH_BASE_URL: 'http://127.0.0.1:4001' }).graph.baseUrl).toBe('http://127.0.0.1:4001');
    expect(loadConfig({ GRAPH_BASE_URL: 'http://localhost:4001' }).graph.baseUrl).toBe('http://localhost:4001');
  });
});

describe('loadConfig: coordination (REDIS_*) and the read budget', () => {
  it('is in process without REDIS_URL; the read budget defaults to Intune\'s 1000 per the writes\' window', () => {
    const config = loadConfig({});
    expect(config.coordination).toEqual({});
    expect(config.graph.readBudget).toEqual({ limit: 1000, windowMs: 20_000, maxWaitMs: 2_000 });
    expect(loadConfig({ GRAPH_READ_LIMIT: '0', GRAPH_WRITE_WINDOW_SECONDS: '10' }).graph.readBudget).toEqual({ limit: 0, windowMs: 10_000, maxWaitMs: 2_000 });
  });

  it('reads REDIS_URL and the other REDIS_* variables, the keys namespaced by tenant and client', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://127.0.0.1:6390/2',
      REDIS_PASSWORD: 'hunter2-hunter2',
      REDIS_LOCK_TTL_MS: '3000',
      REDIS_KEY_PREFIX: 'staging',
      GRAPH_AUTH_MODE: 'emulator',
      AZURE_TENANT_ID: '72F988BF-86F1-41AF-91AB-2D7CD011DB47',
    });
    expect(config.coordination.redis).toMatchObject({
      host: '127.0.0.1',
      port: 6390,
      db: 2,
      password: 'hunter2-hunter2',
      lockTtlMs: 3000,
      commandTimeoutMs: 500,
      keyPrefix: 'staging:72f988bf-86f1-41af-91ab-2d7cd011db47:',
    });
    expect(config.coordination.redis?.displayUrl).not.toContain('hunter2');
  });

  it.each([
    [{ REDIS_URL: 'http://cache:6379' }, 'REDIS_URL'],
    [{ REDIS_URL: 'redis://cache:6379', REDIS_LOCK_TTL_MS: '5' }, 'REDIS_LOCK_TTL_MS'],
    [{ REDIS_LOCK_TTL_MS: '3000' }, 'REDIS_LOCK_TTL_MS'],
    [{ GRAPH_READ_LIMIT: 'many' }, 'GRAPH_READ_LIMIT'],
  ])('%j is refused, naming %s', (env, name) => {
    expect(configError(env)).toMatch(new RegExp(`^Invalid configuration:\\n  ${name}: `, 'm'));
  });

  it('lists REDIS_* problems with the others, and never shows the password', () => {
    const message = configError({ PORT: 'eighty', REDIS_URL: 'redis://:hunter2-hunter2@cache:6379', REDIS_PASSWORD: 'hunter2-hunter2' });
    expect(message).toContain('\n  PORT: ');
    expect(message).toContain('\n  REDIS_PASSWORD: the password is already in REDIS_URL');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('Invalid coordination configuration');
  });
});
