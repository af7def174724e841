/**
 * Group commit: items added while a write is in progress wait and go together in the next
 * write, so there is never more than one write in flight and none waits on a timer.
 * `settle` resolves once everything added has been written, or throws the first failure.
 */
export type TGroupCommit<T> = { add: (item: T) => void; settle: () => Promise<void> };

export function createGroupCommit<T>(write: (items: T[]) => Promise<unknown>): TGroupCommit<T> {
  let waiting: T[] = [];
  let writing: Promise<void> | undefined;
  let failure: Error | undefined;
  const drain = async () => {
    while (waiting.length > 0) {
      const group = waiting;
      waiting = [];
      try {
        await write(group);
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(String(error));
      }
    }
    writing = undefined;
  };
  return {
    add: (item: T) => {
      waiting.push(item);
      writing ??= drain();
    },
    settle: async () => {
      await writing;
      if (failure) throw failure;
    },
  };
}
