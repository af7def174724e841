import closeWithGrace from 'close-with-grace';
type TLogger = { info: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };

/**
 * On SIGTERM or SIGINT: stop taking work and close everything within `timeoutMs`, then exit
 * 0; a second signal, or a close that outlives the bound, exits 1.
 */
export function handleShutdown({
  close,
  logger,
  timeoutMs,
}: {
  close: () => Promise<unknown>;
  logger: TLogger;
  timeoutMs: number;
}): void {
  closeWithGrace({ delay: timeoutMs }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    await close();
  });
}
