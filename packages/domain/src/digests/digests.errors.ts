import { AppError } from '../shared/errors.ts';

export const runNotFound = (runId: string) =>
  new AppError({ code: 'digests.run_not_found', status: 404, message: `No digest run ${runId}.` });

export const runStateConflict = (action: string, state: string) =>
  new AppError({
    code: 'digests.run_state_conflict',
    status: 409,
    message: `Cannot ${action} a run that is ${state}.`,
    details: { state },
  });
