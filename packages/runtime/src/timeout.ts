/** Thrown by `withTimeout` when the work outlives its bound; the work itself is not cancelled. */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/**
 * Settles as `work` does, or rejects with a TimeoutError saying `message` after `timeoutMs`,
 * whichever comes first. The timer is always cleared, so it never keeps the process alive.
 */
export async function withTimeout<T>(work: Promise<T>, { timeoutMs, message }: { timeoutMs: number; message: string }): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(message)), Math.max(timeoutMs, 0));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
