/** Configuration tests: what loadConfig says about a bad environment; the configuration other tests start from. */
import { ConfigError, loadConfig } from '../../src/config';

/** The configuration of an empty environment: loadConfig's defaults (emulator mode, development). */
export const DEFAULT_CONFIG = loadConfig({});

/** The message of the ConfigError `env` raises; fails the test when it raises none (or another error). */
export function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
