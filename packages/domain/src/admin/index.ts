export { countPapersIngestedSince, findSubscriberIdByEmail, listSubscriberDeliveries, listTopicPapers, readGrowth, searchSubscribers } from './admin.queries.ts';
export type { TGrowthPoint, TSubscriberSearch } from './admin.queries.ts';
