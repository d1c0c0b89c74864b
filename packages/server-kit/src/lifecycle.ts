import type { Logger } from 'pino';

/**
 * Runs a service's start-up, then closes what it returns, in reverse order, on SIGINT or
 * SIGTERM. A failed start-up is logged as one line and exits non-zero.
 */
export function runService(logger: Logger, start: () => Promise<Array<() => Promise<void>>>): void {
  let closers: Array<() => Promise<void>> = [];
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    for (const close of [...closers].reverse()) {
      try {
        await close();
      } catch (error) {
        logger.error({ err: error }, 'error while shutting down');
      }
    }
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  start().then(
    (started) => {
      closers = started;
    },
    (error: unknown) => {
      logger.fatal({ err: error }, `failed to start: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
