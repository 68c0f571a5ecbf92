import { Agent, request } from 'undici';
import { startGraphEmulator, type GraphEmulator, type StartEmulatorOptions } from '../src';

export const POOLS = '/beta/deviceManagement/embeddedSIMActivationCodePools';
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Res {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Parsed JSON body, or undefined if the body is empty or not JSON. */
  json: unknown;
}

export interface CallOptions {
  /** Bearer token; null → no Authorization header. Default 'test-token'. */
  token?: string | null;
  /** JSON-serialised unless it is a string. */
  body?: unknown;
  headers?: Record<string, string>;
  headersTimeout?: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function rec(v: unknown): Record<string, unknown> {
  if (!isObject(v)) throw new Error(`expected an object, got ${JSON.stringify(v)}`);
  return v;
}

export function arr(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new Error(`expected an array, got ${JSON.stringify(v)}`);
  return v;
}

export function str(v: unknown): string {
  if (typeof v !== 'string') throw new Error(`expected a string, got ${JSON.stringify(v)}`);
  return v;
}

/** `{"error":{"code","message","innerError"}}` → the error object. */
export function graphErrorOf(res: Res): { code: string; message: string; innerError: Record<string, unknown> } {
  const e = rec(rec(res.json).error);
  return { code: str(e.code), message: str(e.message), innerError: rec(e.innerError) };
}

export class Client {
  readonly agent = new Agent({ keepAliveTimeout: 1000, connections: 32 });
  constructor(private readonly base: () => string) {}

  async call(method: string, path: string, opts: CallOptions = {}): Promise<Res> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? 'test-token' : opts.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      if (headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    }
    const r = await request(this.base() + path, {
      method,
      headers,
      body,
      dispatcher: this.agent,
      headersTimeout: opts.headersTimeout,
    });
    const text = await r.body.text();
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) {
      if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    let json: unknown;
    try {
      json = text.length > 0 ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      json = undefined;
    }
    return { status: r.statusCode, headers: out, text, json };
  }

  get(path: string, opts?: CallOptions): Promise<Res> {
    return this.call('GET', path, opts);
  }

  post(path: string, body: unknown, opts: CallOptions = {}): Promise<Res> {
    return this.call('POST', path, { ...opts, body });
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

export function clientFor(getEmu: () => GraphEmulator): Client {
  return new Client(() => getEmu().url);
}

/** One emulator for the whole test file, and a client for it. */
export interface EmulatorFixture {
  /** The running emulator (valid from beforeAll on). */
  readonly emu: GraphEmulator;
  readonly client: Client;
}

/**
 * Starts one emulator before the file's tests and closes it (and the client) after them. By default
 * each test starts from the start state (`reset()` before each), so tests do not leak into each other.
 */
export function useEmulator(opts: StartEmulatorOptions = {}, { resetEach = true }: { resetEach?: boolean } = {}): EmulatorFixture {
  let current: GraphEmulator | undefined;
  const get = (): GraphEmulator => {
    if (current === undefined) throw new Error('the emulator is not started yet (use it inside a test or hook)');
    return current;
  };
  const client = clientFor(get);
  beforeAll(async () => {
    current = await startGraphEmulator(opts);
  });
  afterAll(async () => {
    await client.close();
    await current?.close();
  });
  if (resetEach) beforeEach(() => get().reset());
  return {
    get emu() {
      return get();
    },
    client,
  };
}

/** Runs `fn` against a separate, short-lived emulator (closed, with its client, whatever happens). */
export async function withEmulator<T>(opts: StartEmulatorOptions, fn: (emu: GraphEmulator, client: Client) => Promise<T>): Promise<T> {
  const emu = await startGraphEmulator(opts);
  const client = clientFor(() => emu);
  try {
    return await fn(emu, client);
  } finally {
    await client.close();
    await emu.close();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
