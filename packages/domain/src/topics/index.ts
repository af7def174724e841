export { createTopicsRepository } from './topics.repository.ts';
export { createTopic, updateTopic, listPublicTopics, listTopicsForAdmin, RESCORE_WINDOW_DAYS } from './topics.usecases.ts';
