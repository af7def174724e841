export { createMetrics, QUEUE_STATES, readQueueDepths } from './metrics.ts';
export type { TCountableQueue, TMetrics, TMetricsSources, TQueueDepth, TQueueState, TSubscriptionTotals } from './metrics.ts';
export { isScrapeAllowed, METRICS_CHALLENGE } from './metrics.auth.ts';
