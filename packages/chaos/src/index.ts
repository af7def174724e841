export { insertChaosAudience, unsubscribeBeforeStart } from './chaos.fixture.ts';
export type { TChaosFixture } from './chaos.fixture.ts';
export { reconcile, report } from './chaos.reconcile.ts';
export type { TReconciliation } from './chaos.reconcile.ts';
export { deliveriesInFlight, enqueueStart, notConfirmed, planChaosRun, runState, sleep, waitForRunToSettle, waitUntil } from './chaos.scenario.ts';
