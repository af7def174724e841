import type { THandlers } from '@paperboy/queue';
import type { TWorkerDeps } from '../deps.ts';

export function createEmailHandlers(_deps: TWorkerDeps): THandlers<'email'> {
  const notYet = () => Promise.reject(new Error('email jobs are not implemented yet'));
  return { confirmation: notYet, 'manage-preferences': notYet };
}
