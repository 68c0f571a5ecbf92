/** Configuration tests: what loadConfig says about a bad environment. */
import { ConfigError, loadConfig } from '../../src/config';

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
