/**
 * The shared coordination store's settings (REDIS_*), parsed by src/coordination/settings.ts: that module is
 * configured and tested on its own, so it keeps its own parser; this file hands it exactly the variables it reads
 * (named here so that `npm run lint:manifests`, which learns the app's variables from src/config, knows them) and
 * turns its error into lines of the ConfigError, each naming its variable. Its messages never show REDIS_PASSWORD
 * nor the value of REDIS_URL (which may carry the password).
 */
import { parseCoordinationEnv, type CoordinationSettings } from '../coordination/settings';

/** The settings, or the problems (`NAME: why`, never a value of a secret variable). */
export function coordinationSettings(env: NodeJS.ProcessEnv): { settings: CoordinationSettings; problems: string[] } {
  try {
    return {
      settings: parseCoordinationEnv({
        REDIS_URL: env.REDIS_URL,
        REDIS_PASSWORD: env.REDIS_PASSWORD,
        REDIS_KEY_PREFIX: env.REDIS_KEY_PREFIX,
        REDIS_LOCK_TTL_MS: env.REDIS_LOCK_TTL_MS,
        REDIS_COMMAND_TIMEOUT_MS: env.REDIS_COMMAND_TIMEOUT_MS,
        // The keys are namespaced by app and tenant (Intune counts per app per tenant); env.ts validates these two.
        AZURE_TENANT_ID: env.AZURE_TENANT_ID,
        AZURE_CLIENT_ID: env.AZURE_CLIENT_ID,
      }),
      problems: [],
    };
  } catch (error) {
    // Its message is a heading and then one `NAME: why` line per problem, indented: keep the lines only.
    const message = error instanceof Error ? error.message : String(error);
    const lines = message
      .split('\n')
      .slice(1)
      .map((line) => line.trim())
      .filter((line) => line.length > 0);
    return { settings: {}, problems: lines.length > 0 ? lines : ['REDIS_URL: the coordination settings are invalid'] };
  }
}
