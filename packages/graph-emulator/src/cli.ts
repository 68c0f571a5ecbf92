/**
 * Standalone Graph emulator: `npm run emulator` at the root, or `node dist/cli.js` here. See cli-env.ts for the EMULATOR_*
 * variables. Prints one line with the URL; SIGTERM/SIGINT close the server and exit 0.
 */
import { parseEmulatorEnv, toStartOptions } from './cli-env';
import { startGraphEmulator } from './server';
import type { GraphEmulator } from './types';

export async function main(env: Readonly<Record<string, string | undefined>> = process.env): Promise<GraphEmulator | undefined> {
  let emulator: GraphEmulator;
  try {
    const cfg = parseEmulatorEnv(env);
    emulator = await startGraphEmulator(toStartOptions(cfg));
  } catch (err) {
    process.stderr.write(`graph-emulator: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
    return undefined;
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void emulator.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`Graph emulator listening on ${emulator.url}\n`);
  return emulator;
}

if (require.main === module) {
  void main();
}
