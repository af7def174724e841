import { describe, expect, it } from 'vitest';
import { queueDefinitions } from './definitions.ts';

describe("a job payload's trace id", () => {
  const confirmation = queueDefinitions.email.confirmation;
  const subscriberId = '3b241101-e2bb-4255-8caf-4136c566a962';

  it('keeps a plain id and drops any other, without refusing the job', () => {
    expect(confirmation.parse({ subscriberId, traceId: 'edge-4f1a.9' })).toEqual({ subscriberId, traceId: 'edge-4f1a.9' });
    expect(confirmation.parse({ subscriberId, traceId: 'forged id; ann@example.org' })).toEqual({ subscriberId, traceId: undefined });
    expect(confirmation.parse({ subscriberId, traceId: 'x'.repeat(65) })).toEqual({ subscriberId, traceId: undefined });
  });
});
