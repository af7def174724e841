import { describe, expect, it } from 'vitest';
import { TimeoutError, withTimeout } from './timeout.ts';

describe('withTimeout', () => {
  it('gives the work its value when it settles in time', async () => {
    await expect(withTimeout(Promise.resolve(42), { timeoutMs: 1_000, message: 'slow' })).resolves.toBe(42);
  });

  it("passes the work's own error through", async () => {
    await expect(withTimeout(Promise.reject(new Error('refused')), { timeoutMs: 1_000, message: 'slow' })).rejects.toThrow('refused');
  });

  it('rejects with a TimeoutError carrying the message when the work never settles', async () => {
    const error = await withTimeout(new Promise(() => {}), { timeoutMs: 10, message: 'no answer within 10 ms' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe('no answer within 10 ms');
  });
});
