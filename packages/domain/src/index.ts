export { AppError, isAppError } from './shared/errors.ts';
export { ZPaper, ZArxivId } from './papers/papers.schemas.ts';
export type { TPaper, TPaperInput } from './papers/papers.schemas.ts';
export { ZTopic, ZTopicSlug, ZTopicTerm } from './topics/topics.schemas.ts';
export type { TTopicInput } from './topics/topics.schemas.ts';
export { isDatabaseEmpty, readSeedPapers, readSeedTopics, seedDatabase, SeedFileError } from './seed/seed.usecases.ts';
