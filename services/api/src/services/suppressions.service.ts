import type { TDb } from '@paperboy/db';
import { liftSuppression, listSuppressions, suppressAddress } from '@paperboy/domain';

export type TSuppressionService = ReturnType<typeof createSuppressionService>;

/** The suppression list as the JSON API and the console both read and change it. */
export function createSuppressionService({ db, secretKey }: { db: TDb; secretKey: string }) {
  return {
    /** One page of the list, newest first, with the total for the pager. */
    list: ({ page, pageSize }: { page: number; pageSize: number }) => listSuppressions({ db, limit: pageSize, offset: (page - 1) * pageSize }),
    /** Stores only the address's hash: whoever has it, or signs up with it later, is never mailed. */
    add: (email: string) => suppressAddress({ db, secretKey, email }),
    lift: (id: string) => liftSuppression({ db, id }),
  };
}
