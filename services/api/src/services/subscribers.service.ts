import type { TDb } from '@paperboy/db';
import {
  addSubscriber,
  createSubscribersRepository,
  createToken,
  eraseSubscriberData,
  listSubscriberDeliveries,
  listSubscribers,
  removeSubscriber,
  subscriberCounts,
  subscriberNotFoundError,
  type TAdminSubscriberQuery,
  type TSignupInput,
} from '@paperboy/domain';

export type TSubscriberService = ReturnType<typeof createSubscriberService>;

/** Subscribers as an operator sees them, from the JSON API or the console. */
export function createSubscriberService({ db, secretKey }: { db: TDb; secretKey: string }) {
  return {
    list: (query: TAdminSubscriberQuery) => listSubscribers({ db, query }),
    counts: () => subscriberCounts({ db }),
    add: (input: TSignupInput) => addSubscriber({ db, secretKey, input }),
    remove: (subscriberId: string) => removeSubscriber({ db, subscriberId }),
    /** One subscriber with their choices, consent log and deliveries. */
    detail: async (subscriberId: string) => {
      const repository = createSubscribersRepository({ db });
      const { subscriber } = await repository.findById({ id: subscriberId });
      if (!subscriber) throw subscriberNotFoundError();
      const [choices, { events }, deliveries] = await Promise.all([
        repository.getChoices({ subscriberId }),
        repository.listConsent({ subscriberId }),
        listSubscriberDeliveries({ db, subscriberId }),
      ]);
      return { subscriber, choices, events, deliveries };
    },
    /**
     * The same erase a subscriber runs from their preference center, through a token minted for
     * this one call: one code path decides what erasing keeps and what it drops.
     */
    erase: (subscriberId: string) => {
      const token = createToken({ secretKey, subscriberId, purpose: 'preferences', expiresAt: new Date(Date.now() + 60_000) });
      return eraseSubscriberData({ db, secretKey, token });
    },
  };
}
