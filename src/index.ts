/** The process: configuration from the environment, then the service, then signal handling. */
import { ConfigError, loadConfig } from './config';
import { createLogger } from './observability/logger';
import { startService } from './service';

async function run(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`esim-pools-subgraph: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const service = await startService(config, logger);
  logger.info({ url: service.url, production: config.production }, `esim-pools-subgraph ready at ${service.url}`);

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: readiness off, finishing in-flight requests');
    service
      .stop(config.shutdownGraceMs, config.shutdownDelayMs)
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

run().catch((error: unknown) => {
  process.stderr.write(`esim-pools-subgraph: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
