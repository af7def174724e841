export { countPapersIngestedSince, findSubscriberIdByEmail, listSubscriberDeliveries, listTopicPapers, readGrowth } from './admin.queries.ts';
export type { TGrowthPoint } from './admin.queries.ts';
