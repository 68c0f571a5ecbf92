/**
 * The process: configuration, the service, and signals. The first SIGTERM/SIGINT drains and exits 0 (1 when a
 * shutdown step failed or outlived STOP_MARGIN_MS); a second exits at once, 130/143 (docs/operations.md).
 */
import pino from 'pino';
import { ConfigError, loadConfig } from './config';
import { createLogger, messageOf } from './observability/logger';
import { startService, StartupError } from './service';

const EXIT_CODES: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

async function run(): Promise<void> {
  const config = loadConfig();
  // pino's own default (asynchronous writes to stdout), held here to exit only once the last lines are out.
  const destination = pino.destination({ dest: 1, sync: false });
  const logger = createLogger(config.logLevel, destination);
  /** Exits once the lines logged so far are written (at most a second later), so none is lost or reordered. */
  const exit = (code: number): void => {
    const now = (): never => process.exit(code);
    destination.once('drain', now);
    setTimeout(now, 1000);
  };
  const service = await startService(config, logger);
  logger.info({ url: service.url, production: config.production }, `esim-pools-subgraph ready at ${service.url}`);

  let stopping = false;
  const shutdown = async (signal: 'SIGINT' | 'SIGTERM'): Promise<void> => {
    if (stopping) {
      // The operator (or the orchestrator) does not want to wait: nothing more is finished.
      logger.warn({ signal }, 'second signal: exiting now, without finishing in-flight requests');
      return exit(EXIT_CODES[signal]);
    }
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs, drainDelayMs: config.shutdownDelayMs }, 'shutting down: readiness off, finishing in-flight requests');
    try {
      const { cutOff, unfinished } = await service.stop(config.shutdownGraceMs, config.shutdownDelayMs);
      if (cutOff > 0) logger.warn({ cutOff }, `grace period over: ${cutOff} request(s) still in flight were cut off`);
      if (unfinished.length > 0) logger.error({ unfinished }, `shutdown did not finish in time (still pending: ${unfinished.join(', ')}): exiting anyway`);
      else logger.info('stopped');
      exit(unfinished.length > 0 ? 1 : 0);
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

run().catch((error: unknown) => {
  // A ConfigError or StartupError names the variable to fix; anything else is unexpected, but still one line, not a stack.
  const named = error instanceof ConfigError || error instanceof StartupError;
  const message = named ? error.message : `failed to start: ${messageOf(error)}`;
  process.stderr.write(`esim-pools-subgraph: ${message}\n`);
  process.exit(1);
});
