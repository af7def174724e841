import type { THandlers } from '@paperboy/queue';
import type { TWorkerDeps } from '../deps.ts';

export function createPaperHandlers(_deps: TWorkerDeps): THandlers<'papers'> {
  return { match: () => Promise.reject(new Error('paper matching is not implemented yet')) };
}
