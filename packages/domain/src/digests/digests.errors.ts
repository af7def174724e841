import { AppError } from '../shared/errors.ts';

declare module '../shared/errors.ts' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- merges into the map of every code
  interface TErrorCodes {
    'digests.run_not_found': true;
    'digests.run_state_conflict': true;
    'digests.subscriber_not_found': true;
    'digests.nothing_new': true;
  }
}

export const runNotFound = (runId: string) =>
  new AppError({ code: 'digests.run_not_found', status: 404, message: `No digest run ${runId}.` });

export const runStateConflict = (action: string, state: string) =>
  new AppError({
    code: 'digests.run_state_conflict',
    status: 409,
    message: `Cannot ${action} a run that is ${state}.`,
    details: { state },
  });
